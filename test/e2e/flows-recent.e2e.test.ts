import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AttributionService } from '../../src/attribution/attribution.service';
import { Clock } from '../../src/clock/clock';
import { reportedEndpoint } from '../../src/flows/flow-record';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { ROW_ID } from '../../src/storage/flow-filter';
import { FlowRepository, FlowSearch } from '../../src/storage/flow.repository';
import { MigrationRunner } from '../../src/storage/migration.runner';
import { flowRecord, seedFlows } from '../support/flow-seed';
import { tempDir } from '../support/temp-dir';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const M = 60_000;
const H = 3_600_000;
/** How long after its start a stored flow is copied (migrations/0025_flows_recent_day.sql). */
const REACH = 24 * H;
const MIGRATIONS = join(__dirname, '..', '..', '..', 'migrations');

/** Row ids of flows in [from, to) with `where`, newest first (the search order), read from `table` with no planning. */
async function idsIn(clickhouse: ClickHouseAdapter, table: string, from: number, to: number, where = '1'): Promise<string[]> {
  const rows = await clickhouse.query<{ id: string }>(
    `SELECT ${ROW_ID} AS id FROM ${table}
     WHERE start_time >= fromUnixTimestamp64Milli({from:Int64}) AND start_time < fromUnixTimestamp64Milli({to:Int64}) AND ${where}
     ORDER BY start_time DESC, source_topic DESC, source_partition DESC, source_offset DESC, source_index DESC, source_incarnation DESC`,
    { from, to },
  );
  return rows.map((r) => r.id);
}

