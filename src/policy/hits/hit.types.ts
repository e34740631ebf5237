import { PolicyKind } from '../model';

/** Kinds a hit can name: the policy kinds plus what only appears in dataplane records. */
export type HitKind = PolicyKind | 'ClusterNetworkPolicy' | 'Profile' | 'EndOfTier';

export type HitAction = 'allow' | 'deny' | 'pass';

/** Tier name Calico uses for profile hits. */
export const PROFILE_TIER = '__PROFILE__';

/** Rule index meaning "the tier's default action" (end of tier). */
export const RULE_INDEX_END_OF_TIER = -1;
/** Rule index meaning "not reported" (G1 strings, old records). */
export const RULE_INDEX_UNKNOWN = -2;

/**
 * One policy hit, as parsed from a dataplane record or produced by the engine's trace.
 * `name` is canonical: tier-prefixed for Calico policies (`tier.name`), `knp.default.<name>`
 * for Kubernetes ones, `kns.<ns>` style for profiles; `namespace` is '' when cluster-scoped.
 */
export interface PolicyHit {
  readonly index: number;
  readonly tier: string;
  readonly kind: HitKind;
  readonly namespace: string;
  readonly name: string;
  readonly action: HitAction;
  /** >= 0 rule, -1 end of tier, -2 unknown. */
  readonly ruleIndex: number;
  /** Goldmane only: for end-of-tier hits, the policy that selected the endpoint. */
  readonly trigger?: PolicyHit;
}
