/**
 * Property test on feature-rich random clusters (every rule field, staged actions, profiles with
 * Log/Pass, host endpoints, network sets, IPv4 and IPv6, Kubernetes policies): the fast paths
 * (`decideDirection`, `decideFlow`) agree with the traced evaluation. The benchmark snapshot used in
 * decide.test.ts exercises scale; this one exercises rule features the benchmark does not use.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Decision, EvaluationPath, FlowInput, loadManifests, PolicySnapshot } from '../../../src/policy';
import { randomClusterManifests } from './random-cluster';

function randomCluster(seed: number): { snap: PolicySnapshot; ips: string[]; rnd: () => number } {
  const { raw, ips, rnd } = randomClusterManifests(seed);
  return { snap: new PolicySnapshot(loadManifests(raw).resources), ips, rnd };
}

/** What the explained path says decided: must be the evaluator's decision. */
function pathOutcome(p: EvaluationPath): [string, string, string | undefined, number | undefined, boolean] {
  const uncertain = [...p.tiers.flatMap((t) => t.policies), ...p.profiles].some((x) => x.misses.some((m) => m.uncertain));
  const lastTier = p.tiers[p.tiers.length - 1];
  if (p.profiles.length === 0 && lastTier) {
    const last = lastTier.policies[lastTier.policies.length - 1];
    if (last.outcome === 'allow' || last.outcome === 'deny') return [last.outcome, 'rule', last.name, last.ruleIndex ?? undefined, uncertain];
    if (lastTier.endOfTier?.action === 'deny' && !p.noProfile) return ['deny', 'end-of-tier', lastTier.endOfTier.lastPolicy.name, -1, uncertain];
  }
  if (p.noProfile) return ['deny', 'no-profile', '__PROFILE__', -1, uncertain];
  const prof = p.profiles[p.profiles.length - 1];
  if (prof.outcome === 'allow' || prof.outcome === 'deny') return [prof.outcome, 'profile', prof.name, prof.ruleIndex ?? undefined, uncertain];
  return ['deny', 'profile', prof.name, -1, uncertain];
}

describe('fast paths on random feature-rich clusters', () => {
  it('decideDirection / decideFlow equal the traced evaluation (200 clusters x 100 flows)', () => {
    let sides = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const { snap, ips, rnd } = randomCluster(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
      const v4 = ips.filter((x) => !x.includes(':'));
      const v6 = ips.filter((x) => x.includes(':'));
      for (let f = 0; f < 100; f++) {
        const fam = rnd() < 0.7 ? v4 : v6;
        const flow: FlowInput = {
          srcIp: pick(fam),
          dstIp: pick(fam),
          protocol: pick(['tcp', 'udp', 'icmp', 58, 'sctp']),
          srcPort: pick([35000, 8080, null]),
          dstPort: pick([80, 8080, 53, 22, 8500, null]),
          icmpType: pick([8, 0, null]),
          icmpCode: pick([0, 1, null]),
          dstService: rnd() < 0.1 ? { name: 'svc', namespace: 'a' } : null,
          httpMethod: pick([null, null, 'GET', 'POST']),
          httpPath: pick([null, null, '/a', '/b/c', '/a?x']),
        };
        const full = snap.evaluateFlow(flow);
        const fast = snap.decideFlow(flow);
        assert.equal(fast.ingress, full.ingress?.enforced.decision ?? null);
        assert.equal(fast.egress, full.egress?.enforced.decision ?? null);
        for (const [dir, side, peer] of [['ingress', full.ingress, full.dst], ['egress', full.egress, full.src]] as const) {
          if (!side) continue;
          sides++;
          const ref = { namespace: peer.namespace || undefined, name: peer.name };
          for (const pending of [false, true]) {
            const want: Decision = pending ? side.pending.decision : side.enforced.decision;
            assert.equal(snap.decideDirection(peer, dir, flow, { pending }), want, `seed ${seed} ${JSON.stringify(flow)} ${dir} pending=${pending}`);
            assert.equal(snap.decideDirection(ref, dir, flow, { pending }), want);
            assert.equal(snap.evaluateDirection(ref, dir, flow, { pending }).decision, want);
            const explained = snap.explainDirection(ref, dir, flow, { pending });
            assert.equal(explained.decision, want);
            assert.deepEqual(pathOutcome(explained.path), [want.verdict, want.kind, want.name, want.ruleIndex, !!want.uncertain], `path of seed ${seed} ${dir} pending=${pending}`);
          }
        }
      }
    }
    assert.ok(sides > 20_000, `only ${sides} sides evaluated`);
  });
});
