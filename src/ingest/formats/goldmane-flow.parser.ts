import { FlowAction, FlowRecord, Reporter, ReportedEndpoint, ReportedEndpointType, ReportedService } from '../../flows/flow-record';
import { Json, fail, isObject, k, optCount, optDashString, optObject, reqUnixSeconds, shown } from './field.readers';
import { renderHits } from './goldmane-hits.renderer';
import { enforcedOrTransit } from './transit-hits';
import { labelsFromPairs } from './labels.parser';
import { messageLines, parseLines } from './ndjson.lines';
import { normaliseProto } from './protocol.normaliser';

/**
 * Calico OSS Goldmane flows (goldmane/proto/api.proto; flow-formats.md §3) as its HTTP emitter
 * writes them: Go encoding/json of the generated structs, one flow per line. The generated json tags
 * are the proto field names, so the flow's key is `Key` (capital K) and every other key is
 * snake_case; zero values are omitted (omitempty) and enums are integers. The protobuf JSON mapping
 * (protojson) writes lowerCamelCase keys, enum names and int64 as strings: those are accepted too.
 */

interface EnumSpec<T> {
  readonly type: string;
  readonly byNumber: ReadonlyMap<number, T>;
  readonly byName: ReadonlyMap<string, number>;
  /** Values the proto defines that are not valid here, with the reason. */
  readonly refused: ReadonlyMap<number, string>;
  readonly expected: string;
}

function enumSpec<T>(type: string, values: [number, string, T][], refused: [number, string, string][] = [], aliases: [string, number][] = []): EnumSpec<T> {
  return {
    type,
    byNumber: new Map(values.map(([n, , t]) => [n, t])),
    byName: new Map([...[...values, ...refused].map(([n, name]): [string, number] => [name, n]), ...aliases]),
    refused: new Map(refused.map(([n, name, why]) => [n, `${name} (${n}) ${why}`])),
    expected: values.map(([n, name]) => `${n} (${name})`).join(', '),
  };
}

const ACTION = enumSpec<FlowAction>('Action', [[1, 'Allow', 'allow'], [2, 'Deny', 'deny']], [
  [0, 'ActionUnspecified', 'means the flow has no verdict'],
  [3, 'Pass', 'is a policy action, not a flow verdict'],
]);
// `fwd`: traffic a host endpoint forwarded (apply-on-forward and pre-DNAT policies), as Calico
// Enterprise reports it; older emitters wrote the reporter as Calico's lower-case string.
const REPORTER = enumSpec<Reporter>('Reporter', [[1, 'Src', 'src'], [2, 'Dst', 'dst'], [3, 'Fwd', 'fwd']], [
  [0, 'ReporterUnspecified', 'means the flow has no reporter'],
], [['src', 1], ['dst', 2], ['fwd', 3]]);
const ENDPOINT_TYPE = enumSpec<ReportedEndpointType>('EndpointType', [
  [0, 'EndpointTypeUnspecified', ''], [1, 'WorkloadEndpoint', 'wep'], [2, 'HostEndpoint', 'hep'], [3, 'NetworkSet', 'ns'], [4, 'Network', 'net'],
]);

/** Integer (Go JSON) or enum name (protojson); omitted = the zero value (omitempty). */
function enumValue<T>(o: Json, key: string, field: string, spec: EnumSpec<T>): T {
  const v = o[key];
  let n: number | undefined;
  if (v === undefined || v === null) n = 0;
  else if (typeof v === 'number' && Number.isInteger(v)) n = v;
  else if (typeof v === 'string') n = spec.byName.get(v);
  const t = n === undefined ? undefined : spec.byNumber.get(n);
  if (t !== undefined) return t;
  const why = n === undefined ? undefined : spec.refused.get(n);
  return fail(field, why ?? `unknown ${spec.type} ${shown(v)}; expected ${spec.expected}`);
}


/**
 * Every string of a Goldmane key is read here: Felix sends `-` for "none" (the namespace of host
 * endpoints, outside networks and global network sets; every service field of a flow without a
 * service), which flowscope stores as '' like Calico's `-`.
 */
function text(o: Json, key: string): string {
  return optDashString(o, key, `Key.${key}`);
}

function endpoint(key: Json, flow: Json, side: 'source' | 'dest', sideCamel: 'source' | 'dest'): ReportedEndpoint {
  const name = k(key, `${side}_name`, `${sideCamel}Name`);
  const ns = k(key, `${side}_namespace`, `${sideCamel}Namespace`);
  const type = k(key, `${side}_type`, `${sideCamel}Type`);
  const labels = k(flow, `${side}_labels`, `${sideCamel}Labels`);
  return {
    type: enumValue(key, type, `Key.${type}`, ENDPOINT_TYPE),
    namespace: text(key, ns),
    // Goldmane names are aggregated already: for pods, the set sharing a GenerateName
    // (api.proto FlowKey.source_name); `pub`/`pvt` for networks. No pod name is ever reported.
    name: '',
    aggregatedName: text(key, name),
    labels: labelsFromPairs(labels, flow[labels]),
  };
}

