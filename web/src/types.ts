/** The parts of the API's responses the console reads by name; anything else is rendered generically. */
export interface Counts { records: number; flows: number; bytes: number; packets: number; mismatches: number }
export interface DecisionGroup extends Counts { key: Record<string, string | number> }
export interface TimeBucket extends Counts { time: string }

export interface Endpoint { ip: string; port: number; type: string; namespace: string; name: string; aggregatedName: string; labels: Record<string, string>; [more: string]: unknown }
export interface Flow {
  id: string;
  startTime: string;
  endTime: string;
  action: string;
  reporter: string;
  protocol: string;
  src: Endpoint;
  dst: Endpoint;
  decision: { kind: string; tier: string; policy: string; ruleIndex: number; source: string; [more: string]: unknown };
  flags: { verdictMismatch: boolean; unknownPolicy: boolean; unknownEndpoint: boolean };
  reported: { verdict: string; enforced: string[]; pending: string[] };
  computed: { verdict: string; pendingVerdict: string };
  [more: string]: unknown;
}
export interface FlowPage { items: Flow[]; nextCursor?: string }
