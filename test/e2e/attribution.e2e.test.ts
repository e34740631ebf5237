import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AttributionService } from '../../src/attribution/attribution.service';
import { FlowRecord, reportedEndpoint } from '../../src/flows/flow-record';
import { FlowRepository } from '../../src/storage/flow.repository';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', name), 'utf8');
const T0 = Date.parse('2026-11-26T06:00:00Z');
const T1 = Date.parse('2026-11-26T06:10:00Z'); // platform.pg-from-web applied
const T2 = Date.parse('2026-11-26T06:20:00Z'); // web-1 deleted, its IP reused by a batch job

function rec(startTime: number, over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    startTime,
    endTime: startTime,
    action: 'allow',
    reporter: 'dst',
    protocol: 'tcp',
    srcIp: '10.244.1.5',
    srcPort: 40000,
    dstIp: '10.244.2.7',
    dstPort: 5432,
    src: reportedEndpoint(),
    dst: reportedEndpoint(),
    node: 'node-2',
    numFlows: 1,
    numFlowsStarted: 1,
    numFlowsCompleted: 1,
    packetsIn: 1,
    packetsOut: 1,
    bytesIn: 100,
    bytesOut: 100,
    enforcedHits: [],
    pendingHits: [],
    ...over,
  };
}

describe('attribution of ingested flows against the inventory as of each flow (embedded ClickHouse)', () => {
  let t: TestApp;
  let attribute: (r: FlowRecord, i: number) => ReturnType<AttributionService['attribute']>;

  before(async () => {
    t = await startTestApp(testConfig());
    const apply = (yaml: string, at: number) =>
      t.http().post('/api/v1/inventory').query({ validFrom: new Date(at).toISOString() }).set('content-type', 'application/yaml').send(yaml).expect(200);
    await apply(fixture('shop-cluster.yaml'), T0);
    await apply(fixture('shop-pg-policy.yaml'), T1);
    await t.http().delete('/api/v1/inventory/Pod/shop/web-1').query({ validFrom: new Date(T2).toISOString() }).expect(200);
    await apply(
      `apiVersion: v1
kind: Pod
metadata: { name: batch-1, namespace: shop, labels: { app: batch } }
spec: { nodeName: node-3, serviceAccountName: batch, containers: [{ name: b }] }
status: { podIP: 10.244.1.5 }
`,
      T2 + 1000,
    );
    const service = t.app.get(AttributionService, { strict: false });
    attribute = (r, i) => service.attribute(r, { format: 'flowscope', topic: 't', partition: 0, offset: String(i), index: 0 });
  });
  after(async () => t?.close());

  it('computes the verdict when the record carries no trace, from the policies valid at its start', () => {
    const before = attribute(rec(T0 + 60_000), 0);
    assert.equal(before.attribution.traceSource, 'computed');
    assert.equal(before.attribution.computedVerdict, 'deny');
    assert.equal(before.attribution.decision.kind, 'end-of-tier');
    assert.equal(before.attribution.decision.policy, 'KubernetesNetworkPolicy/db/knp.default.default-deny');
    assert.equal(before.attribution.verdictMismatch, true, 'the dataplane said allow, the policies then say deny');

    const after = attribute(rec(T1 + 60_000), 1);
    assert.equal(after.attribution.computedVerdict, 'allow');
    assert.deepEqual(
      [after.attribution.decision.tier, after.attribution.decision.tierOrder, after.attribution.decision.policy, after.attribution.decision.policyOrder, after.attribution.decision.ruleIndex],
      ['platform', 500, 'NetworkPolicy/db/platform.pg-from-web', 100, 0],
    );
    assert.match(after.attribution.decision.rule, /"action":"Allow"/);
    assert.deepEqual(after.attribution.trace.map((h) => h.policy), ['GlobalNetworkPolicy//security.baseline', 'NetworkPolicy/db/platform.pg-from-web']);
    assert.equal(after.attribution.verdictMismatch, false);
  });

  it('keeps the dataplane trace as the attribution, and flags disagreement and unknown policies', () => {
    const r = attribute(rec(T1 + 60_000, { action: 'deny', enforcedHits: ['0|security|gnp:security.baseline|pass|2', '1|platform|np:db/platform.gone|deny|0'] }), 2);
    assert.equal(r.attribution.traceSource, 'reported');
    assert.equal(r.attribution.reportedVerdict, 'deny');
    assert.equal(r.attribution.computedVerdict, 'allow');
    assert.equal(r.attribution.verdictMismatch, true);
    assert.equal(r.attribution.unknownPolicy, true);
    assert.equal(r.attribution.decision.policy, 'NetworkPolicy/db/platform.gone');
    assert.equal(r.attribution.decision.tierOrder, 500, 'the tier is known even when the policy is not');
  });

  it('resolves a reused IP to the pod that held it at the flow start', () => {
    const early = attribute(rec(T1 + 60_000), 3);
    assert.equal(early.src.name, 'web-1');
    assert.equal(early.src.serviceAccount, 'web');
    assert.equal(early.src.owner, 'ReplicaSet/web-7d9f');
    assert.deepEqual(early.src.namespaceLabels, { team: 'web', 'kubernetes.io/metadata.name': 'shop' });
    const late = attribute(rec(T2 + 60_000), 4);
    assert.equal(late.src.name, 'batch-1');
    assert.equal(late.src.labels.app, 'batch');
    assert.equal(late.attribution.computedVerdict, 'deny', 'batch pods are not allowed to postgres');
    const gap = attribute(rec(T2 + 500, { reporter: 'src' }), 5);
    assert.equal(gap.src.type, 'net');
    assert.equal(gap.attribution.unknownEndpoint, true, 'the reporting side is not in the inventory at that instant');
  });

  it('attributes a log event to the policy and rule that logged it', () => {
    const r = attribute(rec(T1 + 60_000, { action: 'log', dstPort: 22, enforcedHits: ['0|security|gnp:security.baseline|log|0'] }), 6);
    assert.equal(r.attribution.decision.kind, 'log');
    assert.equal(r.attribution.decision.policy, 'GlobalNetworkPolicy//security.baseline');
    assert.equal(r.attribution.decision.ruleIndex, 0);
    assert.equal(r.attribution.reportedVerdict, '');
  });

  it('stores the attribution and serves it through the flows API filters', async () => {
    const rows = [rec(T0 + 60_000), rec(T1 + 60_000), rec(T1 + 61_000, { dstPort: 8080 })].map((r, i) => attribute(r, 100 + i));
    await t.app.get(FlowRepository).insert(rows, 'attr-test');
    const res = await t.http().get('/api/v1/flows').query({ from: '2026-11-26T05:00:00Z', to: '2026-11-26T07:00:00Z', verdictMismatch: 'true' }).expect(200);
    assert.equal(res.body.items.length, 2);
    const byPolicy = await t.http().get('/api/v1/flows').query({ from: '2026-11-26T05:00:00Z', to: '2026-11-26T07:00:00Z', policy: 'NetworkPolicy/db/platform.pg-from-web' }).expect(200);
    assert.equal(byPolicy.body.items.length, 1);
    const f = byPolicy.body.items[0];
    assert.equal(f.src.name, 'web-1');
    assert.equal(f.dst.name, 'pg-0');
    assert.equal(f.decision.tier, 'platform');
    assert.equal(f.computed.verdict, 'allow');
  });

  it('counts decisions, hits and time buckets from the rollups, once per stored row even when an insert is retried', async () => {
    const rows = [0, 1, 2, 3].map((i) => attribute(rec(T1 + 120_000 + i * 60_000, { dstPort: i === 3 ? 8080 : 5432, bytesIn: 10, bytesOut: 0 }), 200 + i));
    const repo = t.app.get(FlowRepository);
    await repo.insert(rows, 'stats-batch');
    await repo.insert(rows, 'stats-batch'); // a retry of the same batch
    const window = { from: new Date(T1 + 120_000).toISOString(), to: new Date(T1 + 360_000).toISOString() };
    const byPolicy = await t.http().get('/api/v1/stats/decisions').query({ ...window, groupBy: 'tier,policy,rule' }).expect(200);
    assert.deepEqual(byPolicy.body.groups.map((g: { key: object; records: number }) => [g.key, g.records]), [
      [{ tier: 'platform', policy: 'NetworkPolicy/db/platform.pg-from-web', rule: 0 }, 3],
      [{ tier: 'default', policy: 'KubernetesNetworkPolicy/db/knp.default.default-deny', rule: -1 }, 1],
    ]);
    assert.equal(byPolicy.body.groups[0].bytes, 30);
    assert.equal(byPolicy.body.groups[1].mismatches, 1, 'the dataplane said allow, the default-deny says deny');

    const top = await t.http().get('/api/v1/stats/decisions').query({ ...window, groupBy: 'dstNamespace', limit: 1 }).expect(200);
    assert.deepEqual(top.body.groups.map((g: { key: object }) => g.key), [{ dstNamespace: 'db' }]);

    const hits = await t.http().get('/api/v1/stats/hits').query({ ...window, groupBy: 'policy,action' }).expect(200);
    const hit = (policy: string, action: string) =>
      hits.body.groups.find((g: { key: { policy: string; action: string } }) => g.key.policy === policy && g.key.action === action)?.hits;
    assert.equal(hit('GlobalNetworkPolicy//security.baseline', 'pass'), 4, 'the Pass of the security tier is counted for every flow');
    assert.equal(hit('NetworkPolicy/db/platform.pg-from-web', 'allow'), 3);
    assert.equal(hit('NetworkPolicy/db/platform.pg-from-web', 'pass'), 1, 'the platform end-of-tier Pass');

    const series = await t.http().get('/api/v1/stats/timeseries').query({ ...window, interval: 2 }).expect(200);
    assert.deepEqual(series.body.buckets.map((b: { records: number }) => b.records), [2, 2]);
    assert.equal(series.body.buckets[0].time, new Date(T1 + 120_000).toISOString());

    const bad = await t.http().get('/api/v1/stats/decisions').query({ groupBy: 'policy,colour' }).expect(400);
    assert.equal(bad.body.details[0].field, 'groupBy');
    const tooMany = await t.http().get('/api/v1/stats/timeseries').query({ from: '2026-01-01T00:00:00Z', to: '2026-11-01T00:00:00Z', interval: 1 }).expect(400);
    assert.equal(tooMany.body.details[0].field, 'interval');
  });
});

