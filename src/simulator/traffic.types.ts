import { LogHit, PolicyHit } from '../policy';
import { Manifest, SimExternalNet, SimNode, SimPod } from './cluster.types';

export type EndpointType = 'wep' | 'hep' | 'ns' | 'net';

export interface SimEndpoint {
  type: EndpointType;
  ip: string;
  pod?: SimPod;
  /** Host endpoint's node. */
  node?: SimNode;
  net?: SimExternalNet;
}

/** Why the generator made this connection: what the services need, or what policy should stop. */
export type ConnectionIntent = 'expected' | 'unexpected' | 'unknown-endpoint';

export interface Connection {
  /** Epoch ms of the first packet. */
  time: number;
  protocol: 'tcp' | 'udp';
  src: SimEndpoint;
  dst: SimEndpoint;
  srcPort: number;
  dstPort: number;
  service?: { name: string; namespace: string; portName: string; port: number };
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  intent: ConnectionIntent;
  /** Traces come from an older policy set that disagrees with the current one (error injection). */
  stale: boolean;
}

/** One record a dataplane emits for a connection, before it is rendered into a wire format. */
export interface SimRecord {
  reporter: 'src' | 'dst';
  /** `log` records exist only in flowscope's own format: a Log rule matched. */
  action: 'allow' | 'deny' | 'log';
  /** The node whose dataplane reported it (the Kafka key). */
  node: string;
  enforced: readonly PolicyHit[];
  pending: readonly PolicyHit[];
  /** For `log` records: the Log rule that matched. */
  log?: LogHit;
}

export type SimEvent =
  | { type: 'inventory'; key: string; manifest: Manifest | null }
  | { type: 'flow'; connection: Connection; records: SimRecord[] };
