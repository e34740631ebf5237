import { MalformedKind } from './expected.counts';
import { Prng } from './prng.util';
import { OutputFormat } from './record.encoders';

/** Just over the 1 MiB ingest limit (src/ingest/flow-ingest.consumer.ts), under the topic limit the sink sets. */
export const OVERSIZED_BYTES = 1024 * 1024 + 4096;

/**
 * Turns a well-formed record into one the ingest must dead-letter. Each kind breaks exactly one
 * thing, so a test can tell which check caught it.
 */
export function corrupt(format: OutputFormat, json: string, kind: MalformedKind, rng: Prng): { kind: MalformedKind; value: string } {
  if (kind === 'bad-json') return { kind, value: json.slice(0, Math.max(1, Math.floor(json.length * (0.3 + rng.next() * 0.5)))) };
  if (kind === 'oversized') return { kind, value: json + ' '.repeat(Math.max(0, OVERSIZED_BYTES - json.length)) };
  const o = JSON.parse(json) as Record<string, unknown>;
  const key = o.Key as Record<string, unknown> | undefined;
  switch (kind) {
    case 'missing-field':
      if (format === 'flowscope') delete o.action;
      else if (format === 'calico') delete o.reporter;
      else delete o.Key;
      break;
    case 'bad-ip':
      // Goldmane records carry no IPs: a bad IP cannot exist there, so it gets an unknown enum.
      if (format === 'goldmane') return corrupt(format, json, 'unknown-enum', rng);
      if (format === 'flowscope') o.srcIp = `10.244.${256 + rng.int(0, 99)}.7`;
      else o.source_ip = `10.244.${256 + rng.int(0, 99)}.7`;
      break;
    case 'unknown-enum':
      if (format === 'flowscope') o.action = 'drop';
      else if (format === 'calico') o.reporter = 'sideways';
      else if (key) key.action = 7;
      break;
  }
  return { kind, value: JSON.stringify(o) };
}
