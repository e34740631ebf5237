import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, TestApp } from '../support/test-app';
import { testConfig } from '../support/test-config';
import { loadSuggestScenario, PROTECT_TOOL, TIGHTENED, tightenEvidence, WINDOW } from '../support/suggest-scenario';

describe('GET /api/v1/suggestions over a scenario ingested through the real path', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(testConfig());
    await loadSuggestScenario(t);
  });
  after(async () => t?.close());

  it('tightens the over-broad rule to the peers (stable labels, namespaces) and ports it used, proven by replay', async () => {
    const res = await t.http().get('/api/v1/suggestions').query({ ...WINDOW, kind: 'tighten-rule' }).expect(200);
    assert.equal(res.body.items.length, 1);
    const listed = res.body.items[0];
    assert.equal(listed.policy, 'NetworkPolicy/db/default.pg-access');
    assert.deepEqual([listed.replay.changed, listed.replay.allowToDenyCount, listed.replay.denyToAllowCount, listed.safe], [0, 0, 0, true]);
    assert.equal(listed.links.self, `/api/v1/suggestions/${listed.id}?from=${encodeURIComponent(WINDOW.from)}&to=${encodeURIComponent(WINDOW.to)}&kind=tighten-rule`);
    const s = (await t.http().get(listed.links.self).expect(200)).body;
    assert.deepEqual(listed.evidence, s.evidence);
    assert.equal(s.yaml.enforced, TIGHTENED, 'pod-template-hash and the version label changed mid-window are left out');
    assert.equal(s.yaml.staged, TIGHTENED.replace('kind: NetworkPolicy', 'kind: StagedNetworkPolicy').replace('spec:\n', 'spec:\n  stagedAction: Set\n'));
    assert.deepEqual(s.evidence, tightenEvidence('suggest'));
    assert.deepEqual([s.replay.changed, s.replay.allowToDeny, s.replay.denyToAllow, s.replay.partial], [0, [], [], false]);
    assert.ok(s.replay.evaluated > 0);
    assert.deepEqual(s.containment, { contained: true, problems: [] });
    assert.equal(s.safe, true);
    assert.deepEqual([s.confidence.daysWithData, s.confidence.windowDays, s.confidence.recurringShare, s.confidence.level], [7, 7, 1, 'medium']);
  });

  it('protects the unprotected workload with exactly its observed traffic, placed in the last Deny tier', async () => {
    const res = await t.http().get('/api/v1/suggestions').query({ ...WINDOW, kind: 'protect-workload' }).expect(200);
    assert.equal(res.body.items.length, 1);
    const s = res.body.items[0];
    assert.equal(s.name, 'default.observed-tool-1');
    assert.equal((await t.http().get(s.links.self).expect(200)).body.yaml.staged, PROTECT_TOOL);
    assert.deepEqual([s.placement.tier, s.placement.order], ['default', 200]);
    assert.deepEqual([s.evidence.records, s.evidence.peers, s.evidence.ports], [21, 3, ['53', '5432', '8080']]);
    assert.deepEqual([s.replay.changed, s.replay.allowToDenyCount, s.safe], [0, 0, true]);
  });

  it('lists suggestions without their resources, YAML or changed flows: those come with the suggestion itself', async () => {
    const res = await t.http().get('/api/v1/suggestions').query(WINDOW).expect(200);
    assert.equal(res.body.items.length, 2);
    for (const s of res.body.items) {
      assert.deepEqual(Object.keys(s).sort(), ['confidence', 'containment', 'evidence', 'findingId', 'id', 'kind', 'links', 'name', 'namespace', 'placement', 'policy', 'replay', 'safe', 'summary']);
      assert.deepEqual(Object.keys(s.replay).sort(), ['allowToDenyCount', 'changed', 'denyToAllowCount', 'evaluated', 'flowGroups', 'partial', 'uncertain', 'unchanged', 'unreadable']);
      const full = (await t.http().get(`/api/v1/suggestions/${s.id}`).query(WINDOW).expect(200)).body;
      assert.deepEqual([full.id, full.kind, full.summary, full.confidence, full.safe], [s.id, s.kind, s.summary, s.confidence, s.safe]);
      assert.deepEqual([full.replay.allowToDeny, full.replay.denyToAllow, full.replay.evaluated], [[], [], s.replay.evaluated]);
      assert.equal(full.resources.enforced.metadata.name, s.name);
    }
  });

  it('gives byte-identical output for the same inputs, and serves one suggestion as YAML', async () => {
    const a = await t.http().get('/api/v1/suggestions').query(WINDOW).expect(200);
    const b = await t.http().get('/api/v1/suggestions').query(WINDOW).expect(200);
    assert.equal(JSON.stringify(a.body), JSON.stringify(b.body));
    const id = a.body.items[0].id;
    const yaml = await t.http().get(`/api/v1/suggestions/${id}`).query(WINDOW).set('accept', 'application/yaml').expect(200);
    assert.match(yaml.headers['content-type'], /application\/yaml/);
    const json = await t.http().get(`/api/v1/suggestions/${id}`).query(WINDOW).expect(200);
    assert.equal(json.body.id, id);
    assert.equal(yaml.text, json.body.yaml.staged);
    const enforced = await t.http().get(`/api/v1/suggestions/${id}`).query({ ...WINDOW, form: 'enforced' }).set('accept', 'application/yaml').expect(200);
    assert.equal(enforced.text, TIGHTENED);
    const missing = await t.http().get('/api/v1/suggestions/000000000000').query(WINDOW).expect(404);
    assert.equal(missing.body.details[0].field, 'id');
  });

  it('replays the suggested YAML through simulate with no flow going from allow to deny', async () => {
    const res = await t.http().post('/api/v1/simulate').send({ ...WINDOW, manifests: `${TIGHTENED}---\n${PROTECT_TOOL}` }).expect(200);
    assert.deepEqual([res.body.changed, res.body.allowToDeny], [0, []]);
  });
});
