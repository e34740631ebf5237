import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FlowRecord } from '../../src/flows/flow-record';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { PolicyActivityRepository, RuleActivityRow } from '../../src/storage/policy-activity.repository';
import { flowRecord, seedFlows } from '../support/flow-seed';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', name), 'utf8');
const BASE = Date.parse('2026-11-26T05:00:00Z');
const MINUTE = 60_000;
const WEB = '10.244.1.5';
const PG = '10.244.2.7';
const BASELINE = 'GlobalNetworkPolicy//security.baseline';
const STAGED = 'StagedGlobalNetworkPolicy//security.lockdown-web';

interface Peer { srcNamespace: string; src: string; dstNamespace: string; dst: string; records: number; flows: number; lastSeen: string }

/**
 * The top peers as they were counted before the hourly rollup: from every stored flow of the exact
 * range that the policy decided, decided with staged policies enforced, or traced.
 */
async function peersFromFlows(ch: ClickHouseAdapter, policy: string, from: string, to: string, scope: string[] | null = null): Promise<Peer[]> {
  const rows = await ch.query<Record<string, string | number>>(
    `SELECT src_namespace, if(src_name != '', src_name, if(src_name_aggr != '', src_name_aggr, src_ip)) AS src,
            dst_namespace, if(dst_name != '', dst_name, if(dst_name_aggr != '', dst_name_aggr, dst_ip)) AS dst,
            count() AS records, sum(num_flows) AS flows, toUnixTimestamp64Milli(max(start_time)) AS last_ms
     FROM flows
     WHERE start_time >= parseDateTime64BestEffort({from:String}, 3) AND start_time < parseDateTime64BestEffort({to:String}, 3)
       AND (decision_policy = {policy:String} OR pending_decision_policy = {policy:String} OR has(trace_policies, {policy:String}))
       AND ({all:Bool} OR src_namespace IN {scope:Array(String)} OR dst_namespace IN {scope:Array(String)})
     GROUP BY src_namespace, src, dst_namespace, dst
     ORDER BY records DESC, src_namespace, src, dst_namespace, dst`,
    { policy, from, to, all: scope === null, scope: scope ?? [] },
  );
  return rows.map((r) => ({
    srcNamespace: String(r.src_namespace), src: String(r.src), dstNamespace: String(r.dst_namespace), dst: String(r.dst),
    records: Number(r.records), flows: Number(r.flows), lastSeen: new Date(Number(r.last_ms)).toISOString(),
  }));
}

/** A policy's rule hits as they were counted before the hourly rollup: from the per-minute rollup, the range widened to whole minutes. */
async function rulesFromMinutes(ch: ClickHouseAdapter, policy: string, from: string, to: string, scope: string[] | null = null): Promise<RuleActivityRow[]> {
  const rows = await ch.query<Record<string, string | number>>(
    `SELECT hit_source, reporter, rule_index, hit_action, sum(hits) AS hits, sum(flows) AS flows,
            toUnixTimestamp64Milli(min(first_seen)) AS first_ms, toUnixTimestamp64Milli(max(last_seen)) AS last_ms
     FROM policy_activity_1m
     WHERE minute >= toStartOfMinute(parseDateTime64BestEffort({from:String}, 3)) AND minute < parseDateTime64BestEffort({to:String}, 3) AND policy = {policy:String}
       AND ({all:Bool} OR src_namespace IN {scope:Array(String)} OR dst_namespace IN {scope:Array(String)})
     GROUP BY hit_source, reporter, rule_index, hit_action
     ORDER BY reporter, rule_index, hit_source, hit_action`,
    { policy, from, to, all: scope === null, scope: scope ?? [] },
  );
  return rows.map((r) => ({
    source: r.hit_source as RuleActivityRow['source'], reporter: String(r.reporter), ruleIndex: Number(r.rule_index), action: String(r.hit_action),
    hits: Number(r.hits), flows: Number(r.flows), firstSeen: Number(r.first_ms), lastSeen: Number(r.last_ms),
  }));
}

