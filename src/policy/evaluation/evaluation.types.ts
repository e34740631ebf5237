import { HitAction, HitKind, PolicyHit } from '../hits/hit.types';
import { Direction, NamedPortDecl, OwnerReference, PolicyResource, Rule } from '../model';
import { Labels } from '../selector';

/** A trace hit: a PolicyHit plus the ordering keys the engine knows (null = no order). */
export interface TraceHit extends PolicyHit {
  readonly tierOrder: number | null;
  readonly policyOrder: number | null;
}

/** A Log rule that matched: recorded, never decisive. `afterHit` = how many hits preceded it. */
export interface LogHit {
  readonly tier: string;
  readonly tierOrder: number | null;
  readonly kind: HitKind;
  readonly namespace: string;
  readonly name: string;
  readonly policyOrder: number | null;
  readonly ruleIndex: number;
  readonly afterHit: number;
}

export interface Trace {
  readonly hits: readonly TraceHit[];
  readonly logs: readonly LogHit[];
}

export type DecisionKind = 'rule' | 'end-of-tier' | 'profile' | 'no-profile';

/** Why one direction at one endpoint was allowed or denied. Shared, frozen objects. */
export interface Decision {
  readonly verdict: 'allow' | 'deny';
  readonly kind: DecisionKind;
  readonly tier?: string;
  readonly tierOrder?: number | null;
  readonly policyKind?: HitKind;
  readonly namespace?: string;
  readonly name?: string;
  readonly policyOrder?: number | null;
  readonly ruleIndex?: number;
  /**
   * Some rule on the way had HTTP criteria the flow could not answer (no method / path): it was
   * taken as not matching, so the true decision may differ.
   */
  readonly uncertain?: boolean;
}

export interface SideEvaluation {
  readonly trace: Trace;
  readonly decision: Decision;
}

export type PeerType = 'wep' | 'hep' | 'ns' | 'net';

export interface EndpointInfo {
  readonly kind: 'Pod' | 'WorkloadEndpoint' | 'HostEndpoint';
  readonly type: 'wep' | 'hep';
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly ips: readonly string[];
  readonly serviceAccount?: string;
  readonly node?: string;
  readonly ports: readonly NamedPortDecl[];
  readonly profiles: readonly string[];
  readonly ownerReferences: readonly OwnerReference[];
}

export interface NetworkSetInfo {
  readonly kind: 'NetworkSet' | 'GlobalNetworkSet';
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly nets: readonly string[];
}

/**
 * What an IP is, in flow-log vocabulary (`wep`, `hep`, `ns`, `net`). Enrichment reuses this.
 * `networkSet` is the longest-prefix match; `networkSets` lists every containing set, longest first.
 */
export interface ResolvedPeer {
  readonly ip: string | null;
  readonly family: 0 | 4 | 6;
  readonly type: PeerType;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly serviceAccount?: string;
  readonly node?: string;
  readonly endpoint?: EndpointInfo;
  readonly networkSet?: NetworkSetInfo;
  readonly networkSets: readonly NetworkSetInfo[];
}

/** Identifies a known resource instead of (or as well as) an IP. */
export interface EndpointRef {
  readonly kind?: 'Pod' | 'WorkloadEndpoint' | 'HostEndpoint' | 'NetworkSet' | 'GlobalNetworkSet';
  readonly namespace?: string;
  readonly name: string;
}

export interface FlowInput {
  readonly srcIp?: string | null;
  readonly dstIp?: string | null;
  /** Name (`tcp`, `TCP`, `ICMPv6`...) or IANA number. */
  readonly protocol: string | number;
  readonly srcPort?: number | null;
  readonly dstPort?: number | null;
  readonly icmpType?: number | null;
  readonly icmpCode?: number | null;
  /** Already-resolved source (by identity); its IP is used when srcIp is absent. */
  readonly src?: EndpointRef | ResolvedPeer;
  readonly dst?: EndpointRef | ResolvedPeer;
  /** Service identity, when the collector knows it; needed for `services` rule matches. */
  readonly srcService?: { readonly name: string; readonly namespace: string } | null;
  readonly dstService?: { readonly name: string; readonly namespace: string } | null;
  /** HTTP request method and path (L7 records); rules with `http` criteria need them. */
  readonly httpMethod?: string | null;
  readonly httpPath?: string | null;
}

export interface DirectionResult {
  readonly direction: Direction;
  readonly endpoint: ResolvedPeer;
  /** Staged policies ignored. */
  readonly enforced: SideEvaluation;
  /** Staged policies treated as enforced ("what if they were applied"). */
  readonly pending: SideEvaluation;
}

export interface FlowEvaluation {
  /** Both evaluated sides allow (vacuously true when neither side is a local endpoint). */
  readonly allowed: boolean;
  readonly pendingAllowed: boolean;
  readonly src: ResolvedPeer;
  readonly dst: ResolvedPeer;
  /** Egress at the source endpoint; null when the source is not a pod/host endpoint. */
  readonly egress: DirectionResult | null;
  /** Ingress at the destination endpoint; null when the destination is not a pod/host endpoint. */
  readonly ingress: DirectionResult | null;
}

/** Fast-path result: enforced decisions only, no traces. */
export interface FlowDecision {
  readonly allowed: boolean;
  readonly egress: Decision | null;
  readonly ingress: Decision | null;
}

export interface TierInfo {
  readonly name: string;
  readonly order: number | null;
  readonly defaultAction: 'Deny' | 'Pass';
}

export interface ApplyingTier {
  readonly tier: TierInfo;
  readonly policies: readonly PolicyResource[];
}

export type { HitAction };

/** A rule that was tried and did not match, with the first criterion that failed. */
export interface RuleMiss {
  readonly ruleIndex: number;
  /** One line, e.g. `port 80 not in [6379]`. */
  readonly reason: string;
  /** The rule has HTTP criteria the flow cannot answer: it was taken as not matching. */
  readonly uncertain: boolean;
}

/** One applying policy on the evaluation path. */
export interface PathPolicy {
  readonly kind: HitKind;
  readonly namespace: string;
  readonly name: string;
  readonly order: number | null;
  /** `no-match`: no rule matched, evaluation went on to the next policy of the tier. */
  readonly outcome: 'allow' | 'deny' | 'pass' | 'no-match';
  /** The rule that produced the outcome (null for no-match). */
  readonly ruleIndex: number | null;
  readonly rule: Rule | null;
  /** Rules tried before the outcome (all of them for no-match), with why each did not match. */
  readonly misses: readonly RuleMiss[];
  /** Log rules that matched (they never decide). */
  readonly logged: readonly number[];
}

/** One applying tier on the evaluation path, in order. */
export interface PathTier {
  readonly tier: TierInfo;
  /** Applying policies in order, up to the one that decided or passed. */
  readonly policies: readonly PathPolicy[];
  /** No policy decided: the tier's default action ran (attributed to `lastPolicy`). */
  readonly endOfTier: { readonly action: 'deny' | 'pass'; readonly lastPolicy: PathPolicy } | null;
}

/** Every step one direction's evaluation took, up to the decision. */
export interface EvaluationPath {
  readonly tiers: readonly PathTier[];
  /** Profiles tried after the tiers (empty when a tier decided). */
  readonly profiles: readonly PathPolicy[];
  /** The endpoint has no profile at all (deny, reported as `__PROFILE__`). */
  readonly noProfile: boolean;
}
