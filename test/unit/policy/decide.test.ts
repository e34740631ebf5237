import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticCluster } from '../../../bench/policy.bench';
import { Direction, EndpointRef, FlowInput, PolicySnapshot, ResolvedPeer } from '../../../src/policy';
import { snap, WEB, CLIENT } from './helpers';
import { Prng } from '../../../src/simulator/prng.util';

/** The simulator's seeded mulberry32, as a plain function: runs and failures reproduce. */
function prng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

const { resources } = syntheticCluster(42, 'typical');
const bench = new PolicySnapshot(resources);

interface Case {
  ref: EndpointRef | ResolvedPeer;
  direction: Direction;
  flow: FlowInput;
}

/** Random one-sided cases: pods, hosts, network-set and unknown peers, several protocols and ports. */
function randomCases(seed: number, n: number): Case[] {
  const rnd = prng(seed);
  const int = (k: number) => Math.floor(rnd() * k);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const podIp = () => `10.0.${(int(10_000) + 256) >> 8}.${(int(10_000) + 256) & 255}`;
  const peerIp = () => {
    const k = int(10);
    if (k < 6) return podIp();
    if (k < 7) return `192.168.0.${int(100)}`;
    if (k < 9) return `172.${16 + int(16)}.${int(256)}.${int(256)}`;
    return `${100 + int(100)}.${int(256)}.${int(256)}.${int(256)}`;
  };
  const protos: (string | number)[] = ['tcp', 'TCP', 'udp', 'icmp', 'sctp', 6, 17, 1, 132];
  const ports = [22, 53, 443, 5432, 8000, 8001, 8003, 8005, 8009, 9090, 30000 + int(1000)];
  const out: Case[] = [];
  while (out.length < n) {
    const direction: Direction = rnd() < 0.5 ? 'ingress' : 'egress';
    const local = rnd() < 0.9 ? podIp() : `192.168.0.${int(100)}`;
    const peer = peerIp();
    const protocol = pick(protos);
    const flow: FlowInput =
      direction === 'ingress'
        ? { srcIp: peer, dstIp: local, protocol, srcPort: int(3) ? 30000 + int(30000) : pick(ports), dstPort: int(8) ? pick(ports) : null }
        : { srcIp: local, dstIp: peer, protocol, srcPort: 30000 + int(30000), dstPort: int(8) ? pick(ports) : null };
    const withIcmp = protocol === 'icmp' || protocol === 1 ? { ...flow, icmpType: int(10), icmpCode: int(3) } : flow;
    const resolved = bench.resolveIp(local);
    // Both calling conventions of the ingest code: a ResolvedPeer, or a reference by identity.
    const ref: EndpointRef | ResolvedPeer = rnd() < 0.5 ? resolved : { kind: resolved.endpoint?.kind, namespace: resolved.namespace || undefined, name: resolved.name };
    if (!resolved.endpoint) continue;
    out.push({ ref, direction, flow: withIcmp });
  }
  return out;
}

