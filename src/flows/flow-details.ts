/**
 * What some records carry besides the flow itself: the process behind it, the domains and original
 * source IPs, NAT ports, TCP socket statistics, HTTP request counts, and a forwarded flow's transit
 * trace when the record had an enforced trace too. Each part is present only when the record said
 * something (Calico writes `-`, null or zeroes when a feature is off), so most flows have none.
 */
export interface FlowProcess {
  /** Executable path or name; '' when not said. */
  name: string;
  /** How many distinct names the aggregated record covers (Calico's num_process_names). */
  names: number;
  /** Process id as reported (a number, or Calico's `*` when several); '' when not said. */
  id: string;
  ids: number;
  args: string[];
  argsCount: number;
}

export interface FlowTcpStats {
  meanSmoothRttUs?: number;
  maxSmoothRttUs?: number;
  meanMinRttUs?: number;
  maxMinRttUs?: number;
  meanSendCongestionWindow?: number;
  minSendCongestionWindow?: number;
  meanMss?: number;
  minMss?: number;
  totalRetransmissions?: number;
  lostPackets?: number;
  unrecoveredTimeouts?: number;
}

export interface FlowHttpCounts {
  allowedIn: number;
  deniedIn: number;
}

export interface FlowDetails {
  process?: FlowProcess;
  destDomains?: string[];
  originalSourceIps?: string[];
  /** How many original source IPs the record saw (the list may be capped). */
  originalSourceIpCount?: number;
  natOutgoingPorts?: number[];
  tcp?: FlowTcpStats;
  http?: FlowHttpCounts;
  /** Hits of `policies.transit_policies` when the record also had enforced hits (else they are its trace). */
  transitPolicies?: string[];
}

/** True when `d` holds at least one part (a record without any is stored without a details row). */
export function hasDetails(d: FlowDetails | undefined): d is FlowDetails {
  if (!d) return false;
  for (const k in d) if ((d as Record<string, unknown>)[k] !== undefined) return true;
  return false;
}
