/**
 * Simulator benchmark: generation in-process (demo and large clusters), and produce rate into
 * the local broker when KAFKA_BROKERS answers, with the raw kafkajs producer rate of the same
 * pre-built messages as the ceiling.
 */
import { Kafka, logLevel } from 'kafkajs';
import { parseCliOptions } from '../src/simulator/cli.options';
import { SimMessage } from '../src/simulator/message.stream';
import { encoderFor } from '../src/simulator/record.encoders';
import { buildStream, run } from '../src/simulator/simulator.runner';
import { BenchResult } from './bench.types';

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Records/s of the whole in-process pipeline (generate, evaluate, encode), and of encoding alone. */
function generation(size: string, records: number): BenchResult {
  const o = parseCliOptions(['--size', size, '--dry-run'], {});
  const stream = buildStream(o, Date.UTC(2025, 0, 1));
  stream.pull(1); // inventory and engine snapshot are setup, not throughput
  let n = 0;
  const t = process.hrtime.bigint();
  while (n < records) n += stream.pull(5000).reduce((a, m) => a + m.records, 0);
  const rate = n / seconds(t);
  // Ceiling: re-encoding already generated connections, i.e. the pipeline minus generation and evaluation.
  const gen = stream.generator;
  const events = [];
  for (let i = 0; i < 100_000; i++) events.push(gen.next());
  const encode = encoderFor('flowscope');
  const t2 = process.hrtime.bigint();
  let m = 0;
  for (const e of events) if (e.type === 'flow') for (const r of e.records) if (encode(e.connection, r) !== null) m++;
  return { name: `generate ${size} cluster (flowscope JSON)`, value: rate, unit: 'records/s', ceiling: { name: 'encode only', value: m / seconds(t2) } };
}

async function reachable(brokers: string[]): Promise<boolean> {
  const admin = new Kafka({ clientId: 'flowscope-bench', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The ceiling: kafkajs sending the same pre-built messages, same batching, nothing else to do. */
async function rawProduce(brokers: string[], topic: string, batches: SimMessage[][]): Promise<number> {
  const kafka = new Kafka({ clientId: 'flowscope-bench-raw', brokers, logLevel: logLevel.ERROR });
  const p = kafka.producer({ maxInFlightRequests: 8 });
  await p.connect();
  let records = 0;
  const t = process.hrtime.bigint();
  const inFlight = new Set<Promise<unknown>>();
  for (const b of batches) {
    records += b.reduce((a, m) => a + m.records, 0);
    const s: Promise<unknown> = p.send({ topic, acks: 1, messages: b.map((m) => ({ key: m.key, value: m.value })) }).finally(() => inFlight.delete(s));
    inFlight.add(s);
    if (inFlight.size >= 3) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const rate = records / seconds(t);
  await p.disconnect();
  return rate;
}

async function produce(brokers: string[], lines: number, records: number): Promise<BenchResult> {
  const topic = `flowscope.bench.sim.l${lines}`;
  const args = ['--size', 'demo', '--count', String(records), '--lines-per-message', String(lines), '--flows-topic', topic, '--inventory-topic', 'flowscope.bench.inventory', '--brokers', brokers.join(',')];
  const o = parseCliOptions(args, {});
  const summary = await run(o, () => undefined, () => false);
  const stream = buildStream(o);
  const batches: SimMessage[][] = [];
  let n = 0;
  while (n < records) {
    const b = stream.pull(Math.ceil(o.batch / lines)).filter((m) => m.topic === 'flows');
    n += b.reduce((a, m) => a + m.records, 0);
    batches.push(b);
  }
  const ceiling = await rawProduce(brokers, topic, batches);
  return {
    name: `produce to Kafka, ${lines} record(s)/message`,
    value: summary.recordsPerSecond,
    unit: 'records/s',
    notes: `node dist/src/simulator/simulator.cli.js ${args.join(' ')}`,
    ceiling: { name: 'raw kafkajs send of pre-built messages', value: ceiling },
  };
}

export async function runSimulatorBench(): Promise<BenchResult[]> {
  const out: BenchResult[] = [generation('demo', 500_000), generation('large', 300_000)];
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
  if (brokers.length && (await reachable(brokers))) {
    out.push(await produce(brokers, 1, 500_000));
    out.push(await produce(brokers, 10, 1_000_000));
  } else {
    out.push({ name: 'produce to Kafka', value: NaN, unit: 'records/s', notes: 'skipped: KAFKA_BROKERS unset or not answering' });
  }
  return out;
}