describe('decideDirection (decision-only fast path)', () => {
  it('equals evaluateDirection(...).decision over random flows of the benchmark snapshot, enforced and pending', () => {
    const cases = randomCases(20240607, 3000);
    let allows = 0;
    const kinds = new Set<string>();
    for (const [i, c] of cases.entries()) {
      for (const pending of [false, true]) {
        // Interleave both paths (and call decideDirection twice) so neither only ever sees warm caches.
        const fast = bench.decideDirection(c.ref, c.direction, c.flow, { pending });
        const full = bench.evaluateDirection(c.ref, c.direction, c.flow, { pending });
        assert.equal(fast, full.decision, `case ${i} pending=${pending}: ${JSON.stringify(c)}`);
        assert.equal(bench.decideDirection(c.ref, c.direction, c.flow, pending ? { pending } : undefined), fast);
        if (fast.verdict === 'allow') allows++;
        kinds.add(fast.kind);
      }
    }
    // The generator must exercise every outcome, or the property says little.
    assert.ok(allows > 500 && allows < cases.length * 2 - 500, `allows ${allows}`);
    assert.deepEqual([...kinds].sort(), ['end-of-tier', 'profile', 'rule']);
  });

  it('gives the same decision whether the endpoint is passed as our ResolvedPeer, by identity, or as another snapshot\'s peer', () => {
    const other = new PolicySnapshot(resources);
    for (const c of randomCases(99, 1500)) {
      const local = c.direction === 'ingress' ? c.flow.dstIp : c.flow.srcIp;
      const mine = bench.resolveIp(local as string);
      const foreign = other.resolveIp(local as string);
      const byId: EndpointRef = { kind: mine.endpoint?.kind, namespace: mine.namespace || undefined, name: mine.name };
      for (const pending of [false, true]) {
        const d = bench.decideDirection(mine, c.direction, c.flow, { pending });
        assert.equal(bench.decideDirection(byId, c.direction, c.flow, { pending }), d);
        assert.equal(bench.decideDirection(foreign, c.direction, c.flow, { pending }), d);
        // Without the flow's IP for the local side, the peer's own IP is used.
        const noIp = c.direction === 'ingress' ? { ...c.flow, dstIp: null } : { ...c.flow, srcIp: null };
        assert.equal(bench.decideDirection(mine, c.direction, noIp, { pending }), d);
        assert.equal(bench.decideDirection(foreign, c.direction, noIp, { pending }), d);
      }
    }
  });

  it('agrees with decideFlow and evaluateFlow on both sides', () => {
    const rnd = prng(7);
    const { flows } = syntheticCluster(42, 'typical');
    for (let i = 0; i < 1000; i++) {
      const f = flows[Math.floor(rnd() * flows.length)];
      const full = bench.evaluateFlow(f);
      const fast = bench.decideFlow(f);
      assert.equal(fast.allowed, full.allowed);
      assert.equal(fast.egress, full.egress?.enforced.decision ?? null);
      assert.equal(fast.ingress, full.ingress?.enforced.decision ?? null);
      if (full.egress) assert.equal(bench.decideDirection(full.src, 'egress', f, { pending: true }), full.egress.pending.decision);
      if (full.ingress) assert.equal(bench.decideDirection(full.dst, 'ingress', f, { pending: true }), full.ingress.pending.decision);
    }
  });

  it('rejects a side that is not a local endpoint, like evaluateDirection', () => {
    const s = snap();
    assert.throws(() => s.decideDirection(s.resolveIp('8.8.8.8'), 'ingress', { srcIp: CLIENT, protocol: 'tcp' }), /not a local endpoint/);
    assert.equal(s.decideDirection({ namespace: 'prod', name: 'web' }, 'ingress', { srcIp: CLIENT, protocol: 'tcp', dstPort: 80 }).verdict, 'allow');
    assert.equal(s.decideDirection(s.resolveIp(WEB), 'egress', { dstIp: CLIENT, protocol: 'tcp', dstPort: 80 }).kind, 'profile');
  });
});

describe('usesSourcePorts', () => {
  const gnp = (rule: string) => `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\nspec:\n  selector: all()\n  ingress: [${rule}]`;
  it('is false when no rule matches on source ports (destination ports do not count)', () => {
    assert.equal(snap().usesSourcePorts, false);
    assert.equal(snap(gnp('{action: Allow, protocol: TCP, destination: {ports: [80]}, source: {nets: [10.0.0.0/8]}}')).usesSourcePorts, false);
    assert.equal(bench.usesSourcePorts, false);
  });
  it('is true for source ports or notPorts in a policy, a staged policy or a profile', () => {
    assert.equal(snap(gnp('{action: Allow, protocol: TCP, source: {ports: [53]}}')).usesSourcePorts, true);
    assert.equal(snap(gnp('{action: Deny, protocol: UDP, source: {notPorts: ["1:1023"]}}')).usesSourcePorts, true);
    const staged = `apiVersion: projectcalico.org/v3\nkind: StagedGlobalNetworkPolicy\nmetadata: {name: s}\nspec:\n  selector: all()\n  egress: [{action: Allow, protocol: TCP, source: {ports: [8080]}}]`;
    assert.equal(snap(staged).usesSourcePorts, true);
    const profile = `apiVersion: projectcalico.org/v3\nkind: Profile\nmetadata: {name: pr}\nspec:\n  ingress: [{action: Allow, protocol: TCP, source: {ports: [22]}}]`;
    assert.equal(snap(profile).usesSourcePorts, true);
  });
});
