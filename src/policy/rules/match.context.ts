import { Labels } from '../selector';
import { NamedPortDecl } from '../model';
import { ParsedIp } from './ip.util';

/** Anything a selector can match: its labels already merged with inherited namespace/SA labels. */
export interface LabelledRuntime {
  readonly allLabels: Labels;
}

export interface EndpointRuntimeLike extends LabelledRuntime {
  /** Named ports by name; a name may be declared for several protocols. */
  readonly namedPorts: ReadonlyMap<string, readonly NamedPortDecl[]>;
}

/**
 * What selectors see of an IP: the endpoint owning it and every network set containing it.
 * Shared by all IPs with the same endpoint and sets, and carries the memo of selector results
 * by selector id (0 = unknown, 1 = no, 2 = yes), allocated on first use.
 */
export class SelectorSubject {
  memo: Uint8Array | null = null;
  constructor(
    readonly endpoint: EndpointRuntimeLike | null,
    readonly netsets: readonly LabelledRuntime[],
  ) {}
}

export const NO_SUBJECT = new SelectorSubject(null, []);

/** One side of the flow as rules see it. */
export interface PeerState {
  readonly ip: ParsedIp | null;
  /** The pod / workload / host endpoint owning the IP, if any. */
  readonly endpoint: EndpointRuntimeLike | null;
  /** Every network set whose nets contain the IP (Calico IP sets are unions, so all of them count). */
  readonly netsets: readonly LabelledRuntime[];
  /** `endpoint` and `netsets` again, interned, with the selector memo. */
  readonly subject: SelectorSubject;
}

export interface ServiceRef {
  readonly name: string;
  readonly namespace: string;
}

export const NO_PEER: PeerState = Object.freeze({ ip: null, endpoint: null, netsets: [], subject: NO_SUBJECT });

/**
 * The packet under evaluation. One instance is reused by a snapshot for every decision, which
 * is safe because evaluation is synchronous; it avoids an allocation per decision.
 * Unknown numeric fields are -1.
 */
export class MatchContext {
  proto = -1;
  family: 0 | 4 | 6 = 0;
  srcPort = -1;
  dstPort = -1;
  icmpType = -1;
  icmpCode = -1;
  src: PeerState = NO_PEER;
  dst: PeerState = NO_PEER;
  srcService: ServiceRef | null = null;
  dstService: ServiceRef | null = null;
  /** HTTP request line, when the flow carries it (L7 records); null otherwise. */
  httpMethod: string | null = null;
  httpPath: string | null = null;
  /** Set by a rule whose HTTP criteria the flow cannot answer: the decision rests on a guess. */
  uncertain = false;
}