function service(key: Json): ReportedService | undefined {
  const nameKey = k(key, 'dest_service_name', 'destServiceName');
  const nsKey = k(key, 'dest_service_namespace', 'destServiceNamespace');
  const portNameKey = k(key, 'dest_service_port_name', 'destServicePortName');
  const portKey = k(key, 'dest_service_port', 'destServicePort');
  const name = text(key, nameKey);
  const namespace = text(key, nsKey);
  const portName = text(key, portNameKey);
  const port = countOf(key, portKey, `Key.${portKey}`);
  if (port > 65535) fail(`Key.${portKey}`, `port out of range: ${port}`);
  if (!name && !namespace && !portName && port === 0) return undefined;
  return { name, namespace, portName, port };
}

/** int64: a number from Go JSON, a decimal string from protojson. */
function countOf(o: Json, key: string, field: string): number {
  return optCount(o, key, field, true);
}

// --- flows ---------------------------------------------------------------------------------

/** The flow's key object (`Key` from Go JSON, `key` tolerated), or undefined. */
export function goldmaneKeyOf(o: Json): Json | undefined {
  const v = o.Key !== undefined ? o.Key : o.key;
  return isObject(v) ? v : undefined;
}

/** One Goldmane flow object -> FlowRecord; throws MalformedEventError naming the field. */
export function goldmaneFlowToRecord(json: unknown): FlowRecord {
  if (!isObject(json)) return fail('(record)', `expected a JSON object, got ${shown(json)}`);
  const flow = json;
  const key = optObject(flow, flow.Key !== undefined ? 'Key' : 'key', 'Key') ?? fail('Key', 'is required');
  const startKey = k(flow, 'start_time', 'startTime');
  const endKey = k(flow, 'end_time', 'endTime');
  const startTime = reqUnixSeconds(flow, startKey, startKey, true);
  const endTime = flow[endKey] === undefined || flow[endKey] === null ? startTime : reqUnixSeconds(flow, endKey, endKey, true);
  if (endTime < startTime) fail(endKey, `is before ${startKey}`);
  const portKey = k(key, 'dest_port', 'destPort');
  const dstPort = countOf(key, portKey, `Key.${portKey}`);
  if (dstPort > 65535) fail(`Key.${portKey}`, `port out of range: ${dstPort}`);
  const trace = optObject(key, 'policies', 'Key.policies');
  const started = countOf(flow, k(flow, 'num_connections_started', 'numConnectionsStarted'), 'num_connections_started');
  const completed = countOf(flow, k(flow, 'num_connections_completed', 'numConnectionsCompleted'), 'num_connections_completed');
  // Felix puts Calico's num_flows (every connection seen in the window) here and reads it back from
  // here (felix/collector/goldmane/client.go), whatever the proto's comment says: it is the count.
  const flows = countOf(flow, k(flow, 'num_connections_live', 'numConnectionsLive'), 'num_connections_live');
  const dstService = service(key);
  const enforced = trace ? renderHits(trace, 'enforced_policies', 'enforcedPolicies') : [];
  const transit = trace ? renderHits(trace, 'transit_policies', 'transitPolicies') : [];
  const record: FlowRecord = {
    startTime,
    endTime,
    action: enumValue(key, 'action', 'Key.action', ACTION),
    reporter: enumValue(key, 'reporter', 'Key.reporter', REPORTER),
    protocol: normaliseProto('Key.proto', key.proto),
    srcIp: '',
    srcPort: 0,
    dstIp: '',
    dstPort,
    src: endpoint(key, flow, 'source', 'source'),
    dst: endpoint(key, flow, 'dest', 'dest'),
    node: '',
    numFlows: flows,
    numFlowsStarted: started,
    numFlowsCompleted: completed,
    packetsIn: countOf(flow, k(flow, 'packets_in', 'packetsIn'), 'packets_in'),
    packetsOut: countOf(flow, k(flow, 'packets_out', 'packetsOut'), 'packets_out'),
    bytesIn: countOf(flow, k(flow, 'bytes_in', 'bytesIn'), 'bytes_in'),
    bytesOut: countOf(flow, k(flow, 'bytes_out', 'bytesOut'), 'bytes_out'),
    enforcedHits: enforcedOrTransit(enforced, transit),
    pendingHits: trace ? renderHits(trace, 'pending_policies', 'pendingPolicies') : [],
  };
  if (enforced.length > 0 && transit.length > 0) record.details = { transitPolicies: transit };
  if (dstService) record.dstService = dstService;
  return record;
}

/** Reads a message of Goldmane flows (one object or NDJSON); accepted or rejected whole. */
export class GoldmaneFlowParser {
  constructor(private readonly maxMessageBytes: number) {}

  parse(value: Buffer): FlowRecord[] {
    return parseGoldmaneLines(messageLines(value, this.maxMessageBytes));
  }
}

/** For the decoder, which has already split the message (and may have parsed its first line). */
export function parseGoldmaneLines(lines: readonly string[], first?: unknown, sameShape?: (json: unknown, where: string) => void): FlowRecord[] {
  return parseLines(lines, goldmaneFlowToRecord, first, sameShape);
}
