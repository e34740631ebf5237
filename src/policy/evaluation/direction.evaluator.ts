import { PROFILE_TIER, RULE_INDEX_END_OF_TIER } from '../hits/hit.types';
import { ACTION_ALLOW, ACTION_LOG, ACTION_PASS, MatchContext } from '../rules';
import { Decision, LogHit, TraceHit } from './evaluation.types';
import { CompiledPolicy, CompiledTier, EndpointRuntime, TierGroup } from './runtime.types';

const NO_PROFILE: Decision = Object.freeze({ verdict: 'deny', kind: 'no-profile' });

/** Collects hits when a trace is wanted; the fast path passes null and allocates nothing. */
export interface TraceSink {
  hits: TraceHit[];
  logs: LogHit[];
}

function hit(
  sink: TraceSink,
  tier: string,
  tierOrder: number | null,
  p: { kind: TraceHit['kind']; namespace: string; name: string; order: number | null },
  ruleIndex: number,
  action: TraceHit['action'],
): void {
  sink.hits.push({
    index: sink.hits.length,
    tier,
    tierOrder,
    kind: p.kind,
    namespace: p.namespace,
    name: p.name,
    policyOrder: p.order,
    ruleIndex,
    action,
  });
}

/**
 * Which tiers/policies apply to the endpoint for a direction, in evaluation order. Cached on the
 * endpoint: the snapshot is immutable, so the answer never changes for its lifetime.
 */
export function applyingGroups(tiers: readonly CompiledTier[], ep: EndpointRuntime, dir: number, pending: boolean): readonly TierGroup[] {
  const slot = dir * 2 + (pending ? 1 : 0);
  const cached = ep.applying[slot];
  if (cached) return cached;
  const groups: TierGroup[] = [];
  for (const t of tiers) {
    const ps: CompiledPolicy[] = [];
    for (const p of t.policies) {
      if (!(pending ? p.inPending : p.inEnforced) || !p.hasDir[dir]) continue;
      if (p.applies(ep.allLabels, 0)) ps.push(p);
    }
    // A tier with no applying policy is skipped entirely: its default action never runs.
    if (ps.length) groups.push({ tier: t, policies: ps, last: ps[ps.length - 1] });
  }
  ep.applying[slot] = groups;
  return groups;
}

/** Digest rules 14-16: tiers in order, first decisive rule wins, Pass skips to the next tier. */
export function evaluateDirection(
  tiers: readonly CompiledTier[],
  ep: EndpointRuntime,
  dir: number,
  pending: boolean,
  c: MatchContext,
  sink: TraceSink | null,
): Decision {
  const groups = applyingGroups(tiers, ep, dir, pending);
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi];
    const tier = g.tier;
    let passed = false;
    const ps = g.policies;
    policies: for (let pi = 0; pi < ps.length; pi++) {
      const p = ps[pi];
      const rules = p.rules[dir];
      for (let ri = 0; ri < rules.length; ri++) {
        const r = rules[ri];
        if (!r.match(c)) continue;
        if (r.action === ACTION_LOG) {
          if (sink) {
            sink.logs.push({
              tier: tier.name,
              tierOrder: tier.order,
              kind: p.kind,
              namespace: p.namespace,
              name: p.name,
              policyOrder: p.order,
              ruleIndex: ri,
              afterHit: sink.hits.length,
            });
          }
          continue;
        }
        if (r.action === ACTION_PASS) {
          if (sink) hit(sink, tier.name, tier.order, p, ri, 'pass');
          passed = true;
          break policies;
        }
        if (sink) hit(sink, tier.name, tier.order, p, ri, r.action === ACTION_ALLOW ? 'allow' : 'deny');
        return r.decision as Decision;
      }
    }
    if (passed) continue;
    // End of tier: attributed to the last applying policy, rule index -1.
    if (sink) hit(sink, tier.name, tier.order, g.last, RULE_INDEX_END_OF_TIER, tier.denyAtEnd ? 'deny' : 'pass');
    if (tier.denyAtEnd) return g.last.endOfTierDecision;
  }
  return evaluateProfiles(ep, dir, c, sink);
}

function evaluateProfiles(ep: EndpointRuntime, dir: number, c: MatchContext, sink: TraceSink | null): Decision {
  const profiles = ep.profiles;
  if (profiles.length === 0) return NO_PROFILE;
  for (let i = 0; i < profiles.length; i++) {
    const prof = profiles[i];
    const rules = prof.rules[dir];
    const ident = { kind: 'Profile' as const, namespace: '', name: prof.name, order: null };
    for (let ri = 0; ri < rules.length; ri++) {
      const r = rules[ri];
      if (!r.match(c)) continue;
      if (r.action === ACTION_LOG) {
        if (sink) {
          sink.logs.push({ tier: PROFILE_TIER, tierOrder: null, ...ident, policyOrder: null, ruleIndex: ri, afterHit: sink.hits.length });
        }
        continue;
      }
      // Pass has no next tier inside profiles: treated as "no decision here", try the next profile.
      if (r.action === ACTION_PASS) break;
      if (sink) hit(sink, PROFILE_TIER, null, ident, ri, r.action === ACTION_ALLOW ? 'allow' : 'deny');
      return r.decision as Decision;
    }
  }
  const last = profiles[profiles.length - 1];
  if (sink) hit(sink, PROFILE_TIER, null, { kind: 'Profile', namespace: '', name: last.name, order: null }, RULE_INDEX_END_OF_TIER, 'deny');
  return last.endDecision;
}
