import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', name), 'utf8');
const T0 = '2026-11-26T06:00:00Z';
const T1 = '2026-11-26T06:10:00Z';
const web = { namespace: 'shop', name: 'web-1' };
const pg = { ip: '10.244.2.7' };

describe('explain API on an applied manifest set (embedded ClickHouse)', () => {
  let t: TestApp;
  const explain = (body: object) => t.http().post('/api/v1/explain').send(body);

  before(async () => {
    t = await startTestApp(testConfig());
    await t.http().post('/api/v1/inventory').query({ validFrom: T0 }).set('content-type', 'application/yaml').send(fixture('shop-cluster.yaml')).expect(200);
    await t.http().post('/api/v1/inventory').query({ validFrom: T1 }).set('content-type', 'application/yaml').send(fixture('shop-pg-policy.yaml')).expect(200);
  });
  after(async () => t?.close());

  it('allows web -> postgres by the platform tier rule, after security passes', async () => {
    const res = await explain({ source: web, destination: pg, protocol: 'tcp', port: 5432 }).expect(200);
    const e = res.body;
    assert.equal(e.verdict, 'allow');
    assert.deepEqual(e.decidedBy, {
      direction: 'ingress',
      verdict: 'allow',
      kind: 'rule',
      tier: 'platform',
      tierOrder: 500,
      policy: 'NetworkPolicy/db/platform.pg-from-web',
      policyOrder: 100,
      ruleIndex: 0,
    });
    assert.deepEqual(
      e.ingress.enforced.trace.map((h: { policy: string; ruleIndex: number; action: string }) => [h.policy, h.ruleIndex, h.action]),
      [
        ['GlobalNetworkPolicy//security.baseline', 2, 'pass'],
        ['NetworkPolicy/db/platform.pg-from-web', 0, 'allow'],
      ],
    );
    // Egress at web: security passes, nothing else selects web, the namespace profile allows.
    assert.equal(e.egress.enforced.decision.kind, 'profile');
    assert.equal(e.source.name, 'web-1');
    assert.equal(e.destination.name, 'pg-0');
  });

  it('the staged lockdown would deny what is allowed today (pending verdict)', async () => {
    const e = (await explain({ source: web, destination: pg, protocol: 'tcp', port: 5432 }).expect(200)).body;
    assert.equal(e.verdict, 'allow');
    assert.equal(e.pendingVerdict, 'deny');
    assert.equal(e.egress.pending.decision.policy, 'StagedGlobalNetworkPolicy//security.lockdown-web');
    assert.equal(e.egress.pending.decision.ruleIndex, 0);
  });

  it('denies SSH by the security rule and reports the Log rule that matched before it', async () => {
    const e = (await explain({ source: web, destination: pg, protocol: 'TCP', port: 22 }).expect(200)).body;
    assert.equal(e.verdict, 'deny');
    assert.equal(e.decidedBy.direction, 'ingress');
    assert.equal(e.decidedBy.policy, 'GlobalNetworkPolicy//security.baseline');
    assert.equal(e.decidedBy.ruleIndex, 1);
    assert.deepEqual(e.ingress.enforced.logs.map((l: { ruleIndex: number }) => l.ruleIndex), [0]);
  });

  it('falls through the Pass default of platform into the Kubernetes default-deny (end of tier)', async () => {
    const e = (await explain({ source: web, destination: pg, protocol: 'tcp', port: 8080 }).expect(200)).body;
    assert.equal(e.verdict, 'deny');
    assert.equal(e.decidedBy.kind, 'end-of-tier');
    assert.equal(e.decidedBy.tier, 'default');
    assert.equal(e.decidedBy.policy, 'KubernetesNetworkPolicy/db/knp.default.default-deny');
    assert.equal(e.decidedBy.ruleIndex, -1);
  });

  it('denies egress to a bad network set at the source', async () => {
    const e = (await explain({ source: web, destination: { ip: '203.0.113.9' }, protocol: 'tcp', port: 443 }).expect(200)).body;
    assert.equal(e.verdict, 'deny');
    assert.equal(e.decidedBy.direction, 'egress');
    assert.equal(e.decidedBy.ruleIndex, 0);
    assert.equal(e.destination.type, 'ns');
    assert.equal(e.destination.networkSet, 'GlobalNetworkSet//blocked-range');
    assert.equal(e.ingress, null, 'an outside network has no ingress side');
  });

  it('answers as of an earlier instant, before the platform policy existed', async () => {
    const e = (await explain({ source: web, destination: pg, protocol: 'tcp', port: 5432, time: '2026-11-26T06:05:00Z' }).expect(200)).body;
    assert.equal(e.verdict, 'deny');
    assert.equal(e.decidedBy.policy, 'KubernetesNetworkPolicy/db/knp.default.default-deny');
    assert.equal(e.time, '2026-11-26T06:05:00.000Z');
  });

  it('answers 400 naming the field for bad or unknown input', async () => {
    const noPeer = await explain({ source: {}, destination: pg, protocol: 'tcp' }).expect(400);
    assert.equal(noPeer.body.details[0].field, 'source.ip');
    const badPort = await explain({ source: web, destination: pg, protocol: 'tcp', port: 70000 }).expect(400);
    assert.equal(badPort.body.details[0].field, 'port');
    const unknown = await explain({ source: { namespace: 'shop', name: 'ghost' }, destination: pg, protocol: 'tcp' }).expect(400);
    assert.equal(unknown.body.details[0].field, 'source');
    const beforePod = await explain({ source: web, destination: pg, protocol: 'tcp', time: '2026-11-26T05:00:00Z' }).expect(400);
    assert.match(beforePod.body.message, /no endpoint shop\/web-1 in the inventory at 2026-11-26T05:00:00.000Z/);
  });
});
