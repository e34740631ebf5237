import { FlowAction, FlowRecord, Reporter, ReportedEndpoint, ReportedEndpointType, ReportedHttp, ReportedService } from '../../flows/flow-record';
import {
  Json, fail, isObject, optCount, optDashString, optObject, optPort, optString, optStringArray, reqString, reqUnixSeconds, shown,
} from './field.readers';
import { calicoDetails } from './calico-details.reader';
import { checkHitStrings } from './hit-string.cache';
import { optIp } from './ip.checker';
import { calicoLabels } from './labels.parser';
import { messageLines, parseLines } from './ndjson.lines';
import { normaliseProto } from './protocol.normaliser';
import { enforcedOrTransit } from './transit-hits';

/**
 * Calico Enterprise / Calico Cloud flow logs (docs.tigera.io "Flow log data types";
 * /work/shared/reference/flow-formats.md §1): one JSON object per record, Unix-second windows,
 * `-` for "not said", null IPs and ports when aggregated. The optional extras (process_*, tcp_*,
 * http_*, dest_domains, original_source_ips, nat_outgoing_ports) become the record's details; other
 * fields are accepted and ignored.
 */

// Maps, not object literals: a record saying `"action": "constructor"` must not find a prototype key.
const ACTIONS = new Map<string, FlowAction>([['allow', 'allow'], ['deny', 'deny']]);
const REPORTERS = new Map<string, Reporter>([['src', 'src'], ['dst', 'dst'], ['fwd', 'fwd']]);
const TYPES = new Map<string, ReportedEndpointType>([['wep', 'wep'], ['hep', 'hep'], ['ns', 'ns'], ['net', 'net'], ['-', '']]);

function enumField<T>(o: Json, key: string, table: ReadonlyMap<string, T>, expected: string): T {
  const v = reqString(o, key);
  const t = table.get(v);
  return t !== undefined ? t : fail(key, `expected ${expected}, got ${shown(v)}`);
}

function endpointType(o: Json, key: string): ReportedEndpointType {
  const v = o[key];
  if (v === undefined || v === null) return '';
  const t = typeof v === 'string' ? TYPES.get(v) : undefined;
  return t !== undefined ? t : fail(key, `expected wep, hep, ns or net, got ${shown(v)}`);
}

function endpoint(o: Json, side: 'source' | 'dest'): ReportedEndpoint {
  return {
    type: endpointType(o, `${side}_type`),
    namespace: optDashString(o, `${side}_namespace`),
    name: optDashString(o, `${side}_name`),
    aggregatedName: optDashString(o, `${side}_name_aggr`),
    labels: calicoLabels(`${side}_labels`, o[`${side}_labels`]),
  };
}

/**
 * `-` = the destination is not a known Service -> ''. `*` = several (aggregated over more than one
 * Service or port) is kept as `*`: it is information ("some service"), not absence. The service is
 * omitted entirely when nothing about it is known.
 */
function service(o: Json): ReportedService | undefined {
  const name = optDashString(o, 'dest_service_name');
  const namespace = optDashString(o, 'dest_service_namespace');
  const portName = optDashString(o, 'dest_service_port');
  const port = optPort(o, 'dest_service_port_num');
  if (!name && !namespace && !portName && port === 0) return undefined;
  return { name, namespace, portName, port };
}

/**
 * enforced_policies / pending_policies; the deprecated all_policies stands for enforced on old
 * clusters; transit_policies is the trace of forwarded (`fwd`) records.
 */
function hits(o: Json): { enforced: string[]; pending: string[]; transit: string[] } {
  const p = optObject(o, 'policies');
  if (!p) return { enforced: [], pending: [], transit: [] };
  const hasEnforced = p.enforced_policies !== undefined && p.enforced_policies !== null;
  const enforcedKey = hasEnforced ? 'enforced_policies' : 'all_policies';
  return {
    enforced: checkHitStrings(`policies.${enforcedKey}`, optStringArray(p, enforcedKey, `policies.${enforcedKey}`)),
    pending: checkHitStrings('policies.pending_policies', optStringArray(p, 'pending_policies', 'policies.pending_policies')),
    transit: checkHitStrings('policies.transit_policies', optStringArray(p, 'transit_policies', 'policies.transit_policies')),
  };
}

/**
 * The request of an L7 record (Calico Enterprise L7 logs: `method`, `url`), which HTTP-match rules
 * need. `url` may be a full URL or a path; only the path (with query) is kept.
 */
function http(o: Json): ReportedHttp | undefined {
  const method = optDashString(o, 'method');
  const url = optDashString(o, 'url');
  if (!method && !url) return undefined;
  if (method && !/^[A-Za-z]{1,32}$/.test(method)) fail('method', `expected an HTTP method name, got ${shown(method)}`);
  let path = url;
  if (url && !url.startsWith('/')) {
    try {
      const u = new URL(url);
      path = u.pathname + u.search;
    } catch {
      fail('url', `expected a path or an absolute URL, got ${shown(url)}`);
    }
  }
  return { method, path };
}

/** One Calico flow-log object -> FlowRecord; throws MalformedEventError naming the field. */
export function calicoFlowLogToRecord(json: unknown): FlowRecord {
  if (!isObject(json)) return fail('(record)', `expected a JSON object, got ${shown(json)}`);
  const o = json;
  const startTime = reqUnixSeconds(o, 'start_time');
  const endTime = o.end_time === undefined || o.end_time === null ? startTime : reqUnixSeconds(o, 'end_time');
  if (endTime < startTime) fail('end_time', 'is before start_time');
  const { enforced, pending, transit } = hits(o);
  const dstService = service(o);
  const record: FlowRecord = {
    startTime,
    endTime,
    action: enumField(o, 'action', ACTIONS, 'allow or deny'),
    reporter: enumField(o, 'reporter', REPORTERS, 'src, dst or fwd'),
    protocol: normaliseProto('proto', o.proto),
    srcIp: optIp(o, 'source_ip'),
    srcPort: optPort(o, 'source_port'),
    dstIp: optIp(o, 'dest_ip'),
    dstPort: optPort(o, 'dest_port'),
    src: endpoint(o, 'source'),
    dst: endpoint(o, 'dest'),
    node: optString(o, 'host'),
    numFlows: optCount(o, 'num_flows'),
    numFlowsStarted: optCount(o, 'num_flows_started'),
    numFlowsCompleted: optCount(o, 'num_flows_completed'),
    packetsIn: optCount(o, 'packets_in'),
    packetsOut: optCount(o, 'packets_out'),
    bytesIn: optCount(o, 'bytes_in'),
    bytesOut: optCount(o, 'bytes_out'),
    enforcedHits: enforcedOrTransit(enforced, transit),
    pendingHits: pending,
  };
  if (dstService) record.dstService = dstService;
  const request = http(o);
  if (request) record.http = request;
  let details = calicoDetails(o);
  if (enforced.length > 0 && transit.length > 0) details = { ...details, transitPolicies: transit };
  if (details) record.details = details;
  return record;
}

/** Reads a message of Calico flow-log records (one object or NDJSON); accepted or rejected whole. */
export class CalicoFlowLogParser {
  constructor(private readonly maxMessageBytes: number) {}

  parse(value: Buffer): FlowRecord[] {
    return parseCalicoLines(messageLines(value, this.maxMessageBytes));
  }
}

/** For the decoder, which has already split the message (and may have parsed its first line). */
export function parseCalicoLines(lines: readonly string[], first?: unknown, sameShape?: (json: unknown, where: string) => void): FlowRecord[] {
  return parseLines(lines, calicoFlowLogToRecord, first, sameShape);
}
