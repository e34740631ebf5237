import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reportedEndpoint } from '../../src/flows/flow-record';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { FlowRepository, FlowSearch } from '../../src/storage/flow.repository';
import { flowRecord, seedFlows } from '../support/flow-seed';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const M = 60_000;
const T = Date.parse('2026-11-26T06:00:00Z');
const window = { from: new Date(T - 3 * 3_600_000), to: new Date(T + 3_600_000) };

/**
 * 400 flows in three namespaces: 300 in a busy stretch of seven minutes late in the newest hour (two
 * flows, sharing their millisecond, every 2.9 s) and 100 over the quiet two hours before it.
 */
function records() {
  return Array.from({ length: 400 }, (_, i) => {
    const start = i < 300 ? T + 45 * M + Math.floor(i / 2) * 2_900 : T - 2 * 3_600_000 + (i - 300) * 73_000;
    const ns = ['shop', 'db', 'edge'][i % 3];
    return flowRecord(start, { action: i % 5 === 0 ? 'deny' : 'allow', src: reportedEndpoint({ namespace: ns, name: `s-${i}` }), dst: reportedEndpoint({ namespace: 'db', name: `d-${i % 7}` }) });
  });
}

describe('the newest-first page, read where the per-minute counts place it', () => {
  let t: TestApp;
  let repo: FlowRepository;
  let clickhouse: ClickHouseAdapter;
  /** Every stored flow in the window, newest first, read without any bound (one page holds them all). */
  let reference: Array<{ id: string; src: { namespace: string }; dst: { namespace: string } }>;
  const statements: string[] = [];
  /** The parameters of each read, in the same order. */
  const parameters: Array<Record<string, unknown>> = [];

  before(async () => {
    t = await startTestApp(testConfig());
    repo = t.app.get(FlowRepository);
    clickhouse = t.app.get(ClickHouseAdapter);
    const all = records();
    for (let i = 0; i < all.length; i += 100) await seedFlows(t.app, all.slice(i, i + 100));
    // Every read the repository sends, to see which tables a page asked.
    const query = clickhouse.query.bind(clickhouse);
    clickhouse.query = ((...args: Parameters<ClickHouseAdapter['query']>) => {
      statements.push(args[0]);
      parameters.push(args[1] ?? {});
      return query(...args);
    }) as ClickHouseAdapter['query'];
    reference = (await repo.search({ ...window, scope: null, limit: 1000 })).items;
    assert.equal(reference.length, 400);
  });
  after(async () => t?.close());

  /** Every page of a search, following the cursor; how many flows reads each page took. */
  async function pages(search: Omit<FlowSearch, 'limit' | 'before'>, limit: number) {
    const ids: string[] = [];
    const flowsReads: number[] = [];
    let before: FlowSearch['before'];
    for (let n = 0; n < 100; n++) {
      statements.length = 0;
      parameters.length = 0;
      const page = await repo.search({ ...search, limit, before });
      flowsReads.push(statements.filter((s) => /FROM flows\s/.test(s)).length);
      ids.push(...page.items.map((f) => f.id));
      before = page.next;
      if (!before) break;
    }
    return { ids, flowsReads };
  }

  it('returns exactly the unbounded order across pages, reading each busy page once after the bound', async () => {
    statements.length = 0;
    await repo.search({ ...window, scope: null, limit: 25 });
    assert.ok(statements.some((s) => s.includes('FROM flow_decisions_1m')), 'the rollup was asked for the bound');
    const { ids, flowsReads } = await pages({ ...window, scope: null }, 25);
    assert.deepEqual(ids, reference.map((f) => f.id));
    // The busy stretch holds 12 full pages: each is read once, after the bound.
    assert.deepEqual(flowsReads.slice(0, 11), Array(11).fill(1));
  });

  it('limits a scoped caller to its namespaces with the bound too', async () => {
    const { ids } = await pages({ ...window, scope: ['shop'] }, 30);
    assert.deepEqual(ids, reference.filter((f) => f.src.namespace === 'shop' || f.dst.namespace === 'shop').map((f) => f.id));
  });

  it('pages a filter the rollup can count exactly as unbounded, dense or sparse', async () => {
    const denied = (await repo.search({ ...window, scope: null, action: 'deny', limit: 1000 })).items.map((f) => f.id);
    assert.equal(denied.length, 80);
    statements.length = 0;
    await repo.search({ ...window, scope: null, action: 'deny', limit: 10 });
    assert.ok(statements.some((s) => s.includes('FROM flow_decisions_1m')), 'the minutes holding the page were counted');
    assert.equal(statements.filter((s) => /FROM flows\s/.test(s)).length, 1, 'then flows was read once, after the bound');
    assert.deepEqual((await pages({ ...window, scope: null, action: 'deny' }, 10)).ids, denied);
    // 27 flows over both the busy stretch and the quiet hours: less than a page, so the newest
    // hour is read, then the older hours that hold a match.
    const sparse = { ...window, scope: null, action: 'deny', src: { namespace: 'edge' } };
    const expected = reference.filter((f) => f.src.namespace === 'edge' && denied.includes(f.id)).map((f) => f.id);
    assert.equal(expected.length, 27);
    statements.length = 0;
    const { ids, flowsReads } = await pages(sparse, 50);
    assert.deepEqual(ids, expected);
    assert.deepEqual(flowsReads, [2]);
    assert.ok(statements.some((s) => s.includes('toStartOfHour(minute)')), 'the hours were counted');
    assert.ok(statements.some((s) => s.includes('toUnixTimestamp(toStartOfHour(start_time)) IN')), 'the older read kept to the counted hours');
    // Paged by 7, a page boundary falls in the newest hour and the cursor then leads into the older hours.
    assert.deepEqual((await pages(sparse, 7)).ids, expected);
  });

  it('reads the newest hour of a destination namespace or policy first, without asking the minutes (they lie together there)', async () => {
    statements.length = 0;
    const page = await repo.search({ ...window, scope: null, dst: { namespace: 'db' }, limit: 10 });
    assert.ok(!statements.some((s) => s.includes('toUnixTimestamp(minute)')), 'no minute counts');
    assert.equal(statements.filter((s) => /FROM flows\s/.test(s)).length, 1);
    assert.deepEqual(page.items.map((f) => f.id), reference.slice(0, 10).map((f) => f.id));
    assert.deepEqual((await pages({ ...window, scope: null, dst: { namespace: 'db' } }, 40)).ids, reference.map((f) => f.id));
  });

  it('reads no flows for a filter the rollup counts no match for', async () => {
    statements.length = 0;
    const page = await repo.search({ ...window, scope: null, namespace: 'nowhere', limit: 10 });
    assert.deepEqual(page, { items: [], next: undefined });
    assert.ok(statements.some((s) => s.includes('FROM flow_decisions_1m')));
    assert.equal(statements.filter((s) => /FROM flows\s/.test(s)).length, 0);
  });

  it('reads only the minute the counts leave out of the newest hour when they count no match in it', async () => {
    // Denied flows of shop: one at T + 45 min (the busy stretch's first), the others in the quiet
    // hours. The range ends one second after that first one: the counts cover the newest hour up to
    // T + 45 min, with no match, and leave out the minute from T + 45 min on.
    const to = T + 45 * M + 1_000;
    const filter = { from: window.from, to: new Date(to), scope: null, action: 'deny', namespace: 'shop' };
    const all = reference as unknown as Array<{ id: string; action: string; startTime: string; src: { namespace: string }; dst: { namespace: string } }>;
    const expected = all.filter((f) => f.action === 'deny' && (f.src.namespace === 'shop' || f.dst.namespace === 'shop') && Date.parse(f.startTime) < to).map((f) => f.id);
    assert.ok(expected.length > 3);
    assert.equal(Date.parse(all.find((f) => f.id === expected[0])!.startTime), T + 45 * M);
    statements.length = 0;
    parameters.length = 0;
    await repo.search({ ...filter, limit: 3 });
    const reads = statements.flatMap((s, i) => (/FROM flows\s/.test(s) ? [parameters[i]] : []));
    assert.equal(reads[0].from, T + 45 * M, 'the newest hour was read from the minute the counts left out');
    assert.deepEqual((await pages(filter, 3)).ids, expected);
  });

  it('reads a filter the counts cannot count from its newest hour first, then from the whole range', async () => {
    statements.length = 0;
    const page = await repo.search({ ...window, scope: null, dst: { port: 443 }, limit: 10 });
    assert.ok(!statements.some((s) => s.includes('flow_decisions_1m')), 'the counts were not asked');
    assert.equal(statements.filter((s) => /FROM flows\s/.test(s)).length, 1, 'the newest hour filled the page');
    assert.deepEqual(page.items.map((f) => f.id), reference.slice(0, 10).map((f) => f.id));
    assert.deepEqual((await pages({ ...window, scope: null, dst: { port: 443 } }, 25)).ids, reference.map((f) => f.id));
    // One flow, in the hour before the newest: the newest hour comes back empty, the range is read whole.
    const all = reference as unknown as Array<{ id: string; src: { name: string } }>;
    const { ids, flowsReads } = await pages({ ...window, scope: null, src: { name: 's-350' } }, 10);
    assert.deepEqual(ids, all.filter((f) => f.src.name === 's-350').map((f) => f.id));
    assert.equal(ids.length, 1);
    assert.deepEqual(flowsReads, [2]);
  });

  it('still returns every flow when the rollup counts rows flows does not hold (a short bounded read falls back)', async () => {
    // 500 records the flows table never got, in the newest minute: the bound lands on that minute,
    // the bounded read comes back short, and the page is read again over the whole range.
    await clickhouse.command(
      `INSERT INTO flow_decisions_1m (minute, decision_tier, decision_policy, decision_rule_index, decision_kind, action, reporter, src_namespace, dst_namespace, records, flows, bytes, packets, mismatches)
       VALUES (toDateTime({minute:UInt32}, 'UTC'), '', '', -1, 'no-profile', 'allow', 'dst', 'shop', 'db', 500, 500, 0, 0, 0)`,
      { minute: Math.floor((T + 59 * M) / 1000) },
    );
    const { ids, flowsReads } = await pages({ ...window, scope: null }, 25);
    assert.deepEqual(ids, reference.map((f) => f.id));
    assert.equal(flowsReads[0], 2, 'the first page was read twice: bounded (short), then whole');
  });
});
