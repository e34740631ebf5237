import { ACTION_ALLOW, ACTION_LOG, ACTION_PASS, MatchContext, matchRule, RuleMatcher, ruleMismatch } from '../rules';
import { applyingGroups } from './direction.evaluator';
import { EvaluationPath, PathPolicy, PathTier, RuleMiss } from './evaluation.types';
import { EndpointRuntime, EvalEnv } from './runtime.types';

interface Ident {
  readonly kind: PathPolicy['kind'];
  readonly namespace: string;
  readonly name: string;
  readonly order: number | null;
}

const identOf = (i: Ident): Ident => ({ kind: i.kind, namespace: i.namespace, name: i.name, order: i.order });

/**
 * Walks one policy's rules like the evaluator does, recording why each rule before the outcome did
 * not match. Uses the policy's compiled rules as written (not the per-endpoint programs), so it is
 * slow but independent of the fast path's specialisations; tests keep both agreeing.
 */
function walkPolicy(ident: Ident, rules: readonly RuleMatcher[], c: MatchContext, env: EvalEnv, policyNamespace: string, passIsDecisive: boolean): PathPolicy {
  const misses: RuleMiss[] = [];
  const logged: number[] = [];
  for (const r of rules) {
    if (!matchRule(r, c, env.selectors)) {
      const m = ruleMismatch(r, c, env.selectors, policyNamespace);
      misses.push({ ruleIndex: r.index, reason: m?.reason ?? 'no match', uncertain: m?.unknown ?? false });
      continue;
    }
    if (r.action === ACTION_LOG) {
      logged.push(r.index);
      continue;
    }
    // Inside profiles a Pass is no decision: the next profile is tried.
    if (r.action === ACTION_PASS && !passIsDecisive) break;
    const outcome = r.action === ACTION_ALLOW ? 'allow' : r.action === ACTION_PASS ? 'pass' : 'deny';
    return { ...identOf(ident), outcome, ruleIndex: r.index, rule: r.rule, misses, logged };
  }
  return { ...identOf(ident), outcome: 'no-match', ruleIndex: null, rule: null, misses, logged };
}

/** The evaluation path of one direction at one endpoint; `c` is already prepared for the flow. */
export function explainPath(env: EvalEnv, ep: EndpointRuntime, dir: number, pending: boolean, c: MatchContext): EvaluationPath {
  const tiers: PathTier[] = [];
  for (const g of applyingGroups(env.tiers, ep, dir, pending)) {
    const policies: PathPolicy[] = [];
    let passed = false;
    for (const p of g.policies) {
      const step = walkPolicy(p, p.rules[dir], c, env, p.namespace, true);
      policies.push(step);
      if (step.outcome === 'allow' || step.outcome === 'deny') {
        tiers.push({ tier: g.tier.info, policies, endOfTier: null });
        return { tiers, profiles: [], noProfile: false };
      }
      if (step.outcome === 'pass') {
        passed = true;
        break;
      }
    }
    const lastPolicy = policies[policies.length - 1];
    if (passed) {
      tiers.push({ tier: g.tier.info, policies, endOfTier: null });
      continue;
    }
    tiers.push({ tier: g.tier.info, policies, endOfTier: { action: g.tier.denyAtEnd ? 'deny' : 'pass', lastPolicy } });
    if (g.tier.denyAtEnd) return { tiers, profiles: [], noProfile: false };
  }
  const profiles: PathPolicy[] = [];
  for (const prof of ep.profiles) {
    const step = walkPolicy(prof.ident, prof.rules[dir], c, env, '', false);
    profiles.push(step);
    if (step.outcome === 'allow' || step.outcome === 'deny') break;
  }
  return { tiers, profiles, noProfile: ep.profiles.length === 0 };
}
