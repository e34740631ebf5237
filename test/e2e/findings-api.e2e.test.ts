import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FindingsService } from '../../src/suggest/findings.service';
import { SuggestionsService } from '../../src/suggest/suggestions.service';
import { startTestApp, TestApp } from '../support/test-app';
import { testConfig } from '../support/test-config';
import { BLOCK_APPLIED, briefFindings, EXPECTED_FINDINGS, loadSuggestScenario, WINDOW } from '../support/suggest-scenario';

interface Item {
  id: string;
  kind: string;
  subject: { policy: string; direction: string | null; ruleIndex: number | null } | null;
  [k: string]: unknown;
}

describe('GET /api/v1/findings over a scenario ingested through the real path', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(testConfig());
    await loadSuggestScenario(t);
  });
  after(async () => t?.close());

  it('reports unused rules and policies, a recently changed policy, the unprotected workload and the over-broad allow', async () => {
    const res = await t.http().get('/api/v1/findings').query(WINDOW).expect(200);
    assert.deepEqual(briefFindings(res.body.items), EXPECTED_FINDINGS);
    const rule0 = { policy: 'NetworkPolicy/db/default.pg-access', tier: 'default', direction: 'ingress', ruleIndex: 0 };
    assert.deepEqual(res.body.items[7].cover, { coveredBy: [rule0], action: 'Allow', coveringActions: ['Allow'] });
    assert.deepEqual(res.body.items[8].cover, { coveredBy: [rule0], action: 'Deny', coveringActions: ['Allow'] });
    const recent = res.body.items[0];
    assert.deepEqual(recent.unused, { lastHitBefore: null, versionSince: new Date(BLOCK_APPLIED).toISOString() });

    const unprotected = res.body.items[5].unprotected;
    assert.deepEqual(unprotected, {
      namespace: 'ops',
      workload: 'tool-1',
      decidedBy: ['Profile//kns.ops'],
      ingress: { records: 7, flows: 7, bytes: 10500, peers: 1, ports: ['8080'], firstSeen: '2026-11-20T05:00:00.000Z', lastSeen: '2026-11-26T05:00:00.000Z' },
      egress: { records: 7, flows: 7, bytes: 10500, peers: 1, ports: ['53'], firstSeen: '2026-11-20T04:00:00.000Z', lastSeen: '2026-11-26T04:00:00.000Z' },
    });

    const broad = res.body.items[6].overBroad;
    assert.deepEqual(broad.ports, { permitted: 1002, used: ['5432'], unusedShare: 0.999 });
    assert.deepEqual(broad.peers, { permitted: 3, seen: 2, unusedShare: 0.3333, wide: true }, 'web and tool of web, pg, tool');
    assert.equal(broad.unusedShare, 0.9993);
    assert.deepEqual([broad.traffic.records, broad.traffic.peers, broad.traffic.ports], [28, 2, ['5432']]);
  });

  it('filters by kind, namespace, tier and policy; ids stay the same', async () => {
    const all = await t.http().get('/api/v1/findings').query(WINDOW).expect(200);
    const unused = await t.http().get('/api/v1/findings').query({ ...WINDOW, kind: 'unused' }).expect(200);
    assert.equal(unused.body.items.length, 4);
    assert.deepEqual(unused.body.items.map((f: Item) => f.id), all.body.items.filter((f: Item) => f.kind === 'unused').map((f: Item) => f.id));
    const shop = await t.http().get('/api/v1/findings').query({ ...WINDOW, namespace: 'shop' }).expect(200);
    assert.deepEqual(briefFindings(shop.body.items), [['unused', 'NetworkPolicy/shop/default.web-from-lb', null, null]]);
    const security = await t.http().get('/api/v1/findings').query({ ...WINDOW, tier: 'security' }).expect(200);
    assert.deepEqual(briefFindings(security.body.items), [['changed-recently', 'GlobalNetworkPolicy//security.block-egress-range', null, null]]);
    const one = await t.http().get('/api/v1/findings').query({ ...WINDOW, policy: 'NetworkPolicy/db/default.pg-access', kind: 'over-broad' }).expect(200);
    assert.equal(one.body.items.length, 1);
  });

  it("counts an earlier window's traffic as the last hit before a later window", async () => {
    const later = { from: '2026-11-26T14:00:00.000Z', to: '2026-11-27T00:00:00.000Z' };
    const res = await t.http().get('/api/v1/findings').query({ ...later, kind: 'unused', policy: 'NetworkPolicy/db/default.pg-access' }).expect(200);
    assert.deepEqual(briefFindings(res.body.items), [['unused', 'NetworkPolicy/db/default.pg-access', null, null]]);
    assert.equal(res.body.items[0].unused.lastHitBefore, '2026-11-26T13:00:00.000Z');
  });

  it('documents the findings, suggestions and simulate endpoints in OpenAPI', async () => {
    const doc = await t.http().get('/docs-json').expect(200);
    const ref = (op: { responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }> }) => op.responses['200'].content['application/json'].schema.$ref;
    assert.match(ref(doc.body.paths['/api/v1/findings'].get), /FindingListDto$/);
    assert.match(ref(doc.body.paths['/api/v1/suggestions'].get), /SuggestionListDto$/);
    assert.match(ref(doc.body.paths['/api/v1/suggestions/{id}'].get), /SuggestionDto$/);
    assert.match(ref(doc.body.paths['/api/v1/simulate'].post), /SimulateResultDto$/);
  });

  it('applies a namespace scope where the SQL is built: a scoped caller sees its policies and workloads only', async () => {
    const findings = t.app.get(FindingsService, { strict: false });
    const suggestions = t.app.get(SuggestionsService, { strict: false });
    const window = { from: new Date(WINDOW.from), to: new Date(WINDOW.to) };
    const shop = (await findings.findings({ window }, ['shop'])).items;
    assert.deepEqual(briefFindings(shop as unknown as Item[]), [['unused', 'NetworkPolicy/shop/default.web-from-lb', null, null]], 'shop traffic to ops does not reveal the ops workload');
    const ops = (await findings.findings({ window }, ['ops'])).items;
    assert.deepEqual(briefFindings(ops as unknown as Item[]), [['unprotected', null, null, null]]);
    const db = await suggestions.suggestions({ window, cidrBudget: 0, timeLimitMs: 60_000 }, ['db']);
    assert.deepEqual(db.items.map((s) => [s.kind, s.policy, s.safe]), [['tighten-rule', 'NetworkPolicy/db/default.pg-access', true]]);
  });

  it('stops at the time limit with what it covered, marked partial', async () => {
    const full = await t.http().get('/api/v1/findings').query({ ...WINDOW, kind: 'unused,over-broad,shadowed' }).expect(200);
    assert.deepEqual([full.body.partial, full.body.covered], [false, ['unused', 'over-broad', 'shadowed']]);
    const findings = t.app.get(FindingsService, { strict: false });
    const window = { from: new Date(WINDOW.from), to: new Date(WINDOW.to) };
    const none = await findings.findings({ window, timeLimitMs: -1 });
    assert.deepEqual([none.partial, none.covered, none.items], [true, [], []], 'a limit already passed starts no analysis');
    const bad = await t.http().get('/api/v1/findings').query({ ...WINDOW, timeLimitSeconds: 601 }).expect(400);
    assert.equal(bad.body.details[0].field, 'timeLimitSeconds');
  });

  it('names the bad field', async () => {
    const bad = await t.http().get('/api/v1/findings').query({ kind: 'unused,colour' }).expect(400);
    assert.equal(bad.body.details[0].field, 'kind');
  });
});
