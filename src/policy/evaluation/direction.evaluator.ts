import { PROFILE_TIER, RULE_INDEX_END_OF_TIER } from '../hits/hit.types';
import { NAMESPACE_LABEL } from '../selector';
import { ACTION_ALLOW, ACTION_LOG, ACTION_PASS, MatchContext, matchRule, specialiseForLocal } from '../rules';
import { Decision, LogHit, TraceHit } from './evaluation.types';
import { CompiledPolicy, CompiledTier, EndpointRuntime, EvalEnv, FAST_PROTOCOLS, PROTO_INDEX, RuleRuntime, TierGroup, TierProgram } from './runtime.types';

/** No policy decided and the endpoint has no profile: the dataplane reports `__PROFILE__` itself, rule -1. */
const NO_PROFILE_IDENT = Object.freeze({ kind: 'Profile' as const, namespace: '', name: PROFILE_TIER, order: null });
const NO_PROFILE: Decision = Object.freeze({
  verdict: 'deny',
  kind: 'no-profile',
  tier: PROFILE_TIER,
  tierOrder: null,
  policyKind: 'Profile',
  namespace: '',
  name: PROFILE_TIER,
  policyOrder: null,
  ruleIndex: RULE_INDEX_END_OF_TIER,
});

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
  const k = ep.cls;
  const cached = k.applying[slot];
  if (cached) return cached;
  const selected = (k.selected ??= selectedPolicies(tiers, ep));
  const groups: TierGroup[] = [];
  for (let ti = 0; ti < tiers.length; ti++) {
    const ps: CompiledPolicy[] = [];
    for (const p of selected[ti]) if ((pending ? p.inPending[dir] : p.inEnforced) && p.hasDir[dir]) ps.push(p);
    // A tier with no applying policy is skipped entirely: its default action never runs.
    if (ps.length) groups.push({ tier: tiers[ti], policies: ps, last: ps[ps.length - 1] });
  }
  // Most endpoints have no staged policy: then the pending view is the enforced one, and sharing
  // the very same array lets programFor share the compiled programs too.
  const other = k.applying[slot ^ 1];
  if (other && sameGroups(other, groups)) {
    k.applying[slot] = other;
    return other;
  }
  k.applying[slot] = groups;
  return groups;
}

