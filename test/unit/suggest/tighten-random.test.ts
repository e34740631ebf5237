/**
 * Property tests on random clusters: a suggested tightening (of a Calico or a Kubernetes policy)
 * never allows a flow the original policy set denied (checked on every flow of the cluster, observed or not), it keeps allowing every flow
 * it was built from, and a replay under an unchanged inventory changes nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InventoryTimeline } from '../../../src/inventory/inventory.timeline';
import { FlowInput, parseManifests, PolicyResource, PolicySnapshot, Resource } from '../../../src/policy';
import { Prng } from '../../../src/simulator/prng.util';
import type { TrafficEdge } from '../../../src/storage/suggest.repository';
import { NO_CHANGE } from '../../../src/suggest/candidate';
import { Finding } from '../../../src/suggest/finding.types';
import { FlowGroup } from '../../../src/suggest/flow-group';
import { tightenRule } from '../../../src/suggest/proposals';
import { replay } from '../../../src/suggest/replay';

type Obj = Record<string, unknown>;

interface Cluster {
  manifests: Obj[];
  pods: Array<{ name: string; namespace: string; ip: string; labels: Record<string, string> }>;
  externals: string[];
}

function randomCluster(rnd: Prng, k8s = false): Cluster {
  const nss = ['a', 'b', 'c'];
  const manifests: Obj[] = nss.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n, labels: { env: rnd.pick(['p', 'd']) } } }));
  const pods: Cluster['pods'] = [];
  for (let i = 0; i < 10; i++) {
    const p = { name: `p${i}`, namespace: rnd.pick(nss), ip: `10.0.0.${i + 1}`, labels: { app: rnd.pick(['x', 'y', 'z']), ...(rnd.chance(0.4) ? { role: rnd.pick(['fe', 'be']) } : {}) } };
    pods.push(p);
    manifests.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace: p.namespace, labels: p.labels }, status: { podIP: p.ip } });
  }
  const externals = Array.from({ length: 6 }, (_, i) => `10.9.${rnd.int(0, 3)}.${rnd.int(1, 254) + i * 0}`);
  manifests.push({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'sec' }, spec: { order: 10 } });
  // Another tier first, sometimes denying or passing part of the traffic.
  manifests.push({
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    metadata: { name: 'sec.base' },
    spec: { tier: 'sec', order: 1, selector: 'all()', types: ['Ingress'], ingress: [...(rnd.chance(0.5) ? [{ action: 'Deny', protocol: 'TCP', destination: { ports: [rnd.int(1, 30)] } }] : []), { action: 'Pass' }] },
  });
  if (k8s) {
    manifests.push(randomK8sPolicy(rnd));
    return { manifests, pods, externals };
  }
  const ports = rnd.chance(0.3) ? undefined : [rnd.int(1, 10), `${rnd.int(11, 20)}:${rnd.int(21, 40)}`];
  const source: Obj = {};
  if (rnd.chance(0.5)) source.namespaceSelector = rnd.pick(['all()', "env == 'p'"]);
  if (rnd.chance(0.3)) source.selector = rnd.pick(["app == 'x'", "app != 'z'", 'has(role)']);
  if (rnd.chance(0.3) && !source.selector && !source.namespaceSelector) source.nets = ['10.9.0.0/16', '10.0.0.0/28'];
  const target = rnd.pick(['a', 'b', 'c']);
  manifests.push({
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: 'default.wide', namespace: target },
    spec: {
      order: 10,
      selector: rnd.pick(['all()', "app == 'x'", "app != 'y'"]),
      types: ['Ingress'],
      ingress: [
        { action: 'Allow', protocol: 'TCP', source, destination: ports ? { ports } : {} },
        ...(rnd.chance(0.5) ? [{ action: 'Deny', protocol: 'TCP', destination: { ports: [rnd.int(1, 40)] } }] : []),
        ...(rnd.chance(0.5) ? [{ action: 'Allow', protocol: 'TCP', source: { selector: "app == 'y'" } }] : []),
      ],
    },
  });
  return { manifests, pods, externals };
}

/** A Kubernetes NetworkPolicy whose first rule has several peers and protocols (several model rules). */
function randomK8sPolicy(rnd: Prng): Obj {
  const peerChoices: Obj[] = [
    { namespaceSelector: {} },
    { namespaceSelector: { matchLabels: { env: 'p' } } },
    { podSelector: { matchLabels: { app: 'x' } } },
    { podSelector: { matchExpressions: [{ key: 'role', operator: 'Exists' }] }, namespaceSelector: {} },
    { ipBlock: { cidr: '10.9.0.0/16' } },
    { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.0.0/29'] } },
  ];
  const from = Array.from({ length: rnd.int(0, 3) }, () => rnd.pick(peerChoices));
  const ports = rnd.pick([[], [{ port: rnd.int(1, 10) }, { port: 11, endPort: rnd.int(20, 40) }], [{ protocol: 'UDP', port: 5 }, { port: rnd.int(1, 40) }]]);
  const rule0: Obj = { ...(from.length ? { from } : {}), ...(ports.length ? { ports } : {}) };
  const rule1: Obj = { from: [{ podSelector: { matchLabels: { app: 'y' } } }], ports: [{ port: 50 }] };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'wide', namespace: rnd.pick(['a', 'b', 'c']) },
    spec: { podSelector: rnd.pick([{}, { matchLabels: { app: 'x' } }]), policyTypes: ['Ingress'], ingress: rnd.chance(0.5) ? [rule0, rule1] : [rule0] },
  };
}

