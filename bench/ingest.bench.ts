/**
 * End-to-end ingest: events/s from the flows topic to stored, enriched, attributed rows, with the
 * two ceilings measured in the same run on the same data: raw kafkajs consumption of the same
 * messages, and the engine's own insert of the same rows, pre-encoded in the format ingest writes
 * (Native blocks read by the engine from a spool file, with the settings ingest uses, no
 * JavaScript in the timed part) into the same flows table with its views; the same rows as TSV
 * through chDB's raw insert for comparison.
 * Also the JavaScript stages timed apart (decode + enrich + attribute, Native and TSV encoding),
 * bytes stored per flow and peak RSS. Needs KAFKA_BROKERS (npm run bench starts the local broker).
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
import { ClickHouseAdapter, InsertFormat } from '../src/storage/clickhouse.adapter';
import { encodeFlowRow, FLOW_COLUMNS } from '../src/storage/flow-row.encoder';
import { encodeFlowBlock } from '../src/storage/flow-row.native';
import { FLOWS_INSERT_SETTINGS } from '../src/storage/flow.repository';
import { SHARED_TABLES, SharedTable, SharedValues } from '../src/storage/shared-values';
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
/** CPU time of the whole process (every thread) since `since`, in seconds. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

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
  const cpu0 = process.cpuUsage();
  while ((await stored()) < records) {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    await sleep(20);
  }
  const e2eSeconds = seconds(t0);
  const cpu = cpuSeconds(cpu0);
  const sizes = (await metrics.batchSize.get()).values;
  const batches = sizes.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
  const batchRecords = (sizes.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0) / Math.max(1, batches);
  const e2e = records / e2eSeconds;
  const startup = Number(t0 - appStart) / 1e9;
  // The whole process (kafkajs, decode, attribution, encoding and the engine's threads; not the
  // broker): how much of the two cores the pipeline keeps busy, and its CPU time per record.
  const cores = cpu / e2eSeconds;
  const cpuPerRecord = (cpu / records) * 1e6;
  return { app, config, e2e, startup, rssBefore, peakRss, batches, batchRecords, cores, cpuPerRecord };
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
  const { app, config, e2e, startup, rssBefore, peakRss, batches, batchRecords, cores, cpuPerRecord } = await endToEnd(brokers, run, data.records);

  const ch = app.get(ClickHouseAdapter);
  const stored_ = await storedBytes(ch);

  // The same rows rebuilt in-process, batch by batch as the consumer does (so the heap holds one
  // batch, not the whole run): decode + enrich + attribute, then encoding (the flows rows and the
  // small tables' new values, as the repository builds them), each timed on its own.
  const decoder = new RecordDecoder({ format: 'auto', maxMessageBytes: config.ingest.maxMessageBytes });
  const attribution = app.get(AttributionService, { strict: false });
  const shared = new SharedValues();
  const tsvShared = new SharedValues();
  // The flows rows as the repository writes them (Native), and as TabSeparated for comparison.
  const encoded: Array<{ table: string; columns: readonly string[]; format: InsertFormat; body: Buffer }> = [];
  const tsvFlows: Buffer[] = [];
  const messagesPerBatch = 7_500 / LINES_PER_MESSAGE;
  let attributeTime = 0n;
  let encodeTime = 0n;
  let tsvEncodeTime = 0n;
  let rowCount = 0;
  for (let m0 = 0; m0 < data.flows.length; m0 += messagesPerBatch) {
    const t1 = process.hrtime.bigint();
    const rows: AttributedFlow[] = [];
    data.flows.slice(m0, m0 + messagesPerBatch).forEach((m, i) =>
      decoder.decode(m.value as Buffer).records.forEach((r, index) => rows.push(attribution.attribute(r, { format: 'flowscope', topic: 'bench', partition: 0, offset: String(m0 + i), index }))),
    );
    const t2 = process.hrtime.bigint();
    const values = shared.batch();
    const body = encodeFlowBlock(rows, values, '');
    for (const table of Object.keys(SHARED_TABLES) as SharedTable[]) {
      if (values.lines[table].length > 0) encoded.push({ table, columns: SHARED_TABLES[table], format: 'TabSeparated', body: Buffer.from(`${values.lines[table].join('\n')}\n`) });
    }
    values.stored();
    encoded.push({ table: 'flows', columns: FLOW_COLUMNS, format: 'Native', body });
    const t3 = process.hrtime.bigint();
    const tsvValues = tsvShared.batch();
    const lines = rows.map((r) => encodeFlowRow(r, tsvValues, ''));
    tsvValues.stored();
    tsvFlows.push(Buffer.from(`${lines.join('\n')}\n`));
    tsvEncodeTime += process.hrtime.bigint() - t3;
    encodeTime += t3 - t2;
    attributeTime += t2 - t1;
    rowCount += rows.length;
  }
  const cpu = rowCount / (Number(attributeTime) / 1e9);
  const encodeRate = rowCount / (Number(encodeTime) / 1e9);
  const tsvEncodeRate = rowCount / (Number(tsvEncodeTime) / 1e9);
  const rowBytes = encoded.filter((e) => e.table === 'flows').reduce((n, e) => n + e.body.length, 0) / rowCount;
  const tsvRowBytes = tsvFlows.reduce((n, b) => n + b.length, 0) / rowCount;
  const batch = messagesPerBatch * LINES_PER_MESSAGE;

  // Insert ceiling: the same bytes, in the format ingest writes (Native for flows, the fastest the
  // engine takes, see bench/insert-formats.ts) with ingest's settings, through the adapter's door
  // for it into the same flows table, views and all (the rows carry another topic name, so nothing
  // is deduplicated; each insert has a token of its own, as ingest's do).
  // The same rows as TabSeparated for comparison, batch by batch in turn with them, so that both
  // meet the same merges in the background.
  let ceilingTime = 0n;
  let ceilingCpu = 0;
  let tsvTime = 0n;
  let flowsBatch = 0;
  for (const [i, e] of encoded.entries()) {
    const t3 = process.hrtime.bigint();
    const c3 = process.cpuUsage();
    await ch.insertBytes(e.table, e.columns, e.format, e.body, `ceiling-${i}`, e.table === 'flows' ? FLOWS_INSERT_SETTINGS : {});
    ceilingTime += process.hrtime.bigint() - t3;
    ceilingCpu += cpuSeconds(c3);
    if (e.table !== 'flows') continue;
    const t5 = process.hrtime.bigint();
    await ch.insertBytes('flows', FLOW_COLUMNS, 'TabSeparated', tsvFlows[flowsBatch++], `ceiling-tsv-${i}`);
    tsvTime += process.hrtime.bigint() - t5;
  }
  const insertCeiling = rowCount / (Number(ceilingTime) / 1e9);
  const tsvInsert = rowCount / (Number(tsvTime) / 1e9);
  // And into a copy without the views, to show what they cost.
  await ch.command('CREATE TABLE flows_insert_bench AS flows');
  const t4 = process.hrtime.bigint();
  for (const [i, e] of encoded.entries()) if (e.table === 'flows') await ch.insertBytes('flows_insert_bench', e.columns, e.format, e.body, `bare-${i}`, FLOWS_INSERT_SETTINGS);
  const bareInsert = rowCount / seconds(t4);
  await app.close();

  // The large cluster (10,000 pods) with pod churn: inventory changes land between the flows, and
  // each record is attributed as of its own time, so attribution meets a new inventory state about
  // every 1,000 records (each churn is a pod deleted, one started with its IP, and a replacement).
  // First the same large cluster without churn: the churn's own cost is the difference between the
  // two, apart from what the larger cluster (bigger inventory, more endpoints per batch) costs.
  const steadyRun = `${run}.large`;
  const steady = dataset('large', 0);
  await publish(kafka, steadyRun, steady);
  const unchurned = await endToEnd(brokers, steadyRun, steady.records);
  await unchurned.app.close();
  const churnRun = `${run}.churn`;
  const churning = dataset('large', CHURN_EVERY_CONNECTIONS);
  const initial = steady.inventory.length;
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
      ceiling: { name: consumeCeiling <= insertCeiling ? 'raw kafkajs consume' : 'chDB insert of the same rows, pre-encoded as Native', value: lower },
      notes: `start-up (group join, inventory) ${startup.toFixed(1)} s not included; the process used ${cores.toFixed(2)} cores (${cpuPerRecord.toFixed(1)} µs CPU per record, broker not counted); ${batches} batches of ${Math.round(batchRecords).toLocaleString('en-US')} records on average; RSS ${Math.round(rssBefore / 2 ** 20)} -> peak ${Math.round(peakRss / 2 ** 20)} MiB`,
    },
    { name: 'raw kafkajs consume, same messages', value: consumeCeiling, unit: 'events/s' },
    {
      name: 'chDB insert, same rows pre-encoded as Native, into flows with its views in parallel (+ small tables)',
      value: insertCeiling,
      unit: 'rows/s',
      notes: `${Math.round(rowBytes)} B/row as Native, ${batch.toLocaleString('en-US')} rows per insert; the engine used ${(ceilingCpu / (Number(ceilingTime) / 1e9)).toFixed(2)} cores (${((ceilingCpu / rowCount) * 1e6).toFixed(1)} µs CPU per row)`,
    },
    {
      name: 'chDB raw insert, same rows pre-encoded as TSV, into flows with its views',
      value: tsvInsert,
      unit: 'rows/s',
      notes: `${Math.round(tsvRowBytes)} B/row as TSV`,
    },
    { name: 'chDB insert, same rows pre-encoded as Native, into a copy of flows without views', value: bareInsert, unit: 'rows/s' },
    { name: 'decode + enrich + attribute, in-process (CPU only)', value: cpu, unit: 'events/s' },
    { name: 'Native encoding of the same rows (flows + small tables), in-process (CPU only)', value: encodeRate, unit: 'rows/s' },
    { name: 'TSV encoding of the same rows (flows + small tables), in-process (CPU only)', value: tsvEncodeRate, unit: 'rows/s' },
    { name: 'bytes stored per flow (flows table, compressed, after end-to-end)', value: stored_.flows / data.records, unit: 'B/flow' },
    {
      name: 'bytes stored per flow (flows + small tables + details)',
      value: stored_.all / data.records,
      unit: 'B/flow',
      notes: `small tables ${(stored_.shared / 1024).toFixed(0)} KiB in all`,
    },
    {
      name: `end-to-end ingest, large cluster without churn (${steady.records.toLocaleString('en-US')} records)`,
      value: unchurned.e2e,
      unit: 'events/s',
      notes: `10,000 pods, the inventory loaded before the flows and unchanged; start-up ${unchurned.startup.toFixed(1)} s not included; peak RSS ${Math.round(unchurned.peakRss / 2 ** 20)} MiB`,
    },
    {
      name: `end-to-end ingest, large cluster with pod churn (${churning.records.toLocaleString('en-US')} records)`,
      value: churned.e2e,
      unit: 'events/s',
      notes: `pod churn every ${CHURN_EVERY_CONNECTIONS} connections: ${changes} inventory changes among the records (one per ${Math.round(churning.records / Math.max(1, changes)).toLocaleString('en-US')} records); ${(churned.e2e / unchurned.e2e).toFixed(2)} of the rate of the same cluster without churn in this run; start-up ${churned.startup.toFixed(1)} s not included; peak RSS ${Math.round(churned.peakRss / 2 ** 20)} MiB`,
    },
  ];
}

/** Compressed bytes of the active parts: flows, the small tables, flows + small tables + details. */
async function storedBytes(ch: ClickHouseAdapter): Promise<{ flows: number; shared: number; all: number }> {
  const rows = await ch.query<{ table: string; bytes: string | number }>(
    `SELECT table, sum(data_compressed_bytes) AS bytes FROM system.parts
     WHERE active AND database = currentDatabase() AND table IN ('flows', 'label_sets', 'rule_texts', 'reported_traces', 'flow_details')
     GROUP BY table`,
  );
  const of = (t: string) => Number(rows.find((r) => r.table === t)?.bytes ?? 0);
  const shared = of('label_sets') + of('rule_texts') + of('reported_traces');
  return { flows: of('flows'), shared, all: of('flows') + shared + of('flow_details') };
}

if (require.main === module) {
  runIngestBench().then((rows) => console.table(rows), (e) => {
    console.error(e);
    process.exit(1);
  });
}
