import { Direction } from '../policy';

export const FINDING_KINDS = ['unused', 'changed-recently', 'unprotected', 'over-broad', 'shadowed', 'redundant', 'generalization', 'correlation'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** A rule of a policy; `ruleIndex` null when the finding is about the whole policy. */
export interface RuleRef {
  policy: string;
  tier: string;
  direction: Direction | null;
  ruleIndex: number | null;
}

export interface UnusedDetails {
  /** Last hit before the window, of any version of the policy; null if never. */
  lastHitBefore: string | null;
  /** When the version in force now took effect. */
  versionSince: string;
}

export interface UnprotectedDetails {
  namespace: string;
  workload: string;
  /** The profile(s) that decided its traffic. */
  decidedBy: string[];
  ingress: TrafficSummary | null;
  egress: TrafficSummary | null;
}

export interface TrafficSummary {
  records: number;
  flows: number;
  bytes: number;
  peers: number;
  ports: string[];
  firstSeen: string;
  lastSeen: string;
}

export interface OverBroadDetails {
  /** Share of the permitted space (peers x ports) the window's traffic never used, 0..1. */
  unusedShare: number;
  ports: { permitted: number | null; used: string[]; unusedShare: number | null };
  peers: { permitted: number | null; seen: number; unusedShare: number | null; wide: boolean };
  nets: { addresses: number | null; seen: number; unusedShare: number | null };
  traffic: TrafficSummary;
}

export interface CoverDetails {
  /** The earlier (or, for generalization, later) rules that cover or overlap this one. */
  coveredBy: RuleRef[];
  action: string;
  coveringActions: string[];
}

export interface Finding {
  id: string;
  kind: FindingKind;
  /** The policy or rule the finding is about; null for unprotected workloads. */
  subject: RuleRef | null;
  namespace: string;
  summary: string;
  window: { from: string; to: string };
  unused?: UnusedDetails;
  unprotected?: UnprotectedDetails;
  overBroad?: OverBroadDetails;
  cover?: CoverDetails;
}
