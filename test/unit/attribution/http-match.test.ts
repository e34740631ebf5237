import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlowAttributor } from '../../../src/attribution/flow.attributor';
import { FlowRecord, reportedEndpoint } from '../../../src/flows/flow-record';
import { FlowEventParser } from '../../../src/ingest/flow-event.parser';
import { calicoFlowLogToRecord } from '../../../src/ingest/formats/calico-flow-log.parser';
import { MalformedEventError } from '../../../src/ingest/malformed-event.error';
import { InventorySnapshot } from '../../../src/inventory/inventory.snapshot';
import { parseManifests } from '../../../src/policy';
import { CALICO_G3 } from '../ingest/formats/fixtures';

const CLUSTER = `
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: a, labels: {app: api}}
status: {podIP: 10.0.0.2}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: default.api-get, namespace: a}
spec:
  selector: app == 'api'
  ingress:
  - {action: Allow, protocol: TCP, destination: {ports: [80]}, http: {methods: [GET], paths: [{prefix: /items}]}}
`;

function record(over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    startTime: 0, endTime: 0, action: 'allow', reporter: 'dst', protocol: 'tcp',
    srcIp: '10.0.0.1', srcPort: 40000, dstIp: '10.0.0.2', dstPort: 80,
    src: reportedEndpoint(), dst: reportedEndpoint(), node: '', numFlows: 1, numFlowsStarted: 1, numFlowsCompleted: 0,
    packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0, enforcedHits: [], pendingHits: [],
    ...over,
  };
}
const source = { format: 'flowscope', topic: 't', partition: 0, offset: '0', index: 0 };

describe('HTTP match in attribution', () => {
  const snap = () => new InventorySnapshot(parseManifests(CLUSTER));
  it('a record without method/path is flagged uncertain, and never a mismatch against the dataplane', () => {
    const a = new FlowAttributor().attribute(record(), source, snap()).attribution;
    assert.equal(a.verdictUncertain, true);
    assert.equal(a.computedVerdict, 'deny');
    assert.equal(a.verdictMismatch, false, 'the dataplane said allow; an uncertain engine verdict cannot contradict it');
  });
  it('a record with method and path is decided for certain', () => {
    const s = snap();
    const ok = new FlowAttributor().attribute(record({ http: { method: 'GET', path: '/items/7' } }), source, s).attribution;
    assert.deepEqual([ok.computedVerdict, ok.verdictUncertain, ok.decision.ruleIndex], ['allow', false, 0]);
    const no = new FlowAttributor().attribute(record({ http: { method: 'DELETE', path: '/items/7' } }), source, s).attribution;
    assert.deepEqual([no.computedVerdict, no.verdictUncertain, no.verdictMismatch], ['deny', false, true]);
  });
  it('a flow the HTTP rule cannot concern is certain', () => {
    const a = new FlowAttributor().attribute(record({ dstPort: 443 }), source, snap()).attribution;
    assert.equal(a.verdictUncertain, false);
  });
});

describe('HTTP request fields in the flow formats', () => {
  it('flowscope events carry http {method, path}', () => {
    const p = new FlowEventParser(4096);
    const base = { time: 0, action: 'allow', reporter: 'dst', protocol: 'tcp', srcIp: '10.0.0.1', dstIp: '10.0.0.2', dstPort: 80 };
    const [r] = p.parse(Buffer.from(JSON.stringify({ ...base, http: { method: 'GET', path: '/items?x=1' } })));
    assert.deepEqual(r.http, { method: 'GET', path: '/items?x=1' });
    assert.equal(p.parse(Buffer.from(JSON.stringify(base)))[0].http, undefined);
    assert.throws(() => p.parse(Buffer.from(JSON.stringify({ ...base, http: { path: 'no-slash' } }))), MalformedEventError);
    assert.throws(() => p.parse(Buffer.from(JSON.stringify({ ...base, http: { verb: 'GET' } }))), /unknown field/);
  });
  it('Calico Enterprise L7 fields method and url (a path or a full URL)', () => {
    assert.deepEqual(calicoFlowLogToRecord({ ...CALICO_G3, method: 'POST', url: '/v1/pay' }).http, { method: 'POST', path: '/v1/pay' });
    assert.deepEqual(calicoFlowLogToRecord({ ...CALICO_G3, method: 'GET', url: 'http://svc.ns:8080/a/b?c=d' }).http, { method: 'GET', path: '/a/b?c=d' });
    assert.equal(calicoFlowLogToRecord({ ...CALICO_G3, method: '-', url: '-' }).http, undefined);
    assert.throws(() => calicoFlowLogToRecord({ ...CALICO_G3, method: 'GET /x' }), /method/);
    assert.throws(() => calicoFlowLogToRecord({ ...CALICO_G3, url: 'not a url' }), /url/);
  });
});
