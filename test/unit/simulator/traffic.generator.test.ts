import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PolicySnapshot, parseManifests } from '../../../src/policy';
import { generateCluster } from '../../../src/simulator/cluster.generator';
import { TrafficGenerator } from '../../../src/simulator/traffic.generator';
import { SimEvent } from '../../../src/simulator/traffic.types';

function take(g: TrafficGenerator, n: number): SimEvent[] {
  const out: SimEvent[] = [];
  for (let i = 0; i < n; i++) out.push(g.next());
  return out;
}

describe('TrafficGenerator', () => {
  it('is deterministic for a seed', () => {
    const run = () =>
      JSON.stringify(
        take(new TrafficGenerator(generateCluster('demo', { seed: 7 }), { seed: 7, churnEvery: 50 }), 500).map((e) =>
          e.type === 'flow' ? [e.connection.src.ip, e.connection.dst.ip, e.connection.dstPort, e.connection.time, e.records.map((r) => r.action)] : [e.key, !!e.manifest],
        ),
      );
    assert.equal(run(), run());
  });

  it('traces agree with a fresh engine snapshot of the current inventory', () => {
    const g = new TrafficGenerator(generateCluster('demo'), { churnEvery: 100, policyChangeEvery: 700 });
    let checked = 0;
    for (let i = 0; i < 3000; i++) {
      const e = g.next();
      if (e.type !== 'flow' || i % 7 !== 0) continue;
      // Rebuilt from what the inventory topic would hold right now, real IPs included.
      const snap = new PolicySnapshot(parseManifests(g.currentInventory()));
      const c = e.connection;
      const ev = snap.evaluateFlow({ srcIp: c.src.ip, dstIp: c.dst.ip, protocol: c.protocol, srcPort: c.srcPort, dstPort: c.dstPort });
      for (const r of e.records.filter((x) => x.action !== 'log')) {
        const side = r.reporter === 'src' ? ev.egress : ev.ingress;
        assert.ok(side, `${r.reporter} record for a side the engine says is not a cluster endpoint`);
        assert.equal(r.action, side.enforced.decision.verdict);
        assert.deepEqual(r.enforced.map((h) => [h.tier, h.name, h.action, h.ruleIndex]), side.enforced.trace.hits.map((h) => [h.tier, h.name, h.action, h.ruleIndex]));
        assert.deepEqual(r.pending.map((h) => [h.tier, h.name, h.action, h.ruleIndex]), side.pending.trace.hits.map((h) => [h.tier, h.name, h.action, h.ruleIndex]));
        checked++;
      }
    }
    assert.ok(checked > 300, `only ${checked} records checked`);
  });

  it('emits a record per cluster-endpoint side, none for outside peers, and no dst record after a src deny', () => {
    const g = new TrafficGenerator(generateCluster('demo'), { unexpectedRatio: 0.3 });
    let srcDenies = 0;
    for (const e of take(g, 5000)) {
      if (e.type !== 'flow') continue;
      const c = e.connection;
      const main = e.records.filter((r) => r.action !== 'log');
      const reporters = main.map((r) => r.reporter);
      const local = (x: typeof c.src) => x.type === 'wep' || x.type === 'hep';
      assert.equal(reporters.includes('src'), local(c.src));
      const srcDenied = main.some((r) => r.reporter === 'src' && r.action === 'deny');
      if (srcDenied) srcDenies++;
      assert.equal(reporters.includes('dst'), local(c.dst) && !srcDenied);
    }
    assert.ok(srcDenies > 0);
  });

  it('produces allows, denies, logs, end-of-tier, profile and IPv6 traffic', () => {
    const g = new TrafficGenerator(generateCluster('demo'), { unexpectedRatio: 0.2 });
    const seen = new Set<string>();
    for (const e of take(g, 20000)) {
      if (e.type !== 'flow') continue;
      if (e.connection.src.ip.includes(':')) seen.add('ipv6');
      for (const r of e.records) {
        seen.add(r.action);
        const last = r.enforced[r.enforced.length - 1];
        if (r.action !== 'log' && last?.ruleIndex === -1) seen.add('end-of-tier');
        if (last?.tier === '__PROFILE__') seen.add('profile');
        if (r.pending.some((h) => h.kind.startsWith('Staged'))) seen.add('staged');
      }
    }
    assert.deepEqual([...seen].sort(), ['allow', 'deny', 'end-of-tier', 'ipv6', 'log', 'profile', 'staged']);
  });

  it('never gives two live pods the same IP under churn, reuses freed IPs for another deployment, and announces pods before their traffic', () => {
    const g = new TrafficGenerator(generateCluster('demo'), { churnEvery: 20 });
    const live = new Map<string, string>(); // ip -> pod key
    const deployments = new Map<string, string>(); // ip -> deployment of its last owner
    for (const m of g.inventory()) if (m.kind === 'Pod') live.set((m.status as { podIP: string }).podIP, `${m.metadata.namespace}/${m.metadata.name}`);
    for (const ip of live.keys()) deployments.set(ip, '');
    let reusedByOther = 0;
    for (const e of take(g, 6000)) {
      if (e.type === 'inventory') {
        if (!e.key.startsWith('Pod/')) continue;
        const podKey = e.key.slice(4);
        if (e.manifest === null) {
          for (const [ip, k] of live) if (k === podKey) live.delete(ip);
        } else {
          const ip = (e.manifest.status as { podIP: string }).podIP;
          assert.ok(!live.has(ip), `${ip} given to ${podKey} while ${live.get(ip)} lives`);
          live.set(ip, podKey);
          const owner = e.manifest.metadata.labels?.app ?? '';
          if (deployments.has(ip) && deployments.get(ip) !== '' && deployments.get(ip) !== owner) reusedByOther++;
          deployments.set(ip, owner);
        }
        continue;
      }
      for (const ep of [e.connection.src, e.connection.dst]) {
        if (ep.pod) assert.equal(live.get(ep.ip.includes(':') ? ep.pod.ips[0] : ep.ip), `${ep.pod.namespace}/${ep.pod.name}`, 'traffic from a pod the inventory has not announced');
      }
    }
    assert.ok(reusedByOther > 0, 'no IP was reused by another deployment');
  });

  it('changes policies over time and later traces follow the change', () => {
    const g = new TrafficGenerator(generateCluster('demo'), { policyChangeEvery: 200, churnEvery: 0 });
    const changes = take(g, 1000).filter((e) => e.type === 'inventory');
    assert.ok(changes.some((e) => e.type === 'inventory' && e.manifest?.kind === 'NetworkPolicy'), 'no policy added');
    assert.ok(changes.some((e) => e.type === 'inventory' && e.manifest === null && e.key.startsWith('StagedNetworkPolicy/')), 'no staged policy promoted');
  });

  it('injects stale traces that disagree with the current policy, and unknown endpoints', () => {
    const g = new TrafficGenerator(generateCluster('demo'), { staleRatio: 0.2, unknownEndpointRatio: 0.05, unexpectedRatio: 0.3, churnEvery: 0, policyChangeEvery: 0 });
    const snap = new PolicySnapshot(parseManifests(g.currentInventory()));
    let stale = 0;
    let unknown = 0;
    for (const e of take(g, 5000)) {
      if (e.type !== 'flow') continue;
      const c = e.connection;
      if (c.intent === 'unknown-endpoint') {
        unknown++;
        const peer = c.src.type === 'net' ? c.src : c.dst;
        assert.equal(snap.resolveIp(peer.ip).type, 'net');
        assert.match(peer.ip, /^10\.244\./);
      }
      if (!c.stale) continue;
      stale++;
      const ev = snap.evaluateFlow({ srcIp: c.src.ip, dstIp: c.dst.ip, protocol: c.protocol, srcPort: c.srcPort, dstPort: c.dstPort });
      const now = `${ev.egress?.enforced.decision.verdict}/${ev.ingress?.enforced.decision.verdict}`;
      const emitted = e.records.filter((r) => r.action !== 'log').map((r) => r.action);
      assert.notDeepEqual(emitted, [ev.egress?.enforced.decision.verdict, ev.ingress?.enforced.decision.verdict].filter(Boolean), `stale record agrees with ${now}`);
    }
    assert.ok(stale > 10 && unknown > 10, `stale ${stale}, unknown ${unknown}`);
  });
});
