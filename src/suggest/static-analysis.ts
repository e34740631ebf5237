import { Direction, PolicyResource, PolicySnapshot, Rule, TierInfo } from '../policy';
import { contentId } from './content-id';
import { Finding, FindingKind, RuleRef } from './finding.types';
import { mergePorts, portsWithin } from './port-set';
import { destinationPorts, ruleCovers, ruleCoversExceptPorts, rulesOverlap } from './rule-space';

interface Entry {
  tierIndex: number;
  tier: TierInfo;
  policy: PolicyResource;
  ruleIndex: number;
  rule: Rule;
  /** Position in evaluation order. */
  seq: number;
}

const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];
const decisive = (r: Rule) => r.action !== 'Log';
const sel = (s: { toString(): string } | undefined) => (s ? s.toString() : '');
const wide = (s: { isAll: boolean } | undefined) => !s || s.isAll;

/** Policy `a` applies to every endpoint `b` applies to (same namespace scope, selector all() or the same). */
function appliesToAll(a: PolicyResource, b: PolicyResource): boolean {
  if (a.namespace !== '' && a.namespace !== b.namespace) return false;
  if (a.namespace === '' && b.namespace === '' && !(wide(a.namespaceSelector) || sel(a.namespaceSelector) === sel(b.namespaceSelector))) return false;
  if (a.namespace === '' && b.namespace !== '' && !wide(a.namespaceSelector)) return false;
  if (a.serviceAccountSelector && sel(a.serviceAccountSelector) !== sel(b.serviceAccountSelector)) return false;
  return wide(a.selector) || sel(a.selector) === sel(b.selector);
}

/** No flow can match both: different protocols or disjoint destination ports. */
function disjoint(a: Rule, b: Rule): boolean {
  if (a.protocol !== undefined && b.protocol !== undefined && a.protocol !== b.protocol) return true;
  const x = destinationPorts(a);
  const y = destinationPorts(b);
  return !!x && !!y && !x.some((p) => y.some((q) => p.min <= q.max && q.min <= p.max));
}

const refOf = (e: Entry, direction: Direction): RuleRef => ({ policy: e.policy.key, tier: e.tier.name, direction, ruleIndex: e.ruleIndex });

export interface StaticOptions {
  /** Only rules of these policies are reported on (all policies still cover). */
  report: (p: PolicyResource) => boolean;
  window: { from: number; to: number };
  deadline?: number;
  now?: () => number;
}

/**
 * Shadowed, redundant, generalization and correlation findings over the inventory of one instant,
 * with Calico's evaluation order: tiers by order, policies by order then name, rules in order;
 * Allow and Deny decide, Pass leaves the tier, Log never decides, and a tier whose policies select
 * the endpoint ends in its default action. Staged policies are not evaluated.
 */
