import { LabelPredicate, Labels } from '../selector';
import { NamedPortDecl, PolicyResource, Resource } from '../model';
import { EndpointRuntimeLike, LabelledRuntime, RuleMatcher, SelectorTable } from '../rules';
import { HitKind } from '../hits/hit.types';
import { Decision, EndpointInfo, NetworkSetInfo, ResolvedPeer, TierInfo } from './evaluation.types';

/** Direction indexes used in arrays on the hot path. */
export const DIR_INGRESS = 0;
export const DIR_EGRESS = 1;

/** A compiled rule; `decision` is the precomputed frozen Decision of Allow/Deny rules. */
export type RuleRuntime = RuleMatcher;

/** What evaluation needs from the snapshot. */
export interface EvalEnv {
  readonly tiers: readonly CompiledTier[];
  /** Every rule-entity selector, by id (rules refer to them by id; peers memoise results). */
  readonly selectors: SelectorTable;
  /** Every network set, for build-time "can any IP match this selector through a set" checks. */
  readonly netsetList: readonly NetsetRuntime[];
  /** Interned per-endpoint programs, by content (see programFor). */
  readonly programs: Map<string, readonly TierProgram[]>;
}

export interface CompiledTier {
  readonly info: TierInfo;
  readonly name: string;
  readonly order: number | null;
  readonly denyAtEnd: boolean;
  readonly policies: CompiledPolicy[];
  /** `policies` split for selection: global ones, and namespaced ones by namespace (each in tier order). */
  readonly global: CompiledPolicy[];
  readonly byNamespace: Map<string, CompiledPolicy[]>;
}

export interface CompiledPolicy {
  readonly res: PolicyResource;
  readonly tier: CompiledTier;
  /** Position in `tier.policies` (set once the tier is sorted). */
  pos: number;
  readonly kind: HitKind;
  readonly namespace: string;
  readonly name: string;
  readonly order: number | null;
  /** Evaluated against an endpoint's merged labels. */
  readonly applies: LabelPredicate;
  /** [ingress, egress]: does the policy's `types` include the direction. */
  readonly hasDir: readonly [boolean, boolean];
  readonly rules: readonly [readonly RuleRuntime[], readonly RuleRuntime[]];
  readonly inEnforced: boolean;
  /** [ingress, egress]: part of the pending view in that direction (a staged twin may replace it in one only). */
  readonly inPending: readonly [boolean, boolean];
  /** Decision used when this policy stands in for a Deny end of tier. */
  readonly endOfTierDecision: Decision;
}

export interface CompiledProfile {
  readonly name: string;
  /** Trace identity of the profile's hits. */
  readonly ident: { readonly kind: 'Profile'; readonly namespace: ''; readonly name: string; readonly order: null };
  readonly rules: readonly [readonly RuleRuntime[], readonly RuleRuntime[]];
  /** No rule matched: Calico drops at the end of the profile chain. */
  readonly endDecision: Decision;
}

export interface TierGroup {
  readonly tier: CompiledTier;
  readonly policies: readonly CompiledPolicy[];
  /** Stand-in policy for the end-of-tier hit: the last applying one. */
  readonly last: CompiledPolicy;
}

/**
 * A tier's applying rules flattened across its policies and pre-filtered for one protocol:
 * rules whose protocol/notProtocol can never match are dropped, so the hot loop neither walks
 * policies nor tests protocols. `owners[i]` is the policy of `rules[i]`.
 */
export interface TierProgram {
  readonly group: TierGroup;
  /** Specialised for the endpoint, see `specialiseForLocal`. */
  readonly rules: readonly RuleRuntime[];
  readonly owners: readonly CompiledPolicy[];
}

export class NetsetRuntime implements LabelledRuntime {
  constructor(
    readonly info: NetworkSetInfo,
    readonly allLabels: Labels,
  ) {}
}

/** TCP, UDP, ICMP, ICMPv6, SCTP: protocols whose programs are also kept in `fastPrograms`. */
export const FAST_PROTOCOLS = 5;
export const PROTO_INDEX: readonly (number | undefined)[] = (() => {
  const a: (number | undefined)[] = [];
  [6, 17, 1, 58, 132].forEach((p, i) => (a[p] = i));
  return a;
})();

/**
 * Policy-side caches shared by every endpoint with the same merged labels and named ports: such
 * endpoints select the same policies and specialise every rule the same way, so they share one set
 * of applying groups and programs (in the typical bench, ~1,200 classes for 10,000 pods). Filled
 * lazily, valid for this snapshot only.
 */
export class EndpointClass {
  /** Applying tiers per slot (direction * 2 + pending). */
  readonly applying: (readonly TierGroup[] | undefined)[] = [undefined, undefined, undefined, undefined];
  /** Same slots as `applying`, then keyed by protocol number. */
  readonly programs: Map<number, readonly TierProgram[]>[] = [new Map(), new Map(), new Map(), new Map()];
  /** The same programs for FAST_PROTOCOLS, at `slot * FAST_PROTOCOLS + PROTO_INDEX[proto]`. */
  readonly fastPrograms: (readonly TierProgram[] | undefined)[] = new Array(4 * FAST_PROTOCOLS).fill(undefined);
  /** Per tier (snapshot order): policies whose selector matches, any direction or stage. */
  selected: CompiledPolicy[][] | undefined = undefined;
  /** Per direction: identity of the enforced applying tiers and policies (see `enforcedSignature`). */
  readonly signature: (string | undefined)[] = [undefined, undefined];
}

export class EndpointRuntime implements EndpointRuntimeLike {
  constructor(
    readonly info: EndpointInfo,
    readonly allLabels: Labels,
    readonly namedPorts: ReadonlyMap<string, readonly NamedPortDecl[]>,
    readonly profiles: readonly CompiledProfile[],
    /** Resolution of this endpoint without an IP, for callers that pass it by identity. */
    readonly peer: ResolvedPeer,
    /** Shared with endpoints of identical labels and named ports. */
    readonly cls: EndpointClass,
    /** `cls`'s identity: the endpoint's merged labels and named ports. */
    readonly clsKey: string,
    /** The resource it was built from (unchanged resource, unchanged endpoint). */
    readonly res: Resource,
    /** Precedence when several endpoints claim one IP: lower wins (kind, then resource order). */
    readonly rank: number,
    /** Whether its IPs are indexed (a host-networked or finished pod's are not). */
    readonly indexed: boolean,
  ) {}
}
