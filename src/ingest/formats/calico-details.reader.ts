import { FlowDetails, FlowProcess, FlowTcpStats } from '../../flows/flow-details';
import { Json, fail, optCount, optDashString, optStringArray, shown } from './field.readers';
import { checkIp } from './ip.checker';

/**
 * The optional extras of a Calico Enterprise flow log (docs.tigera.io "Flow log data types"):
 * process, domains, original source IPs, NAT ports, TCP socket statistics and HTTP counts. A part
 * is kept only when the record says something: Calico writes `-`, null or zeroes when the feature
 * behind it is off. A present extra of the wrong type rejects the record like any other field.
 */
export function calicoDetails(o: Json): FlowDetails | undefined {
  let d: FlowDetails | undefined;
  const set = <K extends keyof FlowDetails>(k: K, v: FlowDetails[K] | undefined) => {
    if (v !== undefined) (d ??= {})[k] = v;
  };
  set('process', processOf(o));
  set('destDomains', nonEmpty(optStringArray(o, 'dest_domains')));
  const original = nonEmpty(optStringArray(o, 'original_source_ips'));
  if (original) original.forEach((ip, i) => checkIp(`original_source_ips[${i}]`, ip));
  set('originalSourceIps', original);
  const originalCount = optCount(o, 'num_original_source_ips');
  set('originalSourceIpCount', originalCount > 0 ? originalCount : undefined);
  set('natOutgoingPorts', ports(o, 'nat_outgoing_ports'));
  set('tcp', tcpOf(o));
  const allowedIn = optCount(o, 'http_requests_allowed_in');
  const deniedIn = optCount(o, 'http_requests_denied_in');
  set('http', allowedIn > 0 || deniedIn > 0 ? { allowedIn, deniedIn } : undefined);
  return d;
}

function nonEmpty<T>(a: T[]): T[] | undefined {
  return a.length > 0 ? a : undefined;
}

function ports(o: Json, key: string): number[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return fail(key, `expected an array of ports, got ${shown(v)}`);
  for (let i = 0; i < v.length; i++) {
    const p = v[i];
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 65535) fail(`${key}[${i}]`, `expected a port, got ${shown(p)}`);
  }
  return nonEmpty(v as number[]);
}

/** process_id is a keyword in Calico's schema: a number, a numeric string, `*` (several) or `-`. */
function processId(o: Json): string {
  const v = o.process_id;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v === '-' ? '' : v;
  return fail('process_id', `expected a process id, got ${shown(v)}`);
}

function processOf(o: Json): FlowProcess | undefined {
  const name = optDashString(o, 'process_name');
  const id = processId(o);
  const args = optStringArray(o, 'process_args').filter((a) => a !== '-');
  if (!name && !id && args.length === 0) return undefined;
  return {
    name,
    names: optCount(o, 'num_process_names'),
    id,
    ids: optCount(o, 'num_process_ids'),
    args,
    argsCount: optCount(o, 'num_process_args'),
  };
}

const TCP_FIELDS: ReadonlyArray<[keyof FlowTcpStats, string]> = [
  ['meanSmoothRttUs', 'tcp_mean_smooth_rtt'],
  ['maxSmoothRttUs', 'tcp_max_smooth_rtt'],
  ['meanMinRttUs', 'tcp_mean_min_rtt'],
  ['maxMinRttUs', 'tcp_max_min_rtt'],
  ['meanSendCongestionWindow', 'tcp_mean_send_congestion_window'],
  ['minSendCongestionWindow', 'tcp_min_send_congestion_window'],
  ['meanMss', 'tcp_mean_mss'],
  ['minMss', 'tcp_min_mss'],
  ['totalRetransmissions', 'tcp_total_retransmissions'],
  ['lostPackets', 'tcp_lost_packets'],
  ['unrecoveredTimeouts', 'tcp_unrecovered_to'],
];

/** TCP socket statistics; all zero (the feature off, or not TCP) counts as none. */
function tcpOf(o: Json): FlowTcpStats | undefined {
  const out: FlowTcpStats = {};
  let any = false;
  for (const [name, key] of TCP_FIELDS) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(key, `expected a non-negative number, got ${shown(v)}`);
    out[name] = v;
    if (v !== 0) any = true;
  }
  return any ? out : undefined;
}
