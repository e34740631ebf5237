import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, TestApp } from '../support/test-app';
import { testConfig } from '../support/test-config';
import { BLOCK_APPLIED, IP, loadSuggestScenario, RELABEL, TOO_TIGHT, WINDOW } from '../support/suggest-scenario';

describe('POST /api/v1/simulate: replay of the stored flows under a candidate change', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(testConfig());
    await loadSuggestScenario(t);
  });
  after(async () => t?.close());

  it('changes nothing when the candidate is empty', async () => {
    const res = await t.http().post('/api/v1/simulate').send({ ...WINDOW }).expect(200);
    // 5 pairs x 3 inventory states (the relabel and a new policy split the week) + the one SSH attempt
    assert.equal(res.body.flowGroups, 16);
    assert.equal(res.body.evaluated, 16);
    assert.equal(res.body.changed, 0);
    assert.equal(res.body.unchanged, 16);
    assert.equal(res.body.partial, false);
    assert.deepEqual(res.body.allowToDeny, []);
  });

  it('lists exactly the flows a too-tight candidate would break, each against the inventory of its time', async () => {
    const res = await t.http().post('/api/v1/simulate').send({ ...WINDOW, manifests: TOO_TIGHT }).expect(200);
    assert.equal(res.body.changed, 3);
    assert.deepEqual(res.body.candidate, { upserts: ['NetworkPolicy/db/default.pg-access'], deletions: [] });
    const broken = res.body.allowToDeny;
    assert.deepEqual(
      broken.map((c: { source: { name: string; ip: string }; destination: { name: string }; port: number; records: number }) => [c.source.name, c.source.ip, c.destination.name, c.port, c.records]),
      [
        ['tool-1', IP.tool, 'pg-0', 5432, 4],
        ['tool-1', IP.tool, 'pg-0', 5432, 1],
        ['tool-1', IP.tool, 'pg-0', 5432, 2],
      ],
    );
    assert.ok(broken[0].lastSeen < new Date(RELABEL).toISOString() && broken[1].firstSeen > new Date(RELABEL).toISOString());
    assert.ok(broken[1].lastSeen < new Date(BLOCK_APPLIED).toISOString() && broken[2].firstSeen > new Date(BLOCK_APPLIED).toISOString());
    assert.deepEqual(broken[0].before, { verdict: 'allow', direction: 'ingress', kind: 'rule', tier: 'default', policy: 'NetworkPolicy/db/default.pg-access', ruleIndex: 0 });
    assert.deepEqual(broken[0].after, { verdict: 'deny', direction: 'ingress', kind: 'end-of-tier', tier: 'default', policy: 'NetworkPolicy/db/default.pg-access', ruleIndex: -1 });
    assert.equal(broken[0].sampleFlowIds.length, 3);
    assert.equal(res.body.unchanged, 13);
  });

  it('judges a staged candidate by what promoting it would do, and a deletion by what removing the policy would', async () => {
    const staged = TOO_TIGHT.replace('kind: NetworkPolicy', 'kind: StagedNetworkPolicy').replace('spec:\n', 'spec:\n  stagedAction: Set\n');
    const res = await t.http().post('/api/v1/simulate').send({ ...WINDOW, manifests: staged }).expect(200);
    assert.equal(res.body.allowToDeny.length, 3);
    const gone = await t.http().post('/api/v1/simulate').send({ ...WINDOW, deletions: [{ kind: 'NetworkPolicy', namespace: 'db', name: 'default.pg-access' }] }).expect(200);
    assert.equal(gone.body.changed, 0, 'without the policy the profile allows the same flows');
  });

  it('replays each flow with its stored source port when a rule matches on source ports', async () => {
    // Every stored flow of the scenario comes from port 40000.
    const fromPorts = (range: string) => TOO_TIGHT.replace("source: { selector: app == 'web', namespaceSelector: team == 'web' }", `source: { ports: ['${range}'] }`);
    const same = await t.http().post('/api/v1/simulate').send({ ...WINDOW, manifests: fromPorts('40000') }).expect(200);
    assert.deepEqual([same.body.changed, same.body.flowGroups], [0, 16], 'the port matches: nothing changes');
    const other = await t.http().post('/api/v1/simulate').send({ ...WINDOW, manifests: fromPorts('40001:65535') }).expect(200);
    assert.equal(other.body.allowToDeny.length, 9, 'every flow to pg (3 clients x 3 inventory states) comes from a port outside');
    assert.ok(other.body.allowToDeny.every((c: { destination: { name: string }; port: number }) => c.destination.name === 'pg-0' && c.port === 5432));
  });

  it('names the field of a bad candidate', async () => {
    const bad = await t.http().post('/api/v1/simulate').send({ ...WINDOW, manifests: TOO_TIGHT.replace("app == 'postgres'", "app == ") }).expect(400);
    assert.equal(bad.body.details[0].field, 'manifests');
    const unknown = await t.http().post('/api/v1/simulate').send({ ...WINDOW, deletions: [{ kind: 'NetworkPolicy', namespace: 'db', name: 'nope' }] }).expect(400);
    assert.equal(unknown.body.details[0].field, 'deletions.0');
    const reversed = await t.http().post('/api/v1/simulate').send({ from: WINDOW.to, to: WINDOW.from }).expect(400);
    assert.equal(reversed.body.details[0].field, 'from');
    const wrongType = await t.http().post('/api/v1/simulate').send({ ...WINDOW, manifests: 42 }).expect(400);
    assert.equal(wrongType.body.details[0].field, 'manifests');
  });
});
