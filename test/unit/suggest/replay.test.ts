import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InventoryTimeline } from '../../../src/inventory/inventory.timeline';
import { parseManifests, Resource, splitManifest } from '../../../src/policy';
import { FlowGroup } from '../../../src/suggest/flow-group';
import { NO_CHANGE } from '../../../src/suggest/candidate';
import { Prng } from '../../../src/simulator/prng.util';
import { replay } from '../../../src/suggest/replay';
import { matchesSourcePorts } from '../../../src/suggest/source-ports';

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
  return { time, srcIp, dstIp: '10.0.0.2', protocol: 'tcp', dstPort, srcPort: null, srcNamespace: 'a', srcName: 'web', dstNamespace: 'a', dstName: 'db', records: 1, flows: 1, bytes: 10, firstSeen: time, lastSeen: time, sampleIds: [`id-${time}`] };
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

describe('replay: what a rule can match on besides addresses and destination port', () => {
  const SOURCE_PORTS = BASE.replace('ingress: [{ action: Allow, protocol: TCP, destination: { ports: [5432, 6432] } }]', 'ingress: [{ action: Allow, protocol: TCP, source: { ports: ["1000:1999"] }, destination: { ports: [5432] } }]');
  const withSourcePort = (time: number, srcPort: number | null): FlowGroup => ({ ...group(time, 5432), srcPort });

  it('carries the source port: a rule on source ports decides by it, before and after', () => {
    const groups = [withSourcePort(10, 1500), withSourcePort(10, 40000), withSourcePort(10, 1999)];
    const same = replay(groups, history([0, SOURCE_PORTS]), NO_CHANGE);
    assert.deepEqual([same.changed, same.uncertain], [0, 0]);
    const narrower = SOURCE_PORTS.split('---').pop()!.replace('"1000:1999"', '"1000:1599"');
    const r = replay(groups, history([0, SOURCE_PORTS]), candidate(narrower));
    assert.deepEqual(r.allowToDeny.map((c) => c.group.srcPort), [1999], 'only the flow from port 1999 loses its allow');
    assert.deepEqual(r.allowToDeny[0].before, { verdict: 'allow', direction: 'ingress', kind: 'rule', tier: 'default', policy: 'NetworkPolicy/a/default.db', ruleIndex: 0 });
    const wider = SOURCE_PORTS.split('---').pop()!.replace('"1000:1999"', '"1000:65535"');
    assert.deepEqual(replay(groups, history([0, SOURCE_PORTS]), candidate(wider)).denyToAllow.map((c) => c.group.srcPort), [40000]);
  });

  it('property: replaying random source ports under a random source-port range agrees with the range', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const prng = new Prng(seed);
      const rnd = (n: number) => prng.int(0, n - 1);
      const lo = 1 + rnd(60000);
      const hi = lo + rnd(5000);
      const ports = Array.from({ length: 20 }, () => 1 + rnd(65535));
      const yaml = SOURCE_PORTS.replace('"1000:1999"', `"${lo}:${hi}"`);
      // Under no policy at all (the namespace's profile allows), every flow is allowed: the replay
      // must deny exactly the source ports outside the range once the policy is added.
      const tl = history([0, BASE.split('---').slice(0, 3).join('---')]);
      const r = replay(ports.map((p) => withSourcePort(10, p)), tl, candidate(yaml.split('---').pop()!));
      assert.deepEqual(r.allowToDeny.map((c) => c.group.srcPort), ports.filter((p) => p < lo || p > hi), `seed ${seed}`);
      assert.equal(r.denyToAllow.length, 0);
    }
  });

  it('counts a decision resting on an ICMP type the stored flow does not carry as uncertain, not as a change', () => {
    const ICMP = BASE.replace('ingress: [{ action: Allow, protocol: TCP, destination: { ports: [5432, 6432] } }]', 'ingress: [{ action: Allow, protocol: ICMP, icmp: { type: 8 } }, { action: Allow, protocol: TCP }]');
    const ping = { ...group(10, 0), protocol: 'icmp' };
    const r = replay([ping, group(10, 5432)], history([0, ICMP]), NO_CHANGE);
    assert.deepEqual([r.changed, r.uncertain, r.evaluated], [0, 1, 2]);
  });
});

describe('what the replay needs to tell flows apart', () => {
  it('needs source ports only when a policy or profile matches on them', () => {
    assert.equal(matchesSourcePorts(parseManifests(BASE)), false);
    assert.equal(matchesSourcePorts(parseManifests(BASE.replace('destination: { ports: [5432, 6432] }', 'source: { notPorts: [22] }'))), true);
  });

  it('lists every resource version live at some instant of a window', () => {
    const moved = 'apiVersion: v1\nkind: Pod\nmetadata: { name: db, namespace: a, labels: { app: cache } }\nstatus: { podIP: 10.0.0.2 }\n';
    const tl = history([0, BASE], [100, moved]);
    const labelsOfDb = (from: number, to: number) =>
      tl.resourcesLiveIn(from, to).filter((r) => r.kind === 'Pod' && r.name === 'db').map((r) => (r as { labels: Record<string, string> }).labels.app);
    assert.deepEqual(labelsOfDb(0, 100), ['db']);
    assert.deepEqual(labelsOfDb(50, 150), ['db', 'cache']);
    assert.deepEqual(labelsOfDb(100, 150), ['cache']);
  });
});
