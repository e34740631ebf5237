import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InventoryTimeline } from '../../../src/inventory/inventory.timeline';
import { parseManifests, Resource, splitManifest } from '../../../src/policy';
import { FlowGroup } from '../../../src/suggest/flow-group';
import { NO_CHANGE } from '../../../src/suggest/candidate';
import { replay } from '../../../src/suggest/replay';

const BASE = `
apiVersion: v1
kind: Namespace
metadata: { name: a }
---
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: a, labels: { app: web } }
status: { podIP: 10.0.0.1 }
---
apiVersion: v1
kind: Pod
metadata: { name: db, namespace: a, labels: { app: db } }
status: { podIP: 10.0.0.2 }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: default.db, namespace: a }
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress: [{ action: Allow, protocol: TCP, destination: { ports: [5432, 6432] } }]
`;

function history(...versions: Array<[number, string]>): InventoryTimeline {
  const tl = new InventoryTimeline();
  for (const [at, yaml] of versions) {
    splitManifest(yaml).forEach((item, i) => {
      const r = parseManifests([item])[0];
      tl.add({ key: r.key, kind: r.kind, namespace: r.namespace, name: r.name, manifestKind: r.kind, manifestName: r.name, validFrom: at, deleted: false, manifest: item, source: `t${i}` }, r);
    });
  }
  return tl;
}

function group(time: number, dstPort: number, srcIp = '10.0.0.1'): FlowGroup {
  return { time, srcIp, dstIp: '10.0.0.2', protocol: 'tcp', dstPort, srcNamespace: 'a', srcName: 'web', dstNamespace: 'a', dstName: 'db', records: 1, flows: 1, bytes: 10, firstSeen: time, lastSeen: time, sampleIds: [`id-${time}`] };
}

const candidate = (yaml: string): { upserts: Resource[]; deletions: string[] } => ({ upserts: parseManifests(yaml), deletions: [] });
const ONLY_5432 = BASE.split('---').pop()!.replace('ports: [5432, 6432]', 'ports: [5432]');

describe('replay', () => {
  it('changes nothing under the unchanged inventory', () => {
    const r = replay([group(10, 5432), group(10, 6432), group(10, 22)], history([0, BASE]), NO_CHANGE);
    assert.deepEqual([r.evaluated, r.unchanged, r.changed, r.partial], [3, 3, 0, false]);
  });

  it('lists the flows a tighter candidate breaks, with both decisions', () => {
    const r = replay([group(10, 5432), group(10, 6432), group(10, 22)], history([0, BASE]), candidate(ONLY_5432));
    assert.equal(r.changed, 1);
    assert.equal(r.allowToDeny[0].group.dstPort, 6432);
    assert.deepEqual(r.allowToDeny[0].before, { verdict: 'allow', direction: 'ingress', kind: 'rule', tier: 'default', policy: 'NetworkPolicy/a/default.db', ruleIndex: 0 });
    assert.deepEqual(r.allowToDeny[0].after, { verdict: 'deny', direction: 'ingress', kind: 'end-of-tier', tier: 'default', policy: 'NetworkPolicy/a/default.db', ruleIndex: -1 });
    assert.deepEqual(r.denyToAllow, []);
  });

  it('evaluates each flow against the inventory as of its own time', () => {
    // At t=100 the db pod's IP passes to another pod no policy selects: the candidate cannot change it.
    const moved = `apiVersion: v1
kind: Pod
metadata: { name: db, namespace: a, labels: { app: cache } }
status: { podIP: 10.0.0.2 }
`;
    const tl = history([0, BASE], [100, moved]);
    const r = replay([group(10, 6432), group(150, 6432)], tl, candidate(ONLY_5432));
    assert.deepEqual(r.allowToDeny.map((c) => c.group.time), [10]);
    assert.equal(r.unchanged, 1);
  });

  it('stops at the deadline and marks the result partial', () => {
    let clock = 0;
    const groups = Array.from({ length: 1000 }, (_, i) => group(10, 5000 + i));
    const r = replay(groups, history([0, BASE]), NO_CHANGE, { deadline: 1, now: () => clock++ });
    assert.equal(r.partial, true);
    assert.ok(r.evaluated > 0 && r.evaluated < 1000);
    assert.equal(r.flowGroups, 1000);
  });

  it('counts a flow the engine cannot read as unreadable, not as a change', () => {
    const r = replay([{ ...group(10, 80), protocol: 'nonsense' }], history([0, BASE]), candidate(ONLY_5432));
    assert.deepEqual([r.unreadable, r.changed], [1, 0]);
  });
});