function flowsOf(c: Cluster): FlowInput[] {
  const out: FlowInput[] = [];
  const srcs = [...c.pods.map((p) => p.ip), ...c.externals];
  for (const src of srcs) for (const dst of c.pods) for (const port of [1, 5, 9, 12, 15, 22, 30, 35, 50]) out.push({ srcIp: src, dstIp: dst.ip, protocol: 'tcp', dstPort: port });
  return out;
}

function edgeOf(c: Cluster, f: FlowInput, policy: string): TrafficEdge {
  const src = c.pods.find((p) => p.ip === f.srcIp);
  const dst = c.pods.find((p) => p.ip === f.dstIp)!;
  return {
    policy,
    ruleIndex: 0,
    decisionKind: 'rule',
    direction: 'ingress',
    localNamespace: dst.namespace,
    localWorkload: dst.name,
    peerType: src ? 'wep' : 'net',
    peerNamespace: src?.namespace ?? '',
    peerWorkload: src?.name ?? '',
    peerIp: src ? '' : String(f.srcIp),
    protocol: 'tcp',
    port: Number(f.dstPort),
    records: 1,
    flows: 1,
    bytes: 1,
    firstSeen: 0,
    lastSeen: 0,
    sampleIds: [],
  };
}

describe('suggested tightenings on random clusters', () => {
  it('never allow what the original denied, and keep what was observed (150 seeds)', () => {
    let exercised = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const rnd = new Prng(seed);
      const c = randomCluster(rnd);
      const resources = parseManifests(c.manifests);
      const before = new PolicySnapshot(resources);
      const policy = resources.find((r): r is PolicyResource => r.kind === 'NetworkPolicy')!;
      const all = flowsOf(c);
      // Observed: a random sample of the flows the wide rule decided.
      const decided = all.filter((f) => {
        const d = before.decideFlow(f);
        return d.allowed && d.ingress?.name === policy.name && d.ingress.ruleIndex === 0;
      });
      const observed = decided.filter(() => rnd.chance(0.3));
      if (observed.length === 0) continue;
      exercised++;
      const finding: Finding = { id: 'f', kind: 'over-broad', subject: { policy: policy.key, tier: policy.tier, direction: 'ingress', ruleIndex: 0 }, namespace: policy.namespace, summary: '', window: { from: '', to: '' } };
      const manifest = c.manifests.find((m) => m.kind === 'NetworkPolicy')!;
      const labelsOf = (ns: string, wl: string): Array<[string, string]> => Object.entries(c.pods.find((p) => p.namespace === ns && p.name === wl)?.labels ?? {}).sort();
      const proposal = tightenRule(finding, { resource: policy, since: 0, manifest }, observed.map((f) => edgeOf(c, f, policy.key)), {
        stableLabels: labelsOf,
        networkSets: [],
        cidrBudget: rnd.pick([0, 4, 64]),
      });
      assert.ok(proposal, 'a proposal for an observed Allow rule');
      assert.deepEqual(proposal.containment, { contained: true, problems: [] });
      const proposed = parseManifests([proposal.enforced])[0];
      const after = new PolicySnapshot([...resources.filter((r) => r.key !== proposed.key), proposed]);
      for (const f of all) {
        if (after.decideFlow(f).allowed) assert.ok(before.decideFlow(f).allowed, `widened: ${JSON.stringify(f)}\n${JSON.stringify(proposal.enforced)}`);
      }
      for (const f of observed) assert.ok(after.decideFlow(f).allowed, `observed flow denied: ${JSON.stringify(f)}\n${JSON.stringify(proposal.enforced)}`);
    }
    assert.ok(exercised >= 100, `only ${exercised} seeds had observed traffic`);
  });

  it('of a Kubernetes NetworkPolicy never allow what the original denied, and keep what was observed (150 seeds)', () => {
    let exercised = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const rnd = new Prng(seed);
      const c = randomCluster(rnd, true);
      const resources = parseManifests(c.manifests);
      const before = new PolicySnapshot(resources);
      const policy = resources.find((r): r is PolicyResource => r.kind === 'KubernetesNetworkPolicy')!;
      const all = flowsOf(c);
      const byRule = new Map<number, FlowInput[]>();
      for (const f of all) {
        const d = before.decideFlow(f);
        if (d.allowed && d.ingress?.name === policy.name && d.ingress.kind === 'rule') byRule.set(d.ingress.ruleIndex!, [...(byRule.get(d.ingress.ruleIndex!) ?? []), f]);
      }
      if (byRule.size === 0) continue;
      const ruleIndex = rnd.pick([...byRule.keys()].sort((a, b) => a - b));
      const observed = byRule.get(ruleIndex)!.filter(() => rnd.chance(0.3));
      if (observed.length === 0) continue;
      const finding: Finding = { id: 'f', kind: 'over-broad', subject: { policy: policy.key, tier: policy.tier, direction: 'ingress', ruleIndex }, namespace: policy.namespace, summary: '', window: { from: '', to: '' } };
      const manifest = c.manifests.find((m) => m.kind === 'NetworkPolicy')!;
      const labelsOf = (ns: string, wl: string): Array<[string, string]> => Object.entries(c.pods.find((p) => p.namespace === ns && p.name === wl)?.labels ?? {}).sort();
      const edges = observed.map((f) => ({ ...edgeOf(c, f, policy.key), ruleIndex }));
      const proposal = tightenRule(finding, { resource: policy, since: 0, manifest }, edges, { stableLabels: labelsOf, networkSets: [], cidrBudget: rnd.pick([0, 4, 64]) });
      if (!proposal) {
        // Only pods seen through an ipBlock peer cannot be written in Kubernetes terms.
        assert.ok(edges.some((e) => e.peerType === 'wep'), `seed ${seed}: no proposal`);
        continue;
      }
      exercised++;
      assert.deepEqual(proposal.containment, { contained: true, problems: [] }, `seed ${seed}`);
      assert.equal(proposal.staged.kind, 'StagedKubernetesNetworkPolicy');
      const proposed = parseManifests([proposal.enforced])[0];
      assert.equal(proposed.key, policy.key, 'the proposal replaces the policy it tightens');
      const after = new PolicySnapshot([...resources.filter((r) => r.key !== proposed.key), proposed]);
      for (const f of all) {
        if (after.decideFlow(f).allowed) assert.ok(before.decideFlow(f).allowed, `seed ${seed} widened: ${JSON.stringify(f)}\n${JSON.stringify(proposal.enforced)}`);
      }
      for (const f of observed) assert.ok(after.decideFlow(f).allowed, `seed ${seed} observed flow denied: ${JSON.stringify(f)}\n${JSON.stringify(proposal.enforced)}`);
    }
    assert.ok(exercised >= 60, `only ${exercised} seeds gave a proposal`);
  });

  it('replay under the unchanged inventory changes nothing, at any epoch', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const rnd = new Prng(seed);
      const c = randomCluster(rnd);
      const tl = new InventoryTimeline();
      const resources: Resource[] = parseManifests(c.manifests);
      resources.forEach((r, i) => tl.add({ key: r.key, kind: r.kind, namespace: r.namespace, name: r.name, manifestKind: r.kind, manifestName: r.name, validFrom: i % 3, deleted: false, manifest: c.manifests[i], source: 't' }, r));
      const groups: FlowGroup[] = flowsOf(c).map((f, i) => ({
        time: i % 4,
        srcIp: String(f.srcIp),
        dstIp: String(f.dstIp),
        protocol: 'tcp',
        dstPort: Number(f.dstPort),
        srcPort: null,
        srcNamespace: '',
        srcName: '',
        dstNamespace: '',
        dstName: '',
        records: 1,
        flows: 1,
        bytes: 1,
        firstSeen: 0,
        lastSeen: 0,
        sampleIds: [],
      }));
      const r = replay(groups, tl, NO_CHANGE);
      assert.deepEqual([r.evaluated, r.changed, r.unchanged], [groups.length, 0, groups.length]);
    }
  });
});
