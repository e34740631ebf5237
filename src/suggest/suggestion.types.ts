import { TrafficSummary } from './finding.types';
import { ReplayResult } from './replay';

export const SUGGESTION_KINDS = ['tighten-rule', 'protect-workload'] as const;
export type SuggestionKind = (typeof SUGGESTION_KINDS)[number];

/** The traffic a suggestion rests on: what the finding summarised, and flows to look at. */
export interface Evidence extends TrafficSummary {
  /** Stored flow ids the proposed rules decide when replayed. */
  sampleFlowIds: string[];
}

export interface Confidence {
  level: 'high' | 'medium' | 'low';
  score: number;
  /** Days of the window with stored flows, out of the window's days. */
  daysWithData: number;
  windowDays: number;
  records: number;
  /** Share of the proposal's peer/port pairs seen on at least two different days. */
  recurringShare: number;
  reasons: string[];
}

export interface Containment {
  /** Every proposed rule's match lies inside the rule it replaces (ports, nets, selectors, protocol). */
  contained: boolean;
  problems: string[];
}

export interface Placement {
  tier: string;
  order: number;
  reason: string;
}

/** What a suggestion is, from its proposal on: what it changes and where. */
export interface SuggestionHead {
  id: string;
  kind: SuggestionKind;
  /** metadata.name of the proposed resource. */
  name: string;
  findingId: string;
  policy: string | null;
  namespace: string;
  summary: string;
  placement: Placement | null;
}

/** A proven suggestion as a listing holds it: its YAML is written only when one is fetched. */
export interface ProvenSuggestion extends SuggestionHead {
  /** Ready to apply: the staged form (review first) and the enforced form. */
  resources: { staged: Record<string, unknown>; enforced: Record<string, unknown> };
  evidence: Evidence;
  confidence: Confidence;
  containment: Containment;
  replay: ReplayResult;
  /** Replay denies no observed flow, allows none it denied, ran to completion, and the rules are contained. */
  safe: boolean;
}

export interface Suggestion extends ProvenSuggestion {
  yaml: { staged: string; enforced: string };
}
