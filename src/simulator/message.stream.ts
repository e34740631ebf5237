import { manifestKey } from './cluster.types';
import { corrupt } from './error.injector';
import { ExpectedCounts, MalformedKind } from './expected.counts';
import { HitGeneration } from './hit.render';
import { Prng } from './prng.util';
import { encoderFor, NDJSON_FORMATS, OutputFormat, RecordEncoder } from './record.encoders';
import { TrafficGenerator } from './traffic.generator';

export interface StreamOptions {
  format: OutputFormat;
  hitGeneration?: HitGeneration;
  /** NDJSON lines per flow message (flowscope and goldmane only; calico is one record per message). */
  linesPerMessage: number;
  /** Share of records replaced by a malformed message. */
  malformedRatio: number;
  malformedKinds: readonly MalformedKind[];
  seed: number;
}

export interface SimMessage {
  topic: 'inventory' | 'flows';
  key: string;
  /** null = tombstone (inventory deletes). */
  value: string | null;
  /** Flow records (good or malformed) the message carries; 0 for inventory. */
  records: number;
}

/**
 * Turns generator events into Kafka messages: the initial inventory first, then flow records
 * rendered in the chosen format, grouped per reporting node (the key) into NDJSON messages,
 * with malformed messages injected, and everything counted.
 */
export class MessageStream {
  readonly counts = new ExpectedCounts();
  private readonly encode: RecordEncoder;
  private readonly rng: Prng;
  private readonly lines: number;

  get linesPerMessage(): number {
    return this.lines;
  }
  private readonly buffers = new Map<string, string[]>();
  private readonly out: SimMessage[] = [];
  private initialSent = false;

  constructor(
    readonly generator: TrafficGenerator,
    readonly options: StreamOptions,
  ) {
    this.encode = encoderFor(options.format, options.hitGeneration);
    this.rng = new Prng(options.seed ^ 0xe770);
    this.lines = NDJSON_FORMATS.has(options.format) ? Math.max(1, options.linesPerMessage) : 1;
    if (options.malformedRatio > 0 && options.malformedKinds.length === 0) throw new Error('malformed ratio set but no malformed kinds');
  }

  /** Up to `max` messages (fewer only after `flush`). */
  pull(max: number): SimMessage[] {
    if (!this.initialSent) {
      this.initialSent = true;
      for (const m of this.generator.inventory()) this.inventory(manifestKey(m), JSON.stringify(m));
    }
    while (this.out.length < max) this.step();
    return this.out.splice(0, max);
  }

  /** Emits the partly filled per-node messages (at the end of a run). */
  flush(): SimMessage[] {
    for (const [node, buf] of this.buffers) if (buf.length) this.out.push({ topic: 'flows', key: node, value: buf.join('\n'), records: buf.length });
    this.buffers.clear();
    return this.out.splice(0);
  }

  private inventory(key: string, value: string | null): void {
    this.counts.inventoryMessages++;
    if (value === null) this.counts.tombstones++;
    this.out.push({ topic: 'inventory', key, value, records: 0 });
  }

  private step(): void {
    const ev = this.generator.next();
    if (ev.type === 'inventory') {
      this.inventory(ev.key, ev.manifest ? JSON.stringify(ev.manifest) : null);
      return;
    }
    const c = ev.connection;
    this.counts.connections++;
    const o = this.options;
    for (const rec of ev.records) {
      const json = this.encode(c, rec);
      if (json === null) continue;
      if (o.malformedRatio > 0 && this.rng.chance(o.malformedRatio)) {
        const bad = corrupt(o.format, json, this.rng.pick(o.malformedKinds), this.rng);
        this.counts.addMalformed(bad.kind);
        // Alone in its message, so the dead-lettering of it costs no good record.
        this.out.push({ topic: 'flows', key: rec.node, value: bad.value, records: 1 });
        continue;
      }
      this.counts.addRecord(rec, c.stale, c.intent === 'unknown-endpoint');
      if (this.lines === 1) {
        this.out.push({ topic: 'flows', key: rec.node, value: json, records: 1 });
        continue;
      }
      let buf = this.buffers.get(rec.node);
      if (!buf) this.buffers.set(rec.node, (buf = []));
      buf.push(json);
      if (buf.length >= this.lines) {
        this.out.push({ topic: 'flows', key: rec.node, value: buf.join('\n'), records: buf.length });
        this.buffers.set(rec.node, []);
      }
    }
  }
}
