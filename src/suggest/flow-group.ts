/**
 * One distinct observed flow over the analysis window: the fields a verdict depends on (addresses,
 * protocol, ports) plus the inventory epoch it was seen in, so it can be replayed against the
 * inventory as of its own time. Counts and samples are evidence only. No stored flow format carries
 * ICMP type or code: a rule matching on them leaves the replayed decision uncertain.
 */
export interface FlowGroup {
  /** Any instant of the group (its first start time): every instant of one epoch has the same inventory. */
  readonly time: number;
  readonly srcIp: string;
  readonly dstIp: string;
  readonly protocol: string;
  readonly dstPort: number;
  /** The source port, or null when the flows were not told apart by it (no rule matches on source ports, or none was reported). */
  readonly srcPort: number | null;
  readonly srcNamespace: string;
  readonly srcName: string;
  readonly dstNamespace: string;
  readonly dstName: string;
  readonly records: number;
  readonly flows: number;
  readonly bytes: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** A few stored row ids of the group, sorted. */
  readonly sampleIds: readonly string[];
}

/** The cluster's history as the analyses need it: the inventory timeline satisfies it. */
export interface InventoryHistory {
  /** Equal epochs mean equal resources. */
  epochAt(t: number): number;
  stateAt(t: number): import('../policy').Resource[];
  /** How the state at `to` differs from the state at `from` (undefined: too many changes to say). */
  changesBetween?(from: number, to: number, limit?: number): { upserts: import('../policy').Resource[]; deletions: string[] } | undefined;
  /** The compiled inventory of instant t, when the caller keeps one cached (else built from stateAt). */
  snapshotAt?(t: number): import('../policy').PolicySnapshot;
}