function sameGroups(a: readonly TierGroup[], b: readonly TierGroup[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i].policies;
    const y = b[i].policies;
    if (a[i].tier !== b[i].tier || x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

/**
 * Per tier, the policies whose selector matches the endpoint, in tier order. Evaluated once per
 * endpoint for all four slots, and only over the tier's global policies plus the namespaced ones of
 * the endpoint's own namespace (a NetworkPolicy never selects outside its namespace).
 */
function selectedPolicies(tiers: readonly CompiledTier[], ep: EndpointRuntime): CompiledPolicy[][] {
  const ns = ep.allLabels[NAMESPACE_LABEL];
  return tiers.map((t) => {
    const local = typeof ns === 'string' ? t.byNamespace.get(ns) : undefined;
    const out: CompiledPolicy[] = [];
    for (const p of t.global) if (p.applies(ep.allLabels, 0)) out.push(p);
    if (local) {
      for (const p of local) if (p.applies(ep.allLabels, 0)) out.push(p);
      if (out.length > 1) out.sort((a, b) => a.pos - b.pos);
    }
    return out;
  });
}

function programFor(env: EvalEnv, ep: EndpointRuntime, dir: number, pending: boolean, proto: number): readonly TierProgram[] {
  const slot = dir * 2 + (pending ? 1 : 0);
  // Common protocols live in a small array on the endpoint (one load instead of a Map probe).
  const pi = PROTO_INDEX[proto];
  if (pi !== undefined) {
    const hit = ep.cls.fastPrograms[slot * FAST_PROTOCOLS + pi];
    if (hit !== undefined) return hit;
  }
  const cache = ep.cls.programs[slot];
  const cached = cache.get(proto);
  if (cached) return cached;
  const groups = applyingGroups(env.tiers, ep, dir, pending);
  if (ep.cls.applying[slot ^ 1] === groups) {
    // Same applying policies as the other stage (enforced / pending): same program.
    const shared = ep.cls.programs[slot ^ 1].get(proto);
    if (shared) return remember(ep, slot, proto, pi, shared);
  }
  return remember(ep, slot, proto, pi, buildProgram(env, ep, dir, proto, groups));
}

// Kept apart from programFor: its closures would make every call allocate a context (~70 bytes),
// even the warm ones that return from the cache.
function buildProgram(env: EvalEnv, ep: EndpointRuntime, dir: number, proto: number, groups: readonly TierGroup[]): readonly TierProgram[] {
  // Ingress is evaluated at the destination, egress at the source: that side is this endpoint.
  const isSrcLocal = dir !== 0;
  const programs = groups.map((group) => {
    const rules: RuleRuntime[] = [];
    const owners: CompiledPolicy[] = [];
    for (const p of group.policies) {
      for (const r of p.rules[dir]) {
        if (r.proto !== -1 && r.proto !== proto) continue;
        if (r.notProto !== -1 && r.notProto === proto) continue;
        const s = specialiseForLocal(r, isSrcLocal, ep, proto, env.selectors, env.netsetList);
        if (s === null) continue;
        rules.push(s);
        owners.push(p);
      }
    }
    return { group, rules, owners };
  });
  // Endpoints alike (same applying policies, same specialised rules) share one program: far less
  // memory, and a decision then touches data that other endpoints' decisions keep in cache.
  let key = '';
  for (const prog of programs) {
    key += prog.group.tier.name + ':';
    for (const p of prog.group.policies) key += p.pos + ',';
    key += ':';
    for (const r of prog.rules) key += r.uid + ',';
    key += ';';
  }
  let shared = env.programs.get(key);
  if (!shared) {
    shared = programs;
    env.programs.set(key, shared);
  }
  return shared;
}

function remember(ep: EndpointRuntime, slot: number, proto: number, pi: number | undefined, programs: readonly TierProgram[]): readonly TierProgram[] {
  ep.cls.programs[slot].set(proto, programs);
  if (pi !== undefined) ep.cls.fastPrograms[slot * FAST_PROTOCOLS + pi] = programs;
  return programs;
}

// Uncertain twins of the shared decisions, made on first use: a flow without HTTP rules in its
// path never touches this, and a warm uncertain one allocates nothing either.
const uncertainTwins = new WeakMap<Decision, Decision>();

function uncertainTwin(d: Decision): Decision {
  let u = uncertainTwins.get(d);
  if (u === undefined) {
    u = Object.freeze({ ...d, uncertain: true });
    uncertainTwins.set(d, u);
  }
  return u;
}

/**
 * Digest rules 14-16: tiers in order, first decisive rule wins, Pass skips to the next tier.
 * When a rule's HTTP criteria could not be answered by the flow, the decision returned is the
 * uncertain twin (`uncertain: true`) of the one reached.
 */
export function evaluateDirection(
  env: EvalEnv,
  ep: EndpointRuntime,
  dir: number,
  pending: boolean,
  c: MatchContext,
  sink: TraceSink | null,
): Decision {
  c.uncertain = false;
  const d = walkTiers(env, ep, dir, pending, c, sink);
  return c.uncertain ? uncertainTwin(d) : d;
}

function walkTiers(
  env: EvalEnv,
  ep: EndpointRuntime,
  dir: number,
  pending: boolean,
  c: MatchContext,
  sink: TraceSink | null,
): Decision {
  const programs = programFor(env, ep, dir, pending, c.proto);
  const table = env.selectors;
  tiers: for (let gi = 0; gi < programs.length; gi++) {
    const prog = programs[gi];
    const rules = prog.rules;
    for (let ri = 0; ri < rules.length; ri++) {
      const r = rules[ri];
      if (!matchRule(r, c, table)) continue;
      const action = r.action;
      if (action === ACTION_LOG) {
        if (sink) {
          const p = prog.owners[ri];
          const tier = prog.group.tier;
          sink.logs.push({
            tier: tier.name,
            tierOrder: tier.order,
            kind: p.kind,
            namespace: p.namespace,
            name: p.name,
            policyOrder: p.order,
            ruleIndex: r.index,
            afterHit: sink.hits.length,
          });
        }
        continue;
      }
      if (sink) hit(sink, prog.group.tier.name, prog.group.tier.order, prog.owners[ri], r.index, action === ACTION_ALLOW ? 'allow' : action === ACTION_PASS ? 'pass' : 'deny');
      if (action === ACTION_PASS) continue tiers;
      return r.decision as Decision;
    }
    // End of tier: attributed to the last applying policy, rule index -1.
    const g = prog.group;
    if (sink) hit(sink, g.tier.name, g.tier.order, g.last, RULE_INDEX_END_OF_TIER, g.tier.denyAtEnd ? 'deny' : 'pass');
    if (g.tier.denyAtEnd) return g.last.endOfTierDecision;
  }
  return evaluateProfiles(env, ep, dir, c, sink);
}

function evaluateProfiles(env: EvalEnv, ep: EndpointRuntime, dir: number, c: MatchContext, sink: TraceSink | null): Decision {
  const profiles = ep.profiles;
  if (profiles.length === 0) {
    if (sink) hit(sink, PROFILE_TIER, null, NO_PROFILE_IDENT, RULE_INDEX_END_OF_TIER, 'deny');
    return NO_PROFILE;
  }
  for (let i = 0; i < profiles.length; i++) {
    const prof = profiles[i];
    const rules = prof.rules[dir];
    const ident = prof.ident;
    for (let ri = 0; ri < rules.length; ri++) {
      const r = rules[ri];
      if (!matchRule(r, c, env.selectors)) continue;
      if (r.action === ACTION_LOG) {
        if (sink) {
          sink.logs.push({ tier: PROFILE_TIER, tierOrder: null, kind: 'Profile', namespace: '', name: prof.name, policyOrder: null, ruleIndex: ri, afterHit: sink.hits.length });
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
  if (sink) hit(sink, PROFILE_TIER, null, last.ident, RULE_INDEX_END_OF_TIER, 'deny');
  return last.endDecision;
}

// Policy resources numbered by identity: equal numbers mean the very same resource (hence, in
// snapshots sharing compiled policies, the same rules and decisions).
const resourceIds = new WeakMap<object, number>();
let nextResourceId = 1;

function resourceId(o: object): number {
  let id = resourceIds.get(o);
  if (id === undefined) resourceIds.set(o, (id = nextResourceId++));
  return id;
}

/**
 * What an endpoint's enforced decisions in one direction depend on, policy side: the applying
 * tiers (name, order, end-of-tier action) and policies (by resource identity), in order. Two
 * snapshots whose endpoints have equal signatures (and the same profiles and peers) decide alike.
 */
export function enforcedSignature(tiers: readonly CompiledTier[], ep: EndpointRuntime, dir: number): string {
  const k = ep.cls;
  let sig = k.signature[dir];
  if (sig === undefined) {
    sig = '';
    for (const g of applyingGroups(tiers, ep, dir, false)) {
      sig += `${g.tier.name}:${g.tier.order}:${g.tier.denyAtEnd ? 1 : 0}`;
      for (const p of g.policies) sig += `,${resourceId(p.res)}`;
      sig += ';';
    }
    k.signature[dir] = sig;
  }
  return sig;
}