describe('the time-sorted copy of the newest flows', () => {
  let t: TestApp;
  let repo: FlowRepository;
  let clickhouse: ClickHouseAdapter;
  const statements: string[] = [];
  /** The time range each statement read (its `from` and `to` parameters), in the order of `statements`. */
  const ranges: Array<{ from?: number; to?: number }> = [];
  /** The flows are placed around the moment the test runs: the copy keeps what started within a day of being stored. */
  const now = Date.now();
  const from = now - REACH - 2 * H;
  const to = now + M;

  before(async () => {
    t = await startTestApp(testConfig());
    repo = t.app.get(FlowRepository);
    clickhouse = t.app.get(ClickHouseAdapter);
    // 150 flows over the last 50 minutes (every fourth denied, three source namespaces), and 60
    // that started between a day and an hour and a day and a minute ago.
    const recent = Array.from({ length: 150 }, (_, i) =>
      flowRecord(now - 50 * M + i * 12_000, { action: i % 4 === 0 ? 'deny' : 'allow', src: reportedEndpoint({ namespace: ['shop', 'db', 'edge'][i % 3], name: `r-${i}` }) }));
    const old = Array.from({ length: 60 }, (_, i) => flowRecord(now - REACH - H + i * M, { src: reportedEndpoint({ namespace: 'shop', name: `o-${i}` }) }));
    await seedFlows(t.app, old);
    for (let i = 0; i < recent.length; i += 50) await seedFlows(t.app, recent.slice(i, i + 50));
    const query = clickhouse.query.bind(clickhouse);
    clickhouse.query = ((...args: Parameters<ClickHouseAdapter['query']>) => {
      statements.push(args[0]);
      ranges.push({ from: args[1]?.from as number | undefined, to: args[1]?.to as number | undefined });
      return query(...args);
    }) as ClickHouseAdapter['query'];
  });
  after(async () => t?.close());

  const flowsReads = () => statements.filter((s) => /FROM flows\s/.test(s)).length;
  const recentReads = () => statements.filter((s) => /FROM flows_recent\s/.test(s)).length;

  /** Every page of a search, following the cursor. */
  async function pages(search: Omit<FlowSearch, 'limit' | 'before'>, limit: number): Promise<string[]> {
    const ids: string[] = [];
    let before: FlowSearch['before'];
    for (let n = 0; n < 100; n++) {
      const page = await repo.search({ ...search, limit, before });
      ids.push(...page.items.map((f) => f.id));
      before = page.next;
      if (!before) break;
    }
    return ids;
  }

  it('holds every flow that started within a day of being stored, and no older one', async () => {
    const all = await idsIn(clickhouse, 'flows', from, to);
    assert.equal(all.length, 210);
    assert.deepEqual(await idsIn(clickhouse, 'flows_recent', from, to), await idsIn(clickhouse, 'flows', now - REACH, to));
    assert.equal((await idsIn(clickhouse, 'flows_recent', from, to)).length, 150);
  });

  it('has the columns a search page reads, with the types of flows, and the same values for a row', async () => {
    const columns = (table: string) =>
      clickhouse.query<{ name: string; type: string }>('SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {table:String} ORDER BY name', { table });
    const copied = await columns('flows_recent');
    const types = new Map((await columns('flows')).map((c) => [c.name, c.type]));
    assert.ok(copied.length >= 50);
    for (const c of copied) assert.equal(types.get(c.name), c.type, c.name);
    const names = copied.map((c) => c.name).join(', ');
    const [id] = await idsIn(clickhouse, 'flows', from, to);
    const row = (table: string) => clickhouse.query(`SELECT ${names} FROM ${table} WHERE ${ROW_ID} = {id:String}`, { id });
    const stored = await row('flows');
    assert.equal(stored.length, 1);
    assert.deepEqual(await row('flows_recent'), stored);
    const [{ q }] = await clickhouse.query<{ q: string }>("SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'flows_recent'");
    assert.match(q, /TTL toDateTime\(start_time\) \+ toIntervalHour\(25\)/, 'an hour of flows is dropped a day after it ends');
  });

  it('serves the newest pages from the copy, in the order flows gives, and older pages from flows', async () => {
    statements.length = 0;
    const first = await repo.search({ from: new Date(from), to: new Date(to), scope: null, limit: 25 });
    assert.equal(recentReads(), 1);
    assert.equal(flowsReads(), 0, 'the page in reach of the copy reads no flows');
    assert.equal(statements.filter((s) => /flow_decisions_1m/.test(s)).length, 0, 'a page of every flow asks no counts when the copy fills it');
    assert.deepEqual(first.items.map((f) => f.id), (await idsIn(clickhouse, 'flows', from, to)).slice(0, 25));
    statements.length = 0;
    const ids = await pages({ from: new Date(from), to: new Date(to), scope: null }, 25);
    assert.deepEqual(
      [recentReads(), flowsReads()],
      [9, 4],
      'five full pages of the last hour came from the copy; the rest (25 of those and the 60 older flows, three pages and the end) from flows, after the copy came back short for the two pages whose cursor it still reaches (asked for the hour before the cursor, then for the range)',
    );
    assert.deepEqual(ids, await idsIn(clickhouse, 'flows', from, to));
    // The same over HTTP, as the console asks for it.
    const res = await t.http().get('/api/v1/flows').query({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), limit: 10 });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.items.map((f: { id: string }) => f.id), (await idsIn(clickhouse, 'flows', from, to)).slice(0, 10));
  });

  it('serves a filtered page from the copy when the counts place it in reach, and scopes it', async () => {
    statements.length = 0;
    const denied = await pages({ from: new Date(from), to: new Date(to), scope: null, action: 'deny' }, 10);
    assert.deepEqual(denied, await idsIn(clickhouse, 'flows', from, to, "action = 'deny'"));
    assert.ok(recentReads() >= 1);
    const scoped = await pages({ from: new Date(from), to: new Date(to), scope: ['edge'] }, 10);
    assert.deepEqual(scoped, await idsIn(clickhouse, 'flows', from, to, "(src_namespace = 'edge' OR dst_namespace = 'edge')"));
  });

  it('reads a page older than the copy reaches from flows alone', async () => {
    statements.length = 0;
    const page = await repo.search({ from: new Date(from), to: new Date(now - REACH), scope: null, limit: 20 });
    assert.equal(recentReads(), 0);
    assert.deepEqual(page.items.map((f) => f.id), (await idsIn(clickhouse, 'flows', from, now - REACH)).slice(0, 20));
  });

  it('stores a retried batch once in the copy too', async () => {
    const attribution = t.app.get(AttributionService, { strict: false });
    const rows = Array.from({ length: 20 }, (_, i) =>
      attribution.attribute(flowRecord(now - 5 * M + i * 1_000), { format: 'flowscope', topic: 'retried', partition: 0, offset: String(i), index: 0 }));
    await repo.insert(rows, 'retried:0:0-19');
    await repo.insert(rows, 'retried:0:0-19');
    const [{ n }] = await clickhouse.query<{ n: number }>("SELECT count() AS n FROM flows_recent WHERE source_topic = 'retried'");
    assert.equal(Number(n), 20);
  });

  it('reads only what the copy is sure to hold, by the engine\'s clock, whatever the service\'s clock says', async () => {
    // Ten minutes of flows from a day and half an hour ago, four a minute, stored now: too old to be
    // copied. They (and the older flows of those minutes) are put in the copy by hand, all but the
    // second newest, as if copied when they were recent. A service whose clock runs two hours late
    // takes their page for one within the copy's reach: the copy, full but missing a row, must not
    // answer it.
    const base = Math.floor((now - REACH - 30 * M) / M) * M;
    await seedFlows(t.app, Array.from({ length: 40 }, (_, i) => flowRecord(base + Math.floor(i / 4) * M + (i % 4) * 1_000)), 'late');
    const range = { from: new Date(base), to: new Date(base + 10 * M) };
    const expected = await idsIn(clickhouse, 'flows', range.from.getTime(), range.to.getTime());
    assert.ok(expected.length > 11);
    const names = (await clickhouse.query<{ name: string }>("SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'flows_recent'")).map((c) => c.name).join(', ');
    await clickhouse.command(
      `INSERT INTO flows_recent (${names}) SELECT ${names} FROM flows
       WHERE start_time >= fromUnixTimestamp64Milli({from:Int64}) AND start_time < fromUnixTimestamp64Milli({to:Int64}) AND ${ROW_ID} != {missing:String}`,
      { from: range.from.getTime(), to: range.to.getTime(), missing: expected[1] },
    );
    const late = new FlowRepository(clickhouse, { now: () => new Date(now - 2 * H) } as Clock);
    statements.length = 0;
    const page = await late.search({ ...range, scope: null, limit: 10 });
    assert.equal(recentReads(), 1, 'the copy was asked');
    assert.equal(flowsReads(), 1, 'and flows answered');
    assert.deepEqual(page.items.map((f) => f.id), expected.slice(0, 10));
  });

  it('still returns the page from flows when the copy misses rows it should hold', async () => {
    await clickhouse.command('TRUNCATE TABLE flows_recent');
    statements.length = 0;
    ranges.length = 0;
    const page = await repo.search({ from: new Date(from), to: new Date(to), scope: null, limit: 25 });
    assert.equal(recentReads(), 2, 'the copy was asked for the last hour, then for the rest of the range, and came back short');
    const copyRanges = ranges.filter((_, i) => /FROM flows_recent\s/.test(statements[i]));
    assert.deepEqual(copyRanges, [{ from: to - H, to }, { from, to: to - H }], 'the rest of the range, without the hour read first');
    assert.equal(flowsReads(), 1, 'and flows answered');
    assert.deepEqual(page.items.map((f) => f.id), (await idsIn(clickhouse, 'flows', from, to)).slice(0, 25));
  });
});

