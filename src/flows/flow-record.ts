import { FlowDetails } from './flow-details';

/**
 * A flow record as a dataplane reported it, whatever format it arrived in (flowscope v1, Calico
 * Enterprise flow logs, Goldmane). Enrichment and attribution add to it; nothing here is inferred.
 */
export type FlowAction = 'allow' | 'deny' | 'log';
export type Reporter = 'src' | 'dst' | 'fwd';
/** Flow-log vocabulary: workload endpoint, host endpoint, network set, other network; '' = not said. */
export type ReportedEndpointType = 'wep' | 'hep' | 'ns' | 'net' | '';

export interface ReportedEndpoint {
  type: ReportedEndpointType;
  /** '' when not namespaced or not said ('-' in Calico records). */
  namespace: string;
  /** Pod / endpoint name; '' when aggregated or not said. */
  name: string;
  /** Aggregated name (`nginx-86c57db685-*`, `pub`, `pvt`, a NetworkSet name); '' when not said. */
  aggregatedName: string;
  labels: Record<string, string>;
}

export interface ReportedService {
  name: string;
  namespace: string;
  portName: string;
  port: number;
}

export interface ReportedHttp {
  method: string;
  /** Path as requested (query string included when reported). */
  path: string;
}

export interface FlowRecord {
  /** Start of the flow or of the export window, epoch ms. */
  startTime: number;
  /** End of the export window, epoch ms (= startTime when the format has a single time). */
  endTime: number;
  action: FlowAction;
  reporter: Reporter;
  /** Lower-case IANA name (`tcp`) or the number as text for unnamed protocols. */
  protocol: string;
  /** '' when the format carries no IP (Goldmane) or the record is aggregated. */
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  src: ReportedEndpoint;
  dst: ReportedEndpoint;
  dstService?: ReportedService;
  /** The HTTP request, when the record carries it (L7 data); '' for a part not said. */
  http?: ReportedHttp;
  /** The node whose dataplane reported the record. */
  node: string;
  numFlows: number;
  numFlowsStarted: number;
  numFlowsCompleted: number;
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  /**
   * The dataplane's policy traces as policy-hit strings (any generation; Goldmane's structured hits
   * are rendered to the newest). A `log` event's last enforced hit names the Log rule, action `log`.
   */
  enforcedHits: string[];
  pendingHits: string[];
  /** Extras some records carry (process, domains, TCP and HTTP statistics...), stored off the flows row. */
  details?: FlowDetails;
}

/** Where a record came from: the Kafka coordinates make every stored row traceable and idempotent. */
export interface RecordSource {
  format: string;
  topic: string;
  partition: number;
  offset: string;
  index: number;
}

/**
 * One shared empty label set for records that report none: rows refer to label sets by identity
 * (storage memoises their ids per object), so a fresh `{}` per record cost a hash per row.
 */
const NO_REPORTED_LABELS: Record<string, string> = Object.freeze({}) as Record<string, string>;

export function reportedEndpoint(over: Partial<ReportedEndpoint> = {}): ReportedEndpoint {
  return { type: '', namespace: '', name: '', aggregatedName: '', labels: NO_REPORTED_LABELS, ...over };
}
