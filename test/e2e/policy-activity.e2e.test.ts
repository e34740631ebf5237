import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FlowRecord } from '../../src/flows/flow-record';
import { flowRecord, seedFlows } from '../support/flow-seed';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', name), 'utf8');
const BASE = Date.parse('2026-11-26T06:00:00Z');
const window = { from: '2026-11-26T05:00:00Z', to: '2026-11-26T07:00:00Z' };
const WEB = '10.244.1.5';
const PG = '10.244.2.7';

interface Rule { direction: string; ruleIndex: number; hits: number; pendingHits: number; logHits: number; byAction: Record<string, number>; rule: { action: string } | null; firstSeen: string | null; lastSeen: string | null }

describe('per-policy activity (embedded ClickHouse)', () => {
  let t: TestApp;
  const activity = (key: string, q: object = {}) => t.http().get(`/api/v1/policies/${encodeURIComponent(key)}/activity`).query({ ...window, ...q });
  const rule = (rules: Rule[], direction: string, ruleIndex: number) => rules.find((r) => r.direction === direction && r.ruleIndex === ruleIndex)!;

  before(async () => {
    t = await startTestApp(testConfig());
    for (const f of ['shop-cluster.yaml', 'shop-pg-policy.yaml']) {
      await t.http().post('/api/v1/inventory').query({ validFrom: '2026-11-26T00:00:00Z' }).set('content-type', 'application/yaml').send(fixture(f)).expect(200);
    }
    // Computed traces (no reported hits): web -> pg on 5432 seen at both ends, and denied SSH; two log
    // events name the Log rule that matched (flowscope's format reports it as a `log` hit).
    const flows: FlowRecord[] = [
      ...Array.from({ length: 6 }, (_, i) => flowRecord(BASE + i * 1000, { srcIp: WEB, dstIp: PG, dstPort: 5432, reporter: 'dst' })),
      ...Array.from({ length: 4 }, (_, i) => flowRecord(BASE + 10_000 + i * 1000, { srcIp: WEB, dstIp: PG, dstPort: 5432, reporter: 'src' })),
      ...Array.from({ length: 3 }, (_, i) => flowRecord(BASE + 20_000 + i * 1000, { srcIp: WEB, dstIp: PG, dstPort: 22, reporter: 'dst', action: 'deny' })),
      ...Array.from({ length: 2 }, (_, i) => flowRecord(BASE + 30_000 + i * 1000, { srcIp: WEB, dstIp: PG, dstPort: 22, reporter: 'dst', action: 'log', enforcedHits: ['0|security|gnp:security.baseline|log|0'] })),
    ];
    await seedFlows(t.app, flows);
  });
  after(async () => t?.close());

  it('counts hits per rule and direction, lists unused rules, and first / last seen', async () => {
    const res = await activity('GlobalNetworkPolicy//security.baseline').expect(200);
    const a = res.body;
    assert.equal(a.known, true);
    assert.equal(a.staged, false);
    assert.equal(a.tier, 'security');
    assert.deepEqual(a.range, { from: window.from.replace('Z', '.000Z'), to: window.to.replace('Z', '.000Z'), roundedToMinutes: true });
    const rules = a.rules as Rule[];
    // Every rule of the policy is listed, rule numbers per direction.
    assert.deepEqual(rules.filter((r) => r.ruleIndex >= 0).map((r) => `${r.direction}/${r.ruleIndex}/${r.rule?.action}`), ['ingress/0/Log', 'ingress/1/Deny', 'ingress/2/Pass', 'egress/0/Deny', 'egress/1/Pass']);
    assert.equal(rule(rules, 'ingress', 2).hits, 6, 'ingress Pass for the six 5432 flows at pg');
    assert.deepEqual(rule(rules, 'ingress', 2).byAction, { pass: 6 });
    assert.equal(rule(rules, 'egress', 1).hits, 4, 'egress Pass for the four at web');
    assert.equal(rule(rules, 'ingress', 1).hits, 5, 'SSH denied: the three deny records, and the two log events whose (computed) traces go on to the Deny');
    assert.equal(rule(rules, 'egress', 0).hits, 0, 'the reputation rule is unused');
    assert.equal(rule(rules, 'egress', 0).firstSeen, null);
    assert.equal(rule(rules, 'ingress', 2).firstSeen, '2026-11-26T06:00:00.000Z');
    assert.equal(rule(rules, 'ingress', 2).lastSeen, '2026-11-26T06:00:05.000Z');
    assert.equal(rule(rules, 'ingress', 0).logHits, 2, 'the Log rule\'s matches are counted');
    assert.equal(rule(rules, 'ingress', 0).lastSeen, '2026-11-26T06:00:31.000Z');
    assert.deepEqual(a.topPeers[0], { srcNamespace: 'shop', src: 'web-1', dstNamespace: 'db', dst: 'pg-0', records: 15, flows: 15, lastSeen: '2026-11-26T06:00:31.000Z' });
  });

  it('counts a staged policy\'s hits from the pending evaluation', async () => {
    const a = (await activity('StagedGlobalNetworkPolicy//security.lockdown-web').expect(200)).body;
    assert.equal(a.staged, true);
    const egress0 = rule(a.rules, 'egress', 0);
    assert.equal(egress0.hits, 0, 'staged: not in the enforced trace');
    assert.equal(egress0.pendingHits, 4, 'would deny the four flows web reported');
  });

  it('/stats/hits counts staged policies\' and Log rules\' hits apart, as the activity does', async () => {
    type Group = { key: { tier: string; policy: string; rule: number }; hits: number; pendingHits: number; logHits: number; flows: number };
    const res = await t.http().get('/api/v1/stats/hits').query(window).expect(200);
    const groups = res.body.groups as Group[];
    const group = (policy: string, ruleIndex: number) => groups.filter((g) => g.key.policy === policy && g.key.rule === ruleIndex);
    const [staged] = group('StagedGlobalNetworkPolicy//security.lockdown-web', 0);
    assert.deepEqual({ ...staged, key: staged.key.tier }, { key: '', hits: 0, pendingHits: 4, logHits: 0, flows: 0 }, 'staged: the pending evaluation, no tier');
    const baseline = 'GlobalNetworkPolicy//security.baseline';
    const log = group(baseline, 0);
    assert.deepEqual(log.map((g) => [g.key.tier, g.hits, g.pendingHits, g.logHits]), [['security', 0, 0, 2]], 'the Log rule\'s two matches');
    const a = (await activity(baseline).expect(200)).body;
    const sum = (k: 'hits' | 'pendingHits' | 'logHits') => (a.rules as Rule[]).reduce((n, r) => n + r[k], 0);
    const bySum = (k: 'hits' | 'pendingHits' | 'logHits') => groups.filter((g) => g.key.policy === baseline).reduce((n, g) => n + g[k], 0);
    assert.deepEqual([bySum('hits'), bySum('pendingHits'), bySum('logHits')], [sum('hits'), sum('pendingHits'), sum('logHits')], 'the same counts as the policy\'s activity');
    for (let i = 1; i < groups.length; i++) {
      const total = (g: Group) => g.hits + g.pendingHits + g.logHits;
      assert.ok(total(groups[i - 1]) >= total(groups[i]), 'largest total first');
    }
    const byKind = await t.http().get('/api/v1/stats/hits').query({ ...window, groupBy: 'action', policy: 'StagedGlobalNetworkPolicy//security.lockdown-web' }).expect(200);
    assert.deepEqual(byKind.body.groups.map((g: Group) => [g.key, g.pendingHits]), [[{ action: 'deny' }, 4]], 'the verdict the staged rule would give');
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    assert.match(JSON.stringify(doc.components.schemas.HitGroupDto.properties.pendingHits), /staged/);
    assert.match(JSON.stringify(doc.components.schemas.HitGroupDto.properties.logHits), /Log rule/);
  });

  it('limits a window, and answers bad input with 400 naming the field', async () => {
    const a = (await activity('GlobalNetworkPolicy//security.baseline', { from: '2026-11-26T06:00:10Z', to: '2026-11-26T06:00:15Z' }).expect(200)).body;
    assert.equal(rule(a.rules, 'ingress', 2).hits, 6, 'whole minutes: the range widened, as the response says');
    assert.equal(a.range.roundedToMinutes, true);
    const unknown = (await activity('GlobalNetworkPolicy//nope').expect(200)).body;
    assert.equal(unknown.known, false);
    assert.deepEqual(unknown.rules, []);
    const key = await t.http().get('/api/v1/policies/no-slashes/activity').expect(400);
    assert.deepEqual(key.body.details.map((d: { field: string }) => d.field), ['key']);
    const top = await activity('GlobalNetworkPolicy//security.baseline', { topPeers: 0 }).expect(400);
    assert.deepEqual(top.body.details.map((d: { field: string }) => d.field), ['topPeers']);
    const from = await activity('GlobalNetworkPolicy//security.baseline', { from: 'soon' }).expect(400);
    assert.deepEqual(from.body.details.map((d: { field: string }) => d.field), ['from']);
  });
});
