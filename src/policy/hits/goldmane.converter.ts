import { PolicyHitParseError } from './hit.errors';
import { canonicalHitName } from './hit-string.parser';
import { HitAction, HitKind, PolicyHit, PROFILE_TIER } from './hit.types';

/**
 * Goldmane's PolicyKind enum (goldmane/proto/api.proto). Versions differ: 7 and 8 were the admin /
 * baseline admin network policies (later the cluster network policy admin / baseline tiers) and 11
 * is ClusterNetworkPolicy in the shared reference; all three are cluster network policies here.
 */
const KINDS: Readonly<Record<number, HitKind>> = {
  1: 'NetworkPolicy',
  2: 'GlobalNetworkPolicy',
  3: 'StagedNetworkPolicy',
  4: 'StagedGlobalNetworkPolicy',
  5: 'StagedKubernetesNetworkPolicy',
  6: 'KubernetesNetworkPolicy',
  7: 'ClusterNetworkPolicy',
  8: 'ClusterNetworkPolicy',
  9: 'Profile',
  10: 'EndOfTier',
  11: 'ClusterNetworkPolicy',
};
/** Enum names as the protobuf JSON mapping writes them, including older builds' names. */
const KIND_NAMES: Readonly<Record<string, number>> = {
  CalicoNetworkPolicy: 1,
  GlobalNetworkPolicy: 2,
  CalicoGlobalNetworkPolicy: 2,
  StagedNetworkPolicy: 3,
  CalicoStagedNetworkPolicy: 3,
  StagedGlobalNetworkPolicy: 4,
  CalicoStagedGlobalNetworkPolicy: 4,
  StagedKubernetesNetworkPolicy: 5,
  NetworkPolicy: 6,
  AdminNetworkPolicy: 7,
  ClusterNetworkPolicyAdminTier: 7,
  BaselineAdminNetworkPolicy: 8,
  ClusterNetworkPolicyBaselineTier: 8,
  Profile: 9,
  EndOfTier: 10,
  ClusterNetworkPolicy: 11,
};
const ACTIONS: Readonly<Record<number, HitAction>> = { 1: 'allow', 2: 'deny', 3: 'pass' };
/** Names of the enum, and the lower-case strings older builds wrote. */
const ACTION_NAMES: Readonly<Record<string, number>> = { Allow: 1, Deny: 2, Pass: 3, allow: 1, deny: 2, pass: 3 };

/** Go-JSON of the protobuf struct: snake_case names, zero values omitted, enums as integers. */
export interface GoldmanePolicyHit {
  kind?: number | string;
  namespace?: string;
  name?: string;
  tier?: string;
  action?: number | string;
  policy_index?: number;
  policyIndex?: number;
  rule_index?: number;
  ruleIndex?: number;
  trigger?: GoldmanePolicyHit | null;
}

function enumValue(input: string, field: string, v: unknown, names: Readonly<Record<string, number>>): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && v in names) return names[v];
  throw new PolicyHitParseError(input, field, `unexpected value ${JSON.stringify(v)}`);
}

/** Converts one Goldmane PolicyHit to the engine's hit type (names canonicalised as for strings). */
export function fromGoldmanePolicyHit(h: GoldmanePolicyHit): PolicyHit {
  const input = JSON.stringify(h);
  if (typeof h !== 'object' || h === null) throw new PolicyHitParseError(String(h), 'input', 'not an object');
  const kindNum = enumValue(input, 'kind', h.kind, KIND_NAMES);
  const kind = KINDS[kindNum];
  if (!kind) throw new PolicyHitParseError(input, 'kind', `unknown PolicyKind ${kindNum}`);
  const actionNum = enumValue(input, 'action', h.action, ACTION_NAMES);
  const action = ACTIONS[actionNum];
  if (!action) throw new PolicyHitParseError(input, 'action', `expected 1 (Allow), 2 (Deny) or 3 (Pass), got ${actionNum}`);
  const tier = h.tier || (kind === 'Profile' ? PROFILE_TIER : '');
  if (!tier) throw new PolicyHitParseError(input, 'tier', 'is empty');
  const name = h.name ?? '';
  if (!name) throw new PolicyHitParseError(input, 'name', 'is empty');
  const index = h.policy_index ?? h.policyIndex ?? 0;
  const ruleIndex = h.rule_index ?? h.ruleIndex ?? 0;
  if (!Number.isInteger(index) || index < 0) throw new PolicyHitParseError(input, 'policy_index', `must be a non-negative integer, got ${index}`);
  if (!Number.isInteger(ruleIndex) || ruleIndex < -2) throw new PolicyHitParseError(input, 'rule_index', `must be an integer >= -2, got ${ruleIndex}`);
  const hit: PolicyHit = {
    index,
    tier,
    kind,
    namespace: h.namespace ?? '',
    name: canonicalHitName(kind, tier, name),
    action,
    ruleIndex,
    ...(h.trigger ? { trigger: fromGoldmanePolicyHit(h.trigger) } : {}),
  };
  return hit;
}

/** Converts and sorts by policy_index. */
export function fromGoldmanePolicyHits(hits: readonly GoldmanePolicyHit[]): PolicyHit[] {
  return hits.map(fromGoldmanePolicyHit).sort((a, b) => a.index - b.index);
}
