import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlowAttributor } from '../../../src/attribution/flow.attributor';
import { FlowRecord, reportedEndpoint } from '../../../src/flows/flow-record';
import { InventorySnapshot } from '../../../src/inventory/inventory.snapshot';
import { parseManifests } from '../../../src/policy';

const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: blue}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
status: {podIP: 10.0.0.1}
`;

function record(over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    startTime: 0, endTime: 0, action: 'allow', reporter: 'src', protocol: 'tcp',
    srcIp: '10.0.0.1', srcPort: 40000, dstIp: '93.184.216.34', dstPort: 443,
    src: reportedEndpoint(), dst: reportedEndpoint({ type: 'net', name: 'pub', aggregatedName: 'pub' }), node: '', numFlows: 1, numFlowsStarted: 1, numFlowsCompleted: 0,
    packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0, enforcedHits: [], pendingHits: [],
    ...over,
  };
}
const source = { format: 'flowscope', topic: 't', partition: 0, offset: '0', index: 0 };

describe('endpoints outside the inventory', () => {
  it('are enriched from what the record reports, with one shared empty label set when it reports none', () => {
    const snap = new InventorySnapshot(parseManifests(CLUSTER));
    const attributor = new FlowAttributor();
    const one = attributor.attribute(record(), source, snap).dst;
    const two = attributor.attribute(record({ srcPort: 40001 }), source, snap).dst;
    assert.deepEqual({ ...one }, { type: 'net', namespace: '', name: 'pub', aggregatedName: 'pub', labels: {}, namespaceLabels: {}, serviceAccount: '', node: '', owner: '' });
    // Storage caches a label set's id by object: a fresh {} per record cost a hash per row.
    assert.equal(one.labels, two.labels);
    // One object per row, not frozen: storage writes its columns directly instead of caching them.
    assert.equal(Object.isFrozen(one), false);
  });

  it('known endpoints are one frozen object per inventory state, which storage may cache by identity', () => {
    const snap = new InventorySnapshot(parseManifests(CLUSTER));
    const attributor = new FlowAttributor();
    const one = attributor.attribute(record(), source, snap).src;
    const two = attributor.attribute(record({ srcPort: 40001 }), source, snap).src;
    assert.equal(one.name, 'client');
    assert.equal(one, two);
    assert.equal(Object.isFrozen(one), true);
  });

  it('keep the labels a record reports, per record', () => {
    const snap = new InventorySnapshot(parseManifests(CLUSTER));
    const attributor = new FlowAttributor();
    const labelled = (l: Record<string, string>) => attributor.attribute(record({ dst: reportedEndpoint({ type: 'ns', namespace: 'a', name: 'partners', aggregatedName: 'partners', labels: l }) }), source, snap).dst;
    const x = labelled({ zone: 'x' });
    const y = labelled({ zone: 'y' });
    assert.deepEqual([x.labels, y.labels], [{ zone: 'x' }, { zone: 'y' }]);
    assert.equal(x.namespaceLabels.team, 'blue');
  });
});
