import { parseArgs } from 'node:util';
import { SIZES, SizeName } from './cluster.sizes';
import { ClusterSize } from './cluster.types';
import { MALFORMED_KINDS, MalformedKind } from './expected.counts';
import { HitGeneration } from './hit.render';
import { OutputFormat } from './record.encoders';

export interface CliOptions {
  brokers: string[];
  flowsTopic: string;
  inventoryTopic: string;
  format: OutputFormat;
  hitGeneration?: HitGeneration;
  size: ClusterSize;
  sizeName: string;
  rate: number;
  durationSeconds: number;
  count: number;
  seed: number;
  batch: number;
  linesPerMessage: number;
  acks: -1 | 1;
  compression: 'none' | 'gzip';
  malformedRatio: number;
  malformedKinds: MalformedKind[];
  staleRatio: number;
  unknownEndpointRatio: number;
  unexpectedRatio: number;
  churnEvery: number;
  policyChangeEvery: number;
  dryRun: boolean;
  help: boolean;
}

export const USAGE = `Usage: node dist/src/simulator/simulator.cli.js [options]

  --brokers LIST            Kafka brokers (default: $KAFKA_BROKERS or 127.0.0.1:9092)
  --flows-topic NAME        flow records topic (default flowscope.flows)
  --inventory-topic NAME    inventory topic (default flowscope.inventory)
  --format F                flowscope | calico | goldmane (default flowscope)
  --hit-format G            policy-hit strings: g1 | g2 | g3 (default g3 flowscope, g2 calico)
  --size S                  demo | small | medium | large (default demo)
  --pods N --policies N     explicit cluster size (overrides --size)
  --rate N                  flow records per second, 0 = as fast as possible (default 0)
  --duration S              stop after S seconds (default: run until SIGINT/SIGTERM)
  --count N                 stop after N flow records
  --seed N                  PRNG seed (default 1)
  --batch N                 flow records per produce request (default 5000)
  --lines-per-message N     NDJSON records per message, flowscope/goldmane only (default 1)
  --acks -1|1               producer acks (default 1)
  --compression none|gzip   (lz4 needs the kafkajs-lz4 package, not installed)
  --malformed RATIO         share of records replaced by malformed messages (default 0)
  --malformed-kinds LIST    of ${MALFORMED_KINDS.join(',')} (default all)
  --stale RATIO             share of connections with traces from an outdated policy set
  --unknown-endpoints RATIO share of connections with a pod-CIDR IP no inventory knows
  --unexpected RATIO        share of connections policy should deny (default 0.08)
  --churn-every N           pod churn (with IP reuse) every N connections (default 5000, 0 = off)
  --policy-change-every N   policy change every N connections (default 100000, 0 = off)
  --dry-run                 generate and count without Kafka
  -h, --help`;

function num(v: string | undefined, name: string, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name}: expected a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return n;
}

function oneOf<T extends string>(v: string | undefined, name: string, allowed: readonly T[], def: T): T {
  if (v === undefined) return def;
  if (!(allowed as readonly string[]).includes(v)) throw new Error(`--${name}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

export function parseCliOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      brokers: { type: 'string' },
      'flows-topic': { type: 'string' },
      'inventory-topic': { type: 'string' },
      format: { type: 'string' },
      'hit-format': { type: 'string' },
      size: { type: 'string' },
      pods: { type: 'string' },
      policies: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string' },
      batch: { type: 'string' },
      'lines-per-message': { type: 'string' },
      acks: { type: 'string' },
      compression: { type: 'string' },
      malformed: { type: 'string' },
      'malformed-kinds': { type: 'string' },
      stale: { type: 'string' },
      'unknown-endpoints': { type: 'string' },
      unexpected: { type: 'string' },
      'churn-every': { type: 'string' },
      'policy-change-every': { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const sizeName = oneOf(values.size, 'size', Object.keys(SIZES) as SizeName[], 'demo');
  const size = { ...SIZES[sizeName] };
  if (values.pods !== undefined) size.pods = num(values.pods, 'pods', 0, 20, 25_000);
  if (values.policies !== undefined) size.policies = num(values.policies, 'policies', 0, 1, 100_000);
  if (values.compression === 'lz4') throw new Error('--compression lz4: the kafkajs-lz4 codec is not installed; use none or gzip');
  const kinds = values['malformed-kinds']?.split(',').map((k) => oneOf(k.trim(), 'malformed-kinds', MALFORMED_KINDS, 'bad-json')) ?? [...MALFORMED_KINDS];
  const acks = num(values.acks, 'acks', 1, -1, 1);
  if (acks !== -1 && acks !== 1) throw new Error('--acks: expected -1 or 1');
  return {
    brokers: (values.brokers ?? env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean),
    flowsTopic: values['flows-topic'] ?? 'flowscope.flows',
    inventoryTopic: values['inventory-topic'] ?? 'flowscope.inventory',
    format: oneOf(values.format, 'format', ['flowscope', 'calico', 'goldmane'] as const, 'flowscope'),
    hitGeneration: values['hit-format'] === undefined ? undefined : oneOf(values['hit-format'], 'hit-format', ['g1', 'g2', 'g3'] as const, 'g3'),
    size,
    sizeName: values.pods !== undefined || values.policies !== undefined ? 'custom' : sizeName,
    rate: num(values.rate, 'rate', 0),
    durationSeconds: num(values.duration, 'duration', 0),
    count: num(values.count, 'count', 0),
    seed: num(values.seed, 'seed', 1, 0, 0xffffffff),
    batch: num(values.batch, 'batch', 5000, 1, 1_000_000),
    linesPerMessage: num(values['lines-per-message'], 'lines-per-message', 1, 1, 100_000),
    acks,
    compression: oneOf(values.compression, 'compression', ['none', 'gzip'] as const, 'none'),
    malformedRatio: num(values.malformed, 'malformed', 0, 0, 1),
    malformedKinds: kinds,
    staleRatio: num(values.stale, 'stale', 0, 0, 1),
    unknownEndpointRatio: num(values['unknown-endpoints'], 'unknown-endpoints', 0, 0, 1),
    unexpectedRatio: num(values.unexpected, 'unexpected', 0.08, 0, 1),
    churnEvery: num(values['churn-every'], 'churn-every', 5000),
    policyChangeEvery: num(values['policy-change-every'], 'policy-change-every', 100_000),
    dryRun: values['dry-run'] ?? false,
    help: values.help ?? false,
  };
}
