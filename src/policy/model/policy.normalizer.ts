import { ALL_SELECTOR } from '../selector';
import { at, FieldReader, Obj } from './field.reader';
import {
  Direction,
  PolicyKind,
  PolicyResource,
  ProfileResource,
  resourceKey,
  Rule,
  STAGED_TO_ENFORCED,
  StagedAction,
  TierResource,
} from './model.types';
import { parseRules } from './rule.normalizer';

export const DEFAULT_TIER = 'default';

/** Tiers Calico creates itself; a manifest may override their fields but need not declare them. */
export const BUILTIN_TIERS: readonly TierResource[] = [
  { kind: 'Tier', key: resourceKey('Tier', '', 'kube-admin'), namespace: '', name: 'kube-admin', order: 1000, defaultAction: 'Pass' },
  { kind: 'Tier', key: resourceKey('Tier', '', 'default'), namespace: '', name: 'default', order: 1_000_000, defaultAction: 'Deny' },
  {
    kind: 'Tier',
    key: resourceKey('Tier', '', 'kube-baseline'),
    namespace: '',
    name: 'kube-baseline',
    order: 10_000_000,
    defaultAction: 'Pass',
  },
];

const STAGED_ACTIONS: readonly StagedAction[] = ['Set', 'Delete', 'Learn', 'Ignore'];

/**
 * Calico stores (and its dataplane reports) every tiered policy under `tier.name`; users may
 * write either form for the default tier, so both collapse to one canonical name.
 */
export function canonicalPolicyName(tier: string, name: string): string {
  return name.startsWith(tier + '.') ? name : `${tier}.${name}`;
}

/** Digest rule 6: only egress rules => [Egress]; ingress rules or none => [Ingress]; both => both. */
export function defaultTypes(ingress: readonly Rule[] | number, egress: readonly Rule[] | number): Direction[] {
  const i = typeof ingress === 'number' ? ingress : ingress.length;
  const e = typeof egress === 'number' ? egress : egress.length;
  if (e > 0 && i === 0) return ['egress'];
  if (e > 0) return ['ingress', 'egress'];
  return ['ingress'];
}

export function parseTypes(r: FieldReader, v: unknown, path: string): Direction[] | undefined {
  if (v === undefined || v === null) return undefined;
  const out: Direction[] = [];
  r.arr(v, path).forEach((t, i) => {
    if (t === 'Ingress' || t === 'ingress') out.push('ingress');
    else if (t === 'Egress' || t === 'egress') out.push('egress');
    else r.fail(at(path, i), `must be Ingress or Egress, got ${JSON.stringify(t)}`);
  });
  // An explicit empty list behaves like an absent one in Calico's defaulting.
  return out.length ? [...new Set(out)] : undefined;
}

export function parseOrder(r: FieldReader, v: unknown, path: string): number | null {
  return r.num(v, path) ?? null;
}

export function parseStagedAction(r: FieldReader, v: unknown, path: string): StagedAction {
  const s = r.str(v, path);
  if (s === undefined || s === '') return 'Set';
  const a = STAGED_ACTIONS.find((x) => x.toLowerCase() === s.toLowerCase());
  if (!a) r.fail(path, `must be one of ${STAGED_ACTIONS.join(', ')}, got ${JSON.stringify(s)}`);
  return a;
}

export function parseTier(r: FieldReader, name: string, spec: Obj): TierResource {
  const builtin = BUILTIN_TIERS.find((t) => t.name === name);
  const order = spec.order === undefined ? (builtin?.order ?? null) : parseOrder(r, spec.order, 'spec.order');
  const da = r.str(spec.defaultAction, 'spec.defaultAction');
  let defaultAction: 'Deny' | 'Pass' = builtin?.defaultAction ?? 'Deny';
  if (da !== undefined) {
    if (da.toLowerCase() === 'deny') defaultAction = 'Deny';
    else if (da.toLowerCase() === 'pass') defaultAction = 'Pass';
    else r.fail('spec.defaultAction', `must be Deny or Pass, got ${JSON.stringify(da)}`);
  }
  return { kind: 'Tier', key: resourceKey('Tier', '', name), namespace: '', name, order, defaultAction };
}

/** Calico NetworkPolicy / GlobalNetworkPolicy and their staged variants (not Kubernetes ones). */
export function parseCalicoPolicy(r: FieldReader, kind: PolicyKind, namespace: string, name: string, spec: Obj): PolicyResource {
  const tier = r.str(spec.tier, 'spec.tier') || DEFAULT_TIER;
  const canonical = canonicalPolicyName(tier, name);
  const ingress = parseRules(r, spec.ingress, 'spec.ingress', namespace, 'ingress');
  const egress = parseRules(r, spec.egress, 'spec.egress', namespace, 'egress');
  const staged = kind.startsWith('Staged');
  const global = kind === 'GlobalNetworkPolicy' || kind === 'StagedGlobalNetworkPolicy';
  if (!global && spec.namespaceSelector !== undefined) r.fail('spec.namespaceSelector', 'is only valid in global policies');
  return {
    kind,
    key: resourceKey(kind, namespace, canonical),
    namespace,
    name: canonical,
    sourceName: name,
    tier,
    order: parseOrder(r, spec.order, 'spec.order'),
    selector: r.selector(spec.selector, 'spec.selector') ?? ALL_SELECTOR,
    namespaceSelector: global ? r.selector(spec.namespaceSelector, 'spec.namespaceSelector') : undefined,
    serviceAccountSelector: r.selector(spec.serviceAccountSelector, 'spec.serviceAccountSelector'),
    types: parseTypes(r, spec.types, 'spec.types') ?? defaultTypes(ingress, egress),
    ingress,
    egress,
    staged,
    stagedAction: staged ? parseStagedAction(r, spec.stagedAction, 'spec.stagedAction') : undefined,
    enforcedKind: STAGED_TO_ENFORCED[kind],
  };
}

export function parseProfile(r: FieldReader, name: string, spec: Obj): ProfileResource {
  return {
    kind: 'Profile',
    key: resourceKey('Profile', '', name),
    namespace: '',
    name,
    labelsToApply: r.labels(spec.labelsToApply, 'spec.labelsToApply'),
    ingress: parseRules(r, spec.ingress, 'spec.ingress', '', 'ingress'),
    egress: parseRules(r, spec.egress, 'spec.egress', '', 'egress'),
  };
}