describe("a policy's activity: whole hours from the hourly rollups, the range's ends from the minutes or the flows (embedded ClickHouse)", () => {
  let t: TestApp;
  let ch: ClickHouseAdapter;
  const activity = (key: string, from: string, to: string) =>
    t.http().get(`/api/v1/policies/${encodeURIComponent(key)}/activity`).query({ from, to, topPeers: 100 }).expect(200);

  before(async () => {
    t = await startTestApp(testConfig());
    ch = t.app.get(ClickHouseAdapter);
    for (const f of ['shop-cluster.yaml', 'shop-pg-policy.yaml']) {
      await t.http().post('/api/v1/inventory').query({ validFrom: '2026-11-26T00:00:00Z' }).set('content-type', 'application/yaml').send(fixture(f)).expect(200);
    }
    // Three and a half hours of traffic, a record every 97 s so that every minute boundary and hour
    // boundary has records on both sides: web to pg (traced by the baseline, staged-decided for web's
    // egress), outside addresses to pg (named by address), and denied and logged ones; and web to an
    // outside address (another destination namespace: none), reported at web.
    const records: FlowRecord[] = [];
    for (let i = 0; i * 97_000 < 210 * MINUTE; i++) {
      const at = BASE + i * 97_000;
      const outside = `203.0.113.${i % 5}`;
      const kind = i % 5;
      records.push(
        kind === 0 ? flowRecord(at, { srcIp: WEB, dstIp: PG, dstPort: 5432, reporter: 'dst', numFlows: 1 + (i % 3) })
        : kind === 1 ? flowRecord(at, { srcIp: WEB, dstIp: PG, dstPort: 5432, reporter: 'src' })
        : kind === 2 ? flowRecord(at, { srcIp: outside, dstIp: PG, dstPort: 22, reporter: 'dst', action: 'deny', numFlows: 2 })
        : kind === 3 ? flowRecord(at, { srcIp: outside, dstIp: PG, dstPort: 22, reporter: 'dst', action: 'log', enforcedHits: ['0|security|gnp:security.baseline|log|0'] })
        : flowRecord(at, { srcIp: WEB, dstIp: '198.51.100.7', dstPort: 443, reporter: 'src' }),
      );
    }
    // Two batches, as ingest stores them; the rollup sums rows of the same hour and pair across inserts.
    await seedFlows(t.app, records.slice(0, 70));
    await seedFlows(t.app, records.slice(70));
  });
  after(async () => t?.close());

  const ranges: Array<[string, string, string]> = [
    ['whole hours only', '2026-11-26T05:00:00.000Z', '2026-11-26T09:00:00.000Z'],
    ['pieces of hours at both ends', '2026-11-26T05:17:30.500Z', '2026-11-26T08:12:10.250Z'],
    ['within one hour', '2026-11-26T06:10:00.000Z', '2026-11-26T06:50:00.000Z'],
    ['across one hour boundary, no whole hour', '2026-11-26T06:40:03.000Z', '2026-11-26T07:20:00.000Z'],
    ['a whole hour and one end', '2026-11-26T07:00:00.000Z', '2026-11-26T08:31:00.000Z'],
  ];

  for (const [name, from, to] of ranges) {
    it(`rule hits equal the per-minute rollup's: ${name}`, async () => {
      const repo = t.app.get(PolicyActivityRepository);
      for (const policy of [BASELINE, STAGED]) {
        const expected = await rulesFromMinutes(ch, policy, from, to);
        assert.ok(expected.length > 0, `the data gives ${policy} hits in the range`);
        assert.deepEqual(await repo.rules(policy, { from: new Date(from), to: new Date(to), scope: null }), expected, policy);
      }
      for (const scope of [['db'], ['shop'], ['elsewhere']]) {
        assert.deepEqual(await repo.rules(BASELINE, { from: new Date(from), to: new Date(to), scope }), await rulesFromMinutes(ch, BASELINE, from, to, scope), scope.join());
      }
    });

    it(`top peers equal the peers counted from the flows themselves: ${name}`, async () => {
      for (const policy of [BASELINE, STAGED]) {
        const expected = await peersFromFlows(ch, policy, from, to);
        assert.ok(expected.length > 0, `the data gives ${policy} peers in the range`);
        assert.deepEqual((await activity(policy, from, to)).body.topPeers, expected, policy);
      }
    });
  }

  it('top peers hold the exact range, not whole minutes or hours: a flow just outside either end is not counted', async () => {
    // The record at 05:17:47 (i = 11) is the first at or after 05:17:30.5; move the range past it by 1 ms.
    const at = new Date(BASE + 11 * 97_000).toISOString();
    const withIt = (await activity(BASELINE, at, '2026-11-26T06:00:00.000Z')).body.topPeers as Peer[];
    const without = (await activity(BASELINE, new Date(BASE + 11 * 97_000 + 1).toISOString(), '2026-11-26T06:00:00.000Z')).body.topPeers as Peer[];
    const total = (ps: Peer[]) => ps.reduce((n, p) => n + p.records, 0);
    assert.equal(total(withIt) - total(without), 1);
    const endsBefore = (await activity(BASELINE, '2026-11-26T05:00:00.000Z', at)).body.topPeers as Peer[];
    assert.equal(total(endsBefore) + total(withIt), total((await activity(BASELINE, '2026-11-26T05:00:00.000Z', '2026-11-26T06:00:00.000Z')).body.topPeers));
  });

  it('top peers of a namespace-scoped caller are the pairs involving its namespaces, as in the flows', async () => {
    const repo = t.app.get(PolicyActivityRepository);
    const sizes: number[] = [];
    for (const scope of [['db'], ['shop'], ['elsewhere']]) {
      const [from, to] = ['2026-11-26T05:17:30.500Z', '2026-11-26T08:12:10.250Z'];
      const got = await repo.topPeers(BASELINE, { from: new Date(from), to: new Date(to), scope }, 1000);
      const expected = await peersFromFlows(ch, BASELINE, from, to, scope);
      assert.deepEqual(got.map((p) => ({ ...p, lastSeen: new Date(p.lastSeen).toISOString() })), expected, scope.join());
      sizes.push(got.length);
    }
    assert.deepEqual(sizes, [2, 2, 0], 'db: web to pg, outside to pg; shop: web to pg, web to outside');
  });

  /** The statements, with their parameters, the service runs for a policy's activity over the range. */
  async function statementsOf(policy: string, from: string, to: string): Promise<Array<[string, Record<string, unknown>]>> {
    const calls: Array<[string, Record<string, unknown>]> = [];
    const query = ch.query.bind(ch);
    ch.query = (async (sql: string, params: Record<string, unknown> = {}) => {
      calls.push([sql, params]);
      return query(sql, params);
    }) as typeof ch.query;
    try {
      await activity(policy, from, to);
    } finally {
      ch.query = query;
    }
    return calls;
  }

  it('read neither flows nor the per-minute rollup for a range of whole hours', async () => {
    const statements = (await statementsOf(BASELINE, '2026-11-26T05:00:00.000Z', '2026-11-26T09:00:00.000Z')).map(([sql]) => sql);
    const peers = statements.filter((s) => s.includes('policy_peers_1h'));
    assert.equal(peers.length, 1);
    assert.doesNotMatch(peers[0], /FROM flows/);
    const rules = statements.filter((s) => s.includes('policy_activity_1h'));
    assert.equal(rules.length, 1);
    assert.doesNotMatch(rules[0], /policy_activity_1m/);
  });

  it("the range's ends find the policy's flows through the flows' policies index", async () => {
    const edges = (await statementsOf(BASELINE, '2026-11-26T05:17:30.500Z', '2026-11-26T08:12:10.250Z')).filter(([sql]) => /FROM flows WHERE/.test(sql));
    assert.equal(edges.length, 1);
    const plan = (await ch.query<{ explain: string }>(`EXPLAIN indexes = 1 ${edges[0][0]}`, edges[0][1])).map((r) => r.explain).join('\n');
    // The engine lists a skipping index only where the query names its expression.
    assert.match(plan, /Name: idx_policies/);
  });

  it('top peers are cut at topPeers, busiest first', async () => {
    const res = await t.http().get(`/api/v1/policies/${encodeURIComponent(BASELINE)}/activity`).query({ from: '2026-11-26T05:00:00Z', to: '2026-11-26T09:00:00Z', topPeers: 1 }).expect(200);
    const all = await peersFromFlows(ch, BASELINE, '2026-11-26T05:00:00Z', '2026-11-26T09:00:00Z');
    assert.ok(all.length > 1);
    assert.deepEqual(res.body.topPeers, all.slice(0, 1));
  });
});
