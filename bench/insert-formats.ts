/**
 * How fast the embedded engine takes the same flows rows in each insert format, and what producing
 * them costs in JavaScript. The rows are the ingest bench's (simulated small cluster, attributed),
 * stored once through the repository, then read back per batch in each format by the engine
 * itself, so every format carries identical rows. Each batch's bytes then go through chDB's raw
 * insert into `flows` (with its views) and into a copy without views, formats taking turns.
 * No Kafka needed: FLOWSCOPE_INGEST_ENABLED=false and the inventory is applied directly.
 *
 *   npm run build:all && npm exec -- node --max-old-space-size=4096 dist/bench/insert-formats.js
 *
 * FLOWSCOPE_BENCH_FORMAT_RECORDS (default 105,000), FLOWSCOPE_BENCH_FORMAT_ROUNDS (default 5),
 * FLOWSCOPE_BENCH_FORMAT_VIEWS=1 (also each view's cost) or =only (only that).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.factory';
import { AttributedFlow } from '../src/attribution/attributed-flow';
import { AttributionService } from '../src/attribution/attribution.service';
import { loadConfig } from '../src/config/config.loader';
import { RecordDecoder } from '../src/ingest/formats/record.decoder';
import { InventoryService } from '../src/inventory/inventory.service';
import { splitManifest } from '../src/policy/model/manifest.parser';
import { parseCliOptions } from '../src/simulator/cli.options';
import { buildStream } from '../src/simulator/simulator.runner';
import { ClickHouseAdapter } from '../src/storage/clickhouse.adapter';
import { encodeFlowRow, FLOW_COLUMNS } from '../src/storage/flow-row.encoder';
import { FlowRepository, FLOWS_INSERT_SETTINGS } from '../src/storage/flow.repository';
import { SharedValues } from '../src/storage/shared-values';
import { insertFromFile, InsertSpool } from '../src/storage/binary-insert';
import { encodeFlowBlock } from '../src/storage/flow-row.native';

const RECORDS = Number(process.env.FLOWSCOPE_BENCH_FORMAT_RECORDS ?? 105_000);
const ROUNDS = Number(process.env.FLOWSCOPE_BENCH_FORMAT_ROUNDS ?? 5);
const BATCH = 7_500;
const FORMATS = ['TabSeparated', 'RowBinary', 'Native'] as const;
type Format = (typeof FORMATS)[number];
/**
 * Also measure the cost of each materialized view on the flows insert (FLOWSCOPE_BENCH_FORMAT_VIEWS=1),
 * or only that (FLOWSCOPE_BENCH_FORMAT_VIEWS=only).
 */
const VIEWS = process.env.FLOWSCOPE_BENCH_FORMAT_VIEWS === '1' || process.env.FLOWSCOPE_BENCH_FORMAT_VIEWS === 'only';
const FORMAT_ROUNDS = process.env.FLOWSCOPE_BENCH_FORMAT_VIEWS === 'only' ? 0 : ROUNDS;

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

