import { FlowRecord, RecordSource } from '../flows/flow-record';

/** An endpoint as flowscope resolved it from the inventory valid at the flow's start. */
export interface EnrichedEndpoint {
  /** wep / hep / ns / net, or what the record reported when the IP is not in the inventory. */
  type: string;
  namespace: string;
  name: string;
  aggregatedName: string;
  labels: Readonly<Record<string, string>>;
  /** Shared with the inventory snapshot (and other rows): read-only. */
  namespaceLabels: Readonly<Record<string, string>>;
  serviceAccount: string;
  node: string;
  /** `Kind/name` of the controlling owner (ReplicaSet, DaemonSet...), '' when none. */
  owner: string;
}

/** One hit of the attributed trace; `policy` is the inventory key (`Kind/namespace/name`). */
export interface AttributedHit {
  tier: string;
  policy: string;
  ruleIndex: number;
  action: string;
}

export type DecisionKindColumn = 'rule' | 'end-of-tier' | 'profile' | 'no-profile' | 'log' | 'unknown';

export interface Attribution {
  reportedVerdict: 'allow' | 'deny' | '';
  computedVerdict: 'allow' | 'deny' | '';
  computedPendingVerdict: 'allow' | 'deny' | '';
  /** Which trace the hit columns hold: the dataplane's when it sent one, else the engine's. */
  traceSource: 'reported' | 'computed' | 'none';
  trace: AttributedHit[];
  decision: {
    kind: DecisionKindColumn;
    tier: string;
    tierOrder: number | null;
    policy: string;
    policyOrder: number | null;
    ruleIndex: number;
    /** The rule itself (JSON), when the policy is known. */
    rule: string;
  };
  pendingDecision: { policy: string; ruleIndex: number };
  verdictMismatch: boolean;
  unknownPolicy: boolean;
  unknownEndpoint: boolean;
  /** The computed verdict rests on an HTTP rule the record could not answer (no method/path). */
  verdictUncertain: boolean;
}

/** Everything stored for one flow record. */
export interface AttributedFlow {
  record: FlowRecord;
  source: RecordSource;
  src: EnrichedEndpoint;
  dst: EnrichedEndpoint;
  attribution: Attribution;
}
