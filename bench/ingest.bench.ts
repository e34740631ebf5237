/**
 * End-to-end ingest: events/s from the flows topic to stored, enriched, attributed rows, with the
 * two ceilings measured in the same run on the same data: raw kafkajs consumption of the same
 * messages, and raw ClickHouse insert of the same rows. Needs KAFKA_BROKERS (npm run bench starts
 * the local broker).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Message } from 'kafkajs';
import { createApp } from '../src/app.factory';
import { AttributedFlow } from '../src/attribution/attributed-flow';
import { AttributionService } from '../src/attribution/attribution.service';
import { loadConfig } from '../src/config/config.loader';
import { RecordDecoder } from '../src/ingest/formats/record.decoder';
import { IngestMetrics } from '../src/metrics/ingest.metrics';
import { parseCliOptions } from '../src/simulator/cli.options';
import { buildStream } from '../src/simulator/simulator.runner';
import { ClickHouseAdapter } from '../src/storage/clickhouse.adapter';
import { FLOW_COLUMNS, flowValues } from '../src/storage/flow.repository';
import { encodeTsvRow } from '../src/storage/tsv.encoder';
import { BenchResult } from './bench.types';

const RECORDS = Number(process.env.FLOWSCOPE_BENCH_INGEST_RECORDS ?? 300_000);
const LINES_PER_MESSAGE = 20;
const PARTITIONS = 4;
/** Simulator connections between pod churns: about 1,000 records on the large cluster (a churn is 3 inventory changes). */
const CHURN_EVERY_CONNECTIONS = Number(process.env.FLOWSCOPE_BENCH_CHURN_EVERY ?? 500);

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Dataset {
  inventory: Message[];
  flows: Message[];
  records: number;
}

/** A simulated cluster's inventory and RECORDS flow records, NDJSON-packed per node; pod churn every `churnEvery` connections (0: none). */
function dataset(size: 'small' | 'large' = 'small', churnEvery = 0): Dataset {
  const o = parseCliOptions(['--size', size, '--dry-run', '--lines-per-message', String(LINES_PER_MESSAGE), '--seed', '11', '--churn-every', String(churnEvery), '--policy-change-every', '0'], {});
  const stream = buildStream(o, Date.now() - 3_600_000);
  const inventory: Message[] = [];
  const flows: Message[] = [];
  let records = 0;
  while (records < RECORDS) {
    for (const m of stream.pull(1000)) {
      if (m.topic === 'inventory') inventory.push({ key: m.key, value: m.value });
      else if (records < RECORDS) {
        flows.push({ key: m.key, value: m.value });
        records += m.records;
      }
    }
  }
  return { inventory, flows, records };
}

async function createTopics(kafka: Kafka, topics: Array<{ topic: string; compacted?: boolean }>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: topics.map((t) => ({ topic: t.topic, numPartitions: PARTITIONS, configEntries: t.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [] })),
  });
  await admin.disconnect();
}

async function produceAll(kafka: Kafka, topic: string, messages: Message[]): Promise<void> {
  const p = kafka.producer();
  await p.connect();
  for (let i = 0; i < messages.length; i += 100) await p.send({ topic, acks: 1, messages: messages.slice(i, i + 100) });
  await p.disconnect();
}