async function main(): Promise<void> {
  const config = loadConfig({
    FLOWSCOPE_HTTP_PORT: '0',
    FLOWSCOPE_LOG_LEVEL: 'warn',
    FLOWSCOPE_DATA_DIR: mkdtempSync(join(tmpdir(), 'flowscope-formats-')),
    FLOWSCOPE_INGEST_ENABLED: 'false',
    FLOWSCOPE_RETENTION_ALLOWED_DAYS: '0',
    FLOWSCOPE_RETENTION_DENIED_DAYS: '0',
    FLOWSCOPE_AUTH: 'off',
  });
  const app = await createApp(config);
  await app.init();
  const ch = app.get(ClickHouseAdapter);
  const inventory = app.get(InventoryService);
  const attribution = app.get(AttributionService, { strict: false });
  const repo = app.get(FlowRepository);

  // The ingest bench's data: small cluster, seed 11, 20 records a message.
  const o = parseCliOptions(['--size', 'small', '--dry-run', '--lines-per-message', '20', '--seed', '11', '--churn-every', '0', '--policy-change-every', '0'], {});
  const t0 = Date.now() - 3_600_000;
  const stream = buildStream(o, t0);
  const flowMessages: string[] = [];
  const manifests: unknown[] = [];
  let records = 0;
  while (records < RECORDS) {
    for (const m of stream.pull(1000)) {
      if (m.topic === 'inventory') {
        if (m.value) manifests.push(...splitManifest(m.value));
      } else if (records < RECORDS) {
        flowMessages.push(m.value!);
        records += m.records;
      }
    }
  }
  const prepared = inventory.prepare(manifests, t0 - 3_600_000, 'bench');
  await inventory.commit(prepared.changes);

  // Attribute batch by batch (partition = batch number, so a batch reads back on its own), time
  // the TSV and Native encodings of the same rows, and store them once through the repository.
  const decoder = new RecordDecoder({ format: 'auto', maxMessageBytes: config.ingest.maxMessageBytes });
  const perBatch = BATCH / 20;
  const tsvShared = new SharedValues();
  const nativeShared = new SharedValues();
  let tsvTime = 0n;
  let nativeTime = 0n;
  let tsvBytes = 0;
  let nativeBytes = 0;
  let batches = 0;
  /** Each batch as ingest encodes it (a Native block), to insert beside the engine's own Native. */
  const ours: Buffer[] = [];
  let rows = 0;
  for (let m0 = 0; m0 < flowMessages.length; m0 += perBatch, batches++) {
    const flows: AttributedFlow[] = [];
    flowMessages.slice(m0, m0 + perBatch).forEach((m, i) =>
      decoder.decode(Buffer.from(m)).records.forEach((r, index) => flows.push(attribution.attribute(r, { format: 'flowscope', topic: 'bench', partition: batches, offset: String(m0 + i), index }))),
    );
    rows += flows.length;
    let t = process.hrtime.bigint();
    const values = tsvShared.batch();
    const body = Buffer.from(`${flows.map((f) => encodeFlowRow(f, values, '')).join('\n')}\n`);
    values.stored();
    tsvTime += process.hrtime.bigint() - t;
    tsvBytes += body.length;
    t = process.hrtime.bigint();
    const nativeValues = nativeShared.batch();
    const native = encodeFlowBlock(flows, nativeValues, '');
    nativeValues.stored();
    nativeTime += process.hrtime.bigint() - t;
    nativeBytes += native.length;
    ours.push(native);
    await repo.insert(flows, `seed-${batches}`);
  }
  console.log(`${rows} rows in ${batches} batches of up to ${BATCH}`);
  console.log(`JS encoding, flows rows (+ small tables' new values as TSV lines): TSV ${Math.round(rows / (Number(tsvTime) / 1e9))} rows/s (${Math.round(tsvBytes / rows)} B/row); Native ${Math.round(rows / (Number(nativeTime) / 1e9))} rows/s (${Math.round(nativeBytes / rows)} B/row)`);

  // The same rows in each format, produced by the engine.
  const cols = FLOW_COLUMNS.join(', ');
  const bytes: Record<Format, Buffer[]> = { TabSeparated: [], RowBinary: [], Native: [] };
  const { Session } = await import('chdb');
  const chdb = new Session(config.clickhouse.dataDir);
  await chdb.queryAsync(`USE ${config.clickhouse.database}`);
  // Native as a simple encoder would write it: LowCardinality columns as plain String (no dictionaries).
  const types = new Map((await ch.query<{ name: string; type: string }>(`SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'flows'`)).map((r) => [r.name, r.type]));
  const plainCols = FLOW_COLUMNS.map((c) => {
    const t = types.get(c)!;
    return t.includes('LowCardinality') ? `CAST(${c} AS ${t.replace(/LowCardinality\((\w+)\)/g, '$1')}) AS ${c}` : c;
  }).join(', ');
  const nativePlain: Buffer[] = [];
  for (let b = 0; b < batches; b++) {
    const where = `WHERE source_topic = 'bench' AND source_partition = ${b} ORDER BY source_offset, source_index`;
    for (const f of FORMATS) {
      const r = await chdb.queryAsync(`SELECT ${cols} FROM flows ${where}`, { format: f });
      bytes[f].push(Buffer.from(r.bytes()));
    }
    nativePlain.push(Buffer.from((await chdb.queryAsync(`SELECT ${plainCols} FROM flows ${where}`, { format: 'Native' })).bytes()));
  }
  for (const f of FORMATS) console.log(`${f}: ${Math.round(bytes[f].reduce((n, x) => n + x.length, 0) / rows)} B/row as the engine writes it`);
  console.log(`Native, LowCardinality as String: ${Math.round(nativePlain.reduce((n, x) => n + x.length, 0) / rows)} B/row`);

  await ch.command('CREATE TABLE flows_bare AS flows');
  // Parsing alone: a table that keeps nothing.
  await ch.command(`CREATE TABLE flows_null ENGINE = Null AS SELECT ${cols} FROM flows LIMIT 0`);
  // Each format through the adapter's door for it (TSV: chDB's raw insert; binary: a file the
  // engine reads), plus TSV through a file too, to tell the door's cost from the format's.
  const spool = new InsertSpool(join(config.clickhouse.dataDir, 'bench-spool'));
  const variants: Array<{ name: string; insert: (target: string, b: number, token: string) => Promise<void> }> = [
    ...FORMATS.map((f) => ({ name: f, insert: (target: string, b: number, token: string) => ch.insertBytes(target, FLOW_COLUMNS, f, bytes[f][b], token) })),
    { name: 'Native, LowCardinality as String', insert: (target: string, b: number, token: string) => ch.insertBytes(target, FLOW_COLUMNS, 'Native', nativePlain[b], token) },
    // The engine's views one after the other (its default) or each on a thread of its own.
    {
      name: 'RowBinary, views in parallel',
      insert: (target: string, b: number, token: string) => ch.insertBytes(target, FLOW_COLUMNS, 'RowBinary', bytes.RowBinary[b], token, FLOWS_INSERT_SETTINGS),
    },
    {
      name: 'Native, views in parallel',
      insert: (target: string, b: number, token: string) => ch.insertBytes(target, FLOW_COLUMNS, 'Native', bytes.Native[b], token, FLOWS_INSERT_SETTINGS),
    },
    {
      name: 'Native as ingest encodes it, views in parallel (what ingest does)',
      insert: (target: string, b: number, token: string) => ch.insertBytes(target, FLOW_COLUMNS, 'Native', ours[b], token, FLOWS_INSERT_SETTINGS),
    },
    {
      name: 'TabSeparated from a file',
      insert: (target: string, b: number, token: string) =>
        spool.with(bytes.TabSeparated[b], (file) => ch.command(insertFromFile(target, FLOW_COLUMNS, 'TabSeparated', file, { insert_deduplicate: 1, insert_deduplication_token: token }))),
    },
  ];
  const results: Record<string, number[]> = {};
  for (let round = 0; round < FORMAT_ROUNDS; round++) {
    for (const target of ['flows', 'flows_bare', 'flows_null']) {
      for (const v of variants) {
        const t = process.hrtime.bigint();
        const c = process.cpuUsage();
        for (let b = 0; b < batches; b++) await v.insert(target, b, `fmt-${round}-${target}-${v.name}-${b}`);
        const rate = rows / seconds(t);
        const used = process.cpuUsage(c);
        const cpuRate = rows / ((used.user + used.system) / 1e6);
        (results[`${target} ${v.name}`] ??= []).push(rate);
        (results[`${target} ${v.name} per CPU-second`] ??= []).push(cpuRate);
        console.log(`round ${round} ${target} ${v.name}: ${Math.round(rate)} rows/s, ${Math.round(cpuRate)} rows per CPU-second`);
      }
    }
  }
  if (VIEWS) {
    // Each view's cost: ingest's blocks into flows with every view, one after another (so each
    // view's CPU time shows on its own), then with one view detached at a time.
    const [deps] = await ch.query<{ views: string[] }>(`SELECT dependencies_table AS views FROM system.tables WHERE database = currentDatabase() AND name = 'flows'`);
    const views = [...deps.views].sort();
    const run = async (label: string, round: number) => {
      const t = process.hrtime.bigint();
      const c = process.cpuUsage();
      for (let b = 0; b < batches; b++) await ch.insertBytes('flows', FLOW_COLUMNS, 'Native', ours[b], `views-${round}-${label}-${b}`);
      const used = process.cpuUsage(c);
      const rate = rows / seconds(t);
      const cpuRate = rows / ((used.user + used.system) / 1e6);
      (results[`views: ${label}`] ??= []).push(rate);
      (results[`views: ${label} per CPU-second`] ??= []).push(cpuRate);
      console.log(`round ${round} views ${label}: ${Math.round(rate)} rows/s, ${Math.round(cpuRate)} rows per CPU-second`);
    };
    console.log(`views on flows: ${views.join(', ')}`);
    for (let round = 0; round < ROUNDS; round++) {
      await run('all', round);
      for (const v of views) {
        await ch.command(`DETACH TABLE ${v}`);
        try {
          await run(`without ${v}`, round);
        } finally {
          await ch.command(`ATTACH TABLE ${v}`);
        }
      }
      for (const v of views) await ch.command(`DETACH TABLE ${v}`);
      try {
        await run('none', round);
      } finally {
        for (const v of views) await ch.command(`ATTACH TABLE ${v}`);
      }
    }
  }
  await spool.remove();
  for (const [k, v] of Object.entries(results)) {
    const sorted = [...v].sort((a, b) => a - b);
    console.log(`${k}: best ${Math.round(sorted[sorted.length - 1])}, median ${Math.round(sorted[Math.floor(sorted.length / 2)])} (runs ${v.map((x) => Math.round(x)).join(', ')})`);
  }
  chdb.close();
  const [n] = await ch.query<{ n: string }>('SELECT count() AS n FROM flows_bare');
  console.log(`flows_bare holds ${n.n} rows (expected ${rows * ROUNDS * variants.length})`);
  const [m] = await ch.query<{ n: string }>(`SELECT count() AS n FROM flows WHERE source_topic = 'bench'`);
  console.log(`flows holds ${m.n} bench rows`);
  await app.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
