/** A flow record as flowscope stores it, whatever format it arrived in. */
export type FlowAction = 'allow' | 'deny' | 'log';
export type Reporter = 'src' | 'dst';

export interface FlowRecord {
  eventTime: number; // epoch ms
  action: FlowAction;
  reporter: Reporter;
  protocol: string;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  srcNamespace: string;
  srcName: string;
  dstNamespace: string;
  dstName: string;
  node: string;
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  enforcedPolicies: string[];
  pendingPolicies: string[];
}

/** Where a record came from: the Kafka coordinates make every stored row traceable and idempotent. */
export interface RecordSource {
  format: string;
  topic: string;
  partition: number;
  offset: string;
  index: number;
}
