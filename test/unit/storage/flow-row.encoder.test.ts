import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttributedFlow } from '../../../src/attribution/attributed-flow';
import { FlowAttributor } from '../../../src/attribution/flow.attributor';
import { FlowRecord, reportedEndpoint } from '../../../src/flows/flow-record';
import { InventorySnapshot } from '../../../src/inventory/inventory.snapshot';
import { parseManifests } from '../../../src/policy';
import { encodeFlowRow, encodeFlowRowPlain, FLOW_COLUMNS } from '../../../src/storage/flow-row.encoder';
import { SharedValues } from '../../../src/storage/shared-values';

const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: "t\\tab's"}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: api-0, namespace: a, labels: {app: api, quote: "it's"}}
status: {podIP: 10.0.0.2}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: default.api, namespace: a}
spec:
  selector: app == 'api'
  ingress:
  - {action: Allow, protocol: TCP, destination: {ports: [80]}}
`;

function record(over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    startTime: 1764140400123, endTime: 1764140401000, action: 'allow', reporter: 'dst', protocol: 'tcp',
    srcIp: '10.0.0.1', srcPort: 40000, dstIp: '10.0.0.2', dstPort: 80,
    src: reportedEndpoint(), dst: reportedEndpoint(), node: 'n\t1', numFlows: 1, numFlowsStarted: 1, numFlowsCompleted: 0,
    packetsIn: 3, packetsOut: 4, bytesIn: 5, bytesOut: 6, enforcedHits: [], pendingHits: [],
    ...over,
  };
}

describe('flows row encoder', () => {
  const snap = new InventorySnapshot(parseManifests(CLUSTER));
  const attributor = new FlowAttributor();
  const flows: AttributedFlow[] = [
    record(),
    record({ dstPort: 443, action: 'deny' }),
    record({ enforcedHits: ['0|default|a/default.api|allow|0'], pendingHits: ['0|default|a/default.api|allow|0'] }),
    record({ srcIp: '192.0.2.1', src: reportedEndpoint({ type: 'net', name: 'pub\nnet', labels: { "k'": 'v\\' } }), dstService: { name: 'svc', namespace: 'a', port: 8080, portName: 'http' } }),
    record({ action: 'log', reporter: 'fwd', srcIp: '', dstIp: '' }),
  ].map((r, i) => attributor.attribute(r, { format: 'flowscope', topic: 't\\x', partition: 1, offset: String(i), index: i }, snap));

  it('writes the same text as the plain value-by-value encoding, the same new shared values too', () => {
    const fast = new SharedValues().batch();
    const plain = new SharedValues().batch();
    for (const f of [...flows, ...flows]) {
      const line = encodeFlowRow(f, fast, 'inc-1');
      assert.equal(line, encodeFlowRowPlain(f, plain, 'inc-1'));
      assert.equal(line.split('\t').length, FLOW_COLUMNS.length);
    }
    assert.deepEqual(fast.lines, plain.lines);
    assert.ok(fast.lines.label_sets.length >= 3);
    assert.equal(fast.lines.reported_traces.length, 1);
    assert.ok(fast.lines.rule_texts.length >= 1);
  });
});