export function staticFindings(snap: PolicySnapshot, opts: StaticOptions): { findings: Finding[]; partial: boolean } {
  const out: Finding[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  const window = { from: iso(opts.window.from), to: iso(opts.window.to) };
  const now = opts.now ?? Date.now;
  let partial = false;
  for (const direction of DIRECTIONS) {
    const entries: Entry[] = [];
    snap.tiers.forEach((tier, tierIndex) => {
      for (const policy of snap.policiesOf(tier.name)) {
        if (policy.staged || !policy.types.includes(direction)) continue;
        policy[direction].forEach((rule, ruleIndex) => entries.push({ tierIndex, tier, policy, ruleIndex, rule, seq: entries.length }));
      }
    });
    // Candidates by namespace: a rule is only compared with global policies and its own namespace's.
    const byNs = new Map<string, Entry[]>();
    for (const e of entries) {
      let list = byNs.get(e.policy.namespace);
      if (!list) byNs.set(e.policy.namespace, (list = []));
      list.push(e);
    }
    const global = byNs.get('') ?? [];
    // Rules that never decide cannot cover others: their flows are decided before them.
    const neverDecides = new Set<number>();
    for (const b of entries) {
      const reported = opts.report(b.policy);
      if (opts.deadline !== undefined && now() > opts.deadline) {
        partial = true;
        break;
      }
      const pool = b.policy.namespace === '' ? global : [...global, ...(byNs.get(b.policy.namespace) ?? [])].sort((x, y) => x.seq - y.seq);
      const finding = (kind: FindingKind, by: Entry[], byActions: string[], byRefs = by.map((e) => refOf(e, direction))) => {
        if (kind === 'shadowed' || kind === 'redundant') neverDecides.add(b.seq);
        if (!reported) return;
        out.push({
          id: contentId(kind, b.policy.key, direction, b.ruleIndex, byRefs, window),
          kind,
          subject: refOf(b, direction),
          namespace: b.policy.namespace,
          summary: `${direction} rule ${b.ruleIndex} (${b.rule.action}) of ${b.policy.key} ${describe(kind)} ${byRefs.map((r) => `${r.policy}#${r.ruleIndex}`).join(', ')}`,
          window,
          cover: { coveredBy: byRefs, action: b.rule.action, coveringActions: byActions },
        });
      };
      const earlier = pool.filter((a) => a.seq < b.seq && appliesToAll(a.policy, b.policy));
      // Rules that still reach b's tier: an earlier tier's Pass hands the flow on.
      const deciding = earlier.filter((a) => decisive(a.rule) && !neverDecides.has(a.seq) && (a.tierIndex === b.tierIndex || a.rule.action !== 'Pass'));
      const single = deciding.find((a) => ruleCovers(a.rule, b.rule));
      if (single) {
        finding(single.rule.action === b.rule.action ? 'redundant' : 'shadowed', [single], [single.rule.action]);
        continue;
      }
      const bPorts = destinationPorts(b.rule);
      const partners = bPorts ? deciding.filter((a) => ruleCoversExceptPorts(a.rule, b.rule)) : [];
      if (bPorts && partners.length > 1 && portsWithin(bPorts, mergePorts(partners.flatMap((a) => destinationPorts(a.rule) ?? [])))) {
        const actions = [...new Set(partners.map((a) => a.rule.action))];
        finding(actions.every((x) => x === b.rule.action) ? 'redundant' : 'shadowed', partners, partners.map((a) => a.rule.action));
        continue;
      }
      // An earlier tier that selects all of b's endpoints and ends in Deny stops every flow no Pass hands on.
      const endOfTier = snap.tiers.slice(0, b.tierIndex).findIndex((t) => {
        if (t.defaultAction !== 'Deny') return false;
        const selecting = snap.policiesOf(t.name).some((p) => !p.staged && p.types.includes(direction) && appliesToAll(p, b.policy));
        return selecting && !passMayApply(snap, t, direction, b);
      });
      if (endOfTier >= 0) {
        const t = snap.tiers[endOfTier];
        const last = snap.policiesOf(t.name).filter((p) => !p.staged && p.types.includes(direction) && appliesToAll(p, b.policy)).pop()!;
        finding(b.rule.action === 'Deny' ? 'redundant' : 'shadowed', [], ['Deny'], [{ policy: last.key, tier: t.name, direction, ruleIndex: -1 }]);
        continue;
      }
      const later = pool.find((a) => a.seq > b.seq && decisive(a.rule) && a.rule.action !== 'Pass' && a.rule.action !== b.rule.action && appliesToAll(a.policy, b.policy) && ruleCovers(a.rule, b.rule));
      if (later && b.rule.action !== 'Pass') {
        finding('generalization', [later], [later.rule.action]);
        continue;
      }
      const overlapping = earlier.filter((a) => decisive(a.rule) && a.rule.action !== b.rule.action && a.tierIndex === b.tierIndex && rulesOverlap(a.rule, b.rule) && !ruleCovers(b.rule, a.rule));
      if (overlapping.length) finding('correlation', overlapping, overlapping.map((a) => a.rule.action));
    }
  }
  return { findings: out, partial };
}

/** A Pass rule of a policy in tier t that might apply to b's endpoints (not provably elsewhere) could let b's flows through. */
function passMayApply(snap: PolicySnapshot, t: TierInfo, direction: Direction, b: Entry): boolean {
  return snap.policiesOf(t.name).some(
    (p) => !p.staged && p.types.includes(direction) && (p.namespace === '' || p.namespace === b.policy.namespace) && p[direction].some((r) => r.action === 'Pass' && !disjoint(r, b.rule)),
  );
}

function describe(kind: FindingKind): string {
  switch (kind) {
    case 'shadowed':
      return 'never decides: earlier rules with another action match all its flows:';
    case 'redundant':
      return 'never decides: earlier rules with the same action match all its flows:';
    case 'generalization':
      return 'is an exception to a later, broader rule with another action:';
    default:
      return 'partly overlaps earlier rules with another action:';
  }
}