// The versions before this one: the copy not there yet (up to 0022), the copy holding two hours (up to 0024).
for (const last of [22, 24]) {
  describe(`the time-sorted copy on a data directory that already holds flows (migrations up to ${last})`, () => {
    const clickhouse = new ClickHouseAdapter(testConfig());
    const runner = new MigrationRunner(clickhouse, new Clock());
    const now = Date.now();
    const columns = ['start_time', 'action', 'src_namespace', 'dst_namespace', 'source_topic', 'source_partition', 'source_offset'];
    const line = (ms: number, i: number) => [new Date(ms).toISOString().replace('T', ' ').replace('Z', ''), 'allow', 'shop', 'db', 'upgrade', 0, i].join('\t');
    const count = async () => Number((await clickhouse.query<{ n: number }>('SELECT count() AS n FROM flows_recent'))[0].n);

    before(async () => {
      // A data directory as an earlier version left it, and flows stored by it.
      const earlier = tempDir('flowscope-migrations-');
      mkdirSync(earlier, { recursive: true });
      for (const f of readdirSync(MIGRATIONS).filter((f) => /^\d{4}_.*\.sql$/.test(f) && Number(f.slice(0, 4)) <= last)) copyFileSync(join(MIGRATIONS, f), join(earlier, f));
      await clickhouse.connect();
      await runner.run(earlier);
      // 30 flows of the last hour, 30 from five hours ago and 30 from thirty hours ago.
      const lines = [now - 60 * M, now - 5 * H, now - 30 * H].flatMap((start, n) => Array.from({ length: 30 }, (_, i) => line(start + i * M, 30 * n + i)));
      await clickhouse.insertTsv('flows', columns, lines, 'upgrade:0');
      if (last >= 23) assert.equal(await count(), 30, 'the earlier copy took the last two hours');
    });
    after(() => clickhouse.onApplicationShutdown());

    it('copies the flows of the last day on the first start, then every new one', async () => {
      await runner.run(MIGRATIONS);
      assert.equal(await count(), 60);
      await clickhouse.insertTsv('flows', columns, [line(now - 10_000, 90), line(now - 23 * H, 91), line(now - 25 * H, 92)], 'upgrade:1');
      assert.equal(await count(), 62, 'a flow stored within a day of its start is copied, one stored later is not');
      // Running the migrations again (a restart) applies nothing and copies nothing twice.
      assert.equal(await runner.run(MIGRATIONS), 0);
      assert.equal(await count(), 62);
      const [{ q }] = await clickhouse.query<{ q: string }>("SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = 'flows_recent'");
      assert.match(q, /TTL toDateTime\(start_time\) \+ toIntervalHour\(25\)/);
    });
  });
}