/** Ceiling 1: a consumer group that only counts the records in each message. */
async function rawConsume(kafka: Kafka, topic: string, records: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `${topic}.raw`, maxBytesPerPartition: 8 * 1024 * 1024, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let started: bigint | undefined;
  let elapsed = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        started ??= process.hrtime.bigint();
        for (const m of batch.messages) {
          const v = m.value!;
          let lines = 1;
          for (let i = 0; i < v.length; i++) if (v[i] === 10) lines++;
          seen += lines;
        }
        if (seen >= records) {
          elapsed = seconds(started);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return records / elapsed;
}

/** The service started on a fresh data directory, consuming `run`'s topics: events/s from the first consumed batch until every record is stored. */
async function endToEnd(brokers: string, run: string, records: number) {
  const config = loadConfig({
    FLOWSCOPE_HTTP_PORT: '0',
    FLOWSCOPE_LOG_LEVEL: 'warn',
    FLOWSCOPE_DATA_DIR: mkdtempSync(join(tmpdir(), 'flowscope-bench-')),
    FLOWSCOPE_RETENTION_ALLOWED_DAYS: '0',
    FLOWSCOPE_RETENTION_DENIED_DAYS: '0',
    FLOWSCOPE_AUTH: 'off',
    KAFKA_BROKERS: brokers,
    KAFKA_GROUP_ID: `${run}.ingest`,
    KAFKA_FLOWS_TOPIC: `${run}.flows`,
    KAFKA_INVENTORY_TOPIC: `${run}.inventory`,
    KAFKA_DEAD_LETTER_TOPIC: `${run}.dead`,
  });
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const app = await createApp(config);
  const metrics = app.get(IngestMetrics);
  const stored = async () => (await metrics.stored.get()).values.reduce((n, v) => n + v.value, 0);
  const consumed = async () => (await metrics.messages.get()).values.reduce((n, v) => n + v.value, 0);
  const appStart = process.hrtime.bigint();
  await app.init();
  // Timed from the first consumed batch: group join and inventory load are start-up, not throughput.
  while ((await consumed()) === 0) await sleep(5);
  const t0 = process.hrtime.bigint();
  while ((await stored()) < records) {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    await sleep(20);
  }
  const e2eSeconds = seconds(t0);
  const e2e = records / e2eSeconds;
  const startup = Number(t0 - appStart) / 1e9;
  return { app, config, e2e, startup, rssBefore, peakRss };
}

async function publish(kafka: Kafka, run: string, data: Dataset): Promise<void> {
  await createTopics(kafka, [{ topic: `${run}.flows` }, { topic: `${run}.inventory`, compacted: true }, { topic: `${run}.dead` }]);
  await produceAll(kafka, `${run}.inventory`, data.inventory);
  await produceAll(kafka, `${run}.flows`, data.flows);
}

export async function runIngestBench(): Promise<BenchResult[]> {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) return [{ name: 'end-to-end ingest', value: NaN, unit: 'events/s', notes: 'skipped: KAFKA_BROKERS not set' }];
  const kafka = new Kafka({ clientId: 'flowscope-bench', brokers: brokers.split(','), logLevel: logLevel.ERROR });
  const run = `flowscope.bench.ingest.${Date.now()}`;
  const data = dataset();
  await publish(kafka, run, data);

  const consumeCeiling = await rawConsume(kafka, `${run}.flows`, data.records);
  const { app, config, e2e, startup, rssBefore, peakRss } = await endToEnd(brokers, run, data.records);

  // The same rows, rebuilt in-process (decode + attribute, timed separately), inserted raw.
  const decoder = new RecordDecoder({ format: 'auto', maxMessageBytes: config.ingest.maxMessageBytes });
  const attribution = app.get(AttributionService, { strict: false });
  const t1 = process.hrtime.bigint();
  const rows: AttributedFlow[] = [];
  data.flows.forEach((m, offset) =>
    decoder.decode(m.value as Buffer).records.forEach((r, index) => rows.push(attribution.attribute(r, { format: 'flowscope', topic: 'bench', partition: 0, offset: String(offset), index }))),
  );
  const cpu = rows.length / seconds(t1);
  const ch = app.get(ClickHouseAdapter);
  await ch.command('CREATE TABLE flows_insert_bench AS flows');
  const batch = Math.ceil(rows.length / 40);
  const t2 = process.hrtime.bigint();
  for (let i = 0; i < rows.length; i += batch) {
    // The same rows, serialised the same way, into a copy of flows without its views.
    await ch.insertTsv('flows_insert_bench', FLOW_COLUMNS, rows.slice(i, i + batch).map((r) => encodeTsvRow(flowValues(r))));
  }
  const insertCeiling = rows.length / seconds(t2);
  await app.close();

  // The large cluster (10,000 pods) with pod churn: inventory changes land between the flows, and
  // each record is attributed as of its own time, so attribution meets a new inventory state about
  // every 1,000 records (each churn is a pod deleted, one started with its IP, and a replacement).
  const churnRun = `${run}.churn`;
  const churning = dataset('large', CHURN_EVERY_CONNECTIONS);
  const initial = dataset('large', 0).inventory.length;
  const changes = churning.inventory.length - initial;
  await publish(kafka, churnRun, churning);
  const churned = await endToEnd(brokers, churnRun, churning.records);
  await churned.app.close();

  const lower = Math.min(consumeCeiling, insertCeiling);
  return [
    {
      name: `end-to-end ingest (${data.records.toLocaleString('en-US')} flowscope records, ${LINES_PER_MESSAGE}/message, ${PARTITIONS} partitions, small cluster)`,
      value: e2e,
      unit: 'events/s',
      ceiling: { name: consumeCeiling <= insertCeiling ? 'raw kafkajs consume' : 'raw ClickHouse insert', value: lower },
      notes: `start-up (group join, inventory) ${startup.toFixed(1)} s not included; RSS ${Math.round(rssBefore / 2 ** 20)} -> peak ${Math.round(peakRss / 2 ** 20)} MiB`,
    },
    { name: 'raw kafkajs consume, same messages', value: consumeCeiling, unit: 'events/s' },
    { name: 'raw ClickHouse insert, same rows (embedded chDB, table without views)', value: insertCeiling, unit: 'rows/s' },
    { name: 'decode + enrich + attribute, in-process (CPU only)', value: cpu, unit: 'events/s' },
    {
      name: `end-to-end ingest, large cluster with pod churn (${churning.records.toLocaleString('en-US')} records)`,
      value: churned.e2e,
      unit: 'events/s',
      notes: `pod churn every ${CHURN_EVERY_CONNECTIONS} connections: ${changes} inventory changes among the records (one per ${Math.round(churning.records / Math.max(1, changes)).toLocaleString('en-US')} records); start-up ${churned.startup.toFixed(1)} s not included; peak RSS ${Math.round(churned.peakRss / 2 ** 20)} MiB`,
    },
  ];
}

if (require.main === module) {
  runIngestBench().then((rows) => console.table(rows), (e) => {
    console.error(e);
    process.exit(1);
  });
}
