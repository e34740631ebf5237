import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AttributionService } from '../../src/attribution/attribution.service';
import { FlowRecord, reportedEndpoint } from '../../src/flows/flow-record';
import { FlowRepository } from '../../src/storage/flow.repository';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const T0 = Date.parse('2026-11-26T06:00:00Z');
const CLUSTER = `apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
status: {podIP: 10.1.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: a, labels: {app: api}}
status: {podIP: 10.1.0.2}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: default.api-get, namespace: a}
spec:
  selector: app == 'api'
  ingress:
  - {action: Allow, protocol: TCP, destination: {ports: [80]}, http: {methods: [GET], paths: [{exact: /x}]}}
`;

function rec(i: number, over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    startTime: T0 + 60_000 + i, endTime: T0 + 60_000 + i, action: 'allow', reporter: 'dst', protocol: 'tcp',
    srcIp: '10.1.0.1', srcPort: 40000, dstIp: '10.1.0.2', dstPort: 80, src: reportedEndpoint(), dst: reportedEndpoint(),
    node: 'n', numFlows: 1, numFlowsStarted: 1, numFlowsCompleted: 1, packetsIn: 1, packetsOut: 1, bytesIn: 1, bytesOut: 1,
    enforcedHits: [], pendingHits: [], ...over,
  };
}

describe('HTTP match rules end to end (embedded ClickHouse)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(testConfig());
    await t.http().post('/api/v1/inventory').query({ validFrom: new Date(T0).toISOString() }).set('content-type', 'application/yaml').send(CLUSTER).expect(200);
  });
  after(async () => t?.close());

  it('a flow without method/path is stored flagged uncertain; one with them is decided', async () => {
    const service = t.app.get(AttributionService, { strict: false });
    const rows = [rec(0), rec(1, { http: { method: 'GET', path: '/x' } })].map((r, i) => service.attribute(r, { format: 'flowscope', topic: 't', partition: 0, offset: String(i), index: 0 }));
    await t.app.get(FlowRepository).insert(rows, 'http-match');
    const res = await t.http().get('/api/v1/flows').query({ from: '2026-11-26T05:00:00Z', to: '2026-11-26T07:00:00Z' }).expect(200);
    const byTime = [...res.body.items].sort((a: { startTime: string }, b: { startTime: string }) => a.startTime.localeCompare(b.startTime));
    assert.deepEqual(byTime.map((f: { flags: { verdictUncertain: boolean }; computed: { verdict: string } }) => [f.computed.verdict, f.flags.verdictUncertain]), [['deny', true], ['allow', false]]);
  });

  it('explain says the outcome is uncertain without the request, and decides with it', async () => {
    const ask = (http?: object) => t.http().post('/api/v1/explain').send({ source: { ip: '10.1.0.1' }, destination: { ip: '10.1.0.2' }, protocol: 'tcp', port: 80, ...(http ? { http } : {}) }).expect(200);
    const blind = (await ask()).body;
    assert.deepEqual([blind.verdict, blind.uncertain], ['deny', true]);
    const seen = (await ask({ method: 'GET', path: '/x' })).body;
    assert.deepEqual([seen.verdict, seen.uncertain], ['allow', false]);
  });
});
