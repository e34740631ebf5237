/**
 * Property test: a snapshot derived with `withChanges` decides exactly like one built from scratch
 * from the same inventory (enforced and pending verdicts, traces, resolved peers, warnings), over
 * thousands of random changes: pods added, removed, relabelled, moved to another namespace, given
 * another pod's IP, finished; namespaces and service accounts relabelled; host endpoints changed;
 * now and then a policy or a network set (those rebuild). Each derived snapshot starts from a
 * parent whose caches are warm, and the parent must still decide as before once its child exists.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlowInput, loadManifests, normalizeResource, PolicySnapshot, Resource } from '../../../src/policy';
import { Obj, randomClusterManifests } from './random-cluster';

function resourceOf(m: Obj): Resource | null {
  try {
    const out = normalizeResource(m);
    return 'resource' in out ? out.resource : null;
  } catch {
    return null;
  }
}

/** The inventory as a from-scratch build sees it: replacements keep their place, additions go last. */
class Model {
  readonly byKey = new Map<string, Resource>();
  constructor(resources: readonly Resource[]) {
    for (const r of resources) this.byKey.set(r.key, r);
  }
  fresh(): PolicySnapshot {
    return new PolicySnapshot([...this.byKey.values()]);
  }
}

describe('incrementally derived snapshots', () => {
  it('decide exactly like snapshots built from scratch over thousands of random changes', () => {
    let changes = 0;
    let incremental = 0;
    let compared = 0;
    for (let seed = Number(process.env.SNAP_SEED ?? 1); seed <= Number(process.env.SNAP_SEED ?? 60); seed++) {
      const { raw, ips, rnd } = randomClusterManifests(seed);
      const int = (k: number) => Math.floor(rnd() * k);
      const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
      const resources = loadManifests(raw).resources;
      const model = new Model(resources);
      let snap = new PolicySnapshot(resources);
      const nss = ['a', 'b', 'c', 'd'];
      const apps = ['x', 'y', 'z', 'w'];
      const pool = [...ips, '10.0.0.40', '10.0.0.41', 'fd00::40', '192.168.0.1'];
      const policies = raw.filter((m) => String(m.kind).includes('Policy'));
      const flowsOf = (n: number): FlowInput[] =>
        Array.from({ length: n }, () => {
          const fam = rnd() < 0.7 ? pool.filter((x) => !x.includes(':')) : pool.filter((x) => x.includes(':'));
          return {
            srcIp: pick(fam),
            dstIp: pick(fam),
            protocol: pick(['tcp', 'udp', 'icmp', 'sctp']),
            srcPort: pick([35000, 8080, null]),
            dstPort: pick([80, 8080, 53, 22, 8500, null]),
            icmpType: pick([8, 0, null]),
            httpMethod: pick([null, 'GET']),
            httpPath: pick([null, '/a']),
          };
        });
      const podManifest = (name: string, ns: string): Obj => {
        const ip4 = pick(pool.filter((x) => !x.includes(':')));
        return {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: ns, labels: { app: pick(apps), ...(rnd() < 0.3 ? { tier: 'fe' } : {}) } },
          spec: {
            serviceAccountName: pick(['sa1', 'default']),
            hostNetwork: rnd() < 0.05,
            containers: [{ name: 'c', ports: [{ name: 'http', containerPort: pick([80, 8080]) }] }],
          },
          status: { phase: rnd() < 0.1 ? 'Succeeded' : 'Running', podIP: ip4, podIPs: [{ ip: ip4 }, ...(rnd() < 0.5 ? [{ ip: pick(pool.filter((x) => x.includes(':'))) }] : [])] },
        };
      };
      for (let step = 0; step < 50; step++) {
        // Warm the parent's caches (IP resolutions, classes, programs, selector memos).
        const probe = flowsOf(15);
        const before = probe.map((f) => snap.evaluateFlow(f));
        const upserts: Resource[] = [];
        const deletions: string[] = [];
        const live = [...model.byKey.values()];
        const kindOf = (k: string) => live.filter((r) => r.kind === k);
        const n = 1 + int(3);
        for (let c = 0; c < n; c++) {
          const what = int(100);
          const pods = kindOf('Pod');
          if (what < 30 && pods.length) {
            // Relabel, or move to another namespace under the same name (a new key).
            const p = pick(pods);
            const m = podManifest(p.name, rnd() < 0.7 ? p.namespace : pick(nss));
            const r = resourceOf(m);
            if (r) {
              if (r.key !== p.key) deletions.push(p.key);
              upserts.push(r);
            }
          } else if (what < 45) {
            const r = resourceOf(podManifest(`n${seed}-${step}-${c}`, pick(nss)));
            if (r) upserts.push(r);
          } else if (what < 58 && pods.length) {
            deletions.push(pick(pods).key);
          } else if (what < 68) {
            const r = resourceOf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: pick(nss), labels: { env: pick(['p', 'd']), ...(rnd() < 0.3 ? { zone: 'z1' } : {}) } } });
            if (r) upserts.push(r);
          } else if (what < 75) {
            const r = resourceOf({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa1', namespace: pick(nss), labels: { trust: pick(['hi', 'lo']) } } });
            if (r) upserts.push(r);
          } else if (what < 82) {
            const r = resourceOf({
              apiVersion: 'projectcalico.org/v3',
              kind: 'HostEndpoint',
              metadata: { name: `h${int(3)}`, labels: { role: pick(['node', 'edge']) } },
              spec: { node: 'n0', interfaceName: 'eth0', expectedIPs: [pick(['192.168.0.1', '192.168.0.2', '10.0.0.3'])], profiles: pick([[], ['prof1'], ['projectcalico-default-allow']]) },
            });
            if (r) upserts.push(r);
          } else if (what < 86) {
            const r = resourceOf({
              apiVersion: 'projectcalico.org/v3',
              kind: 'WorkloadEndpoint',
              metadata: { name: `w${int(3)}`, namespace: pick(nss), labels: { app: pick(apps) } },
              spec: { node: 'n1', pod: 'x', endpoint: 'eth0', interfaceName: 'cali0', ipNetworks: [`${pick(pool.filter((x) => !x.includes(':')))}/32`], serviceAccountName: 'sa1' },
            });
            if (r) upserts.push(r);
          } else if (what < 94 && policies.length) {
            // A policy edited (another selector) or deleted: the rebuild path.
            const m = pick(policies) as { spec: Obj };
            const r = resourceOf({ ...m, spec: { ...m.spec, selector: pick(["app == 'x'", 'has(tier)', 'all()', "app != 'w'"]) } });
            if (r) (rnd() < 0.3 ? deletions.push(r.key) : upserts.push(r));
          } else {
            const r = resourceOf({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', metadata: { name: 'n1', namespace: 'a', labels: { zone: pick(['z1', 'z2']) } }, spec: { nets: [pick(['10.0.0.0/30', '203.0.113.0/24'])] } });
            if (r) upserts.push(r);
          }
        }
        changes += upserts.length + deletions.length;
        if (upserts.every((r) => ['Pod', 'Namespace', 'ServiceAccount', 'HostEndpoint', 'WorkloadEndpoint'].includes(r.kind)) && deletions.every((k) => k.startsWith('Pod/'))) incremental++;
        // A key both deleted and upserted in one change is replaced (it keeps its place).
        for (const k of deletions) if (!upserts.some((r) => r.key === k)) model.byKey.delete(k);
        for (const r of upserts) model.byKey.set(r.key, r);
        const next = snap.withChanges(upserts, deletions);
        const fresh = model.fresh();
        assert.deepEqual(next.resources.map((r) => r.key), fresh.resources.map((r) => r.key), `seed ${seed} step ${step}: resource order`);
        assert.deepEqual(next.warnings, fresh.warnings, `seed ${seed} step ${step}: warnings`);
        // Flows over the changed endpoints' IPs and refs, plus random ones; the derived snapshot
        // first, so its caches (inherited from the parent) are what gets tested.
        const touched = upserts.flatMap((r) => ('ips' in r ? (r.ips as string[]) : []));
        const flows = [...probe, ...flowsOf(15), ...touched.map((ip) => ({ srcIp: ip, dstIp: pick(pool.filter((x) => x.includes(':') === ip.includes(':'))), protocol: 'tcp', dstPort: 80 }))];
        for (const f of flows) {
          let want: unknown;
          let got: unknown;
          try {
            want = fresh.evaluateFlow(f);
          } catch (e) {
            want = (e as Error).message;
          }
          try {
            got = next.evaluateFlow(f);
          } catch (e) {
            got = (e as Error).message;
          }
          assert.deepEqual(got, want, `seed ${seed} step ${step}: ${JSON.stringify(f)} after ${JSON.stringify(upserts.map((r) => [r.key, (r as { labels?: unknown }).labels]))} -${deletions.join()}`);
          if (typeof want !== 'string') {
            const decided = fresh.decideFlow(f);
            assert.deepEqual(next.decideFlow(f), decided);
            // A what-if's shortcut: sides that meet the same policies keep the parent's decision.
            assert.deepEqual(next.decideFlowSince(snap, snap.decideFlow(f), f), decided, `seed ${seed} step ${step}: decideFlowSince ${JSON.stringify(f)}`);
          }
          compared++;
        }
        for (const r of upserts) {
          if (r.kind !== 'Pod' && r.kind !== 'WorkloadEndpoint' && r.kind !== 'HostEndpoint') continue;
          const ref = { kind: r.kind, namespace: r.namespace || undefined, name: r.name };
          const f = { protocol: 'tcp', dstPort: 80, srcIp: '10.0.0.1' };
          for (const pending of [false, true]) {
            assert.deepEqual(next.evaluateDirection(ref, 'ingress', f, { pending }), fresh.evaluateDirection(ref, 'ingress', f, { pending }));
            assert.deepEqual(next.applyingPolicies(ref, 'egress', { pending }), fresh.applyingPolicies(ref, 'egress', { pending }));
          }
        }
        // The parent is still the inventory it was.
        probe.forEach((f, i) => assert.deepEqual(snap.evaluateFlow(f), before[i], `seed ${seed} step ${step}: parent changed`));
        snap = next;
      }
    }
    assert.ok(changes >= 5_000, `only ${changes} changes`);
    assert.ok(incremental >= 2_000, `only ${incremental} incremental steps`);
    assert.ok(compared >= 80_000, `only ${compared} flows compared`);
  });
});
