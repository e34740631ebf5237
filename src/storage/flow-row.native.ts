import { AttributedFlow, EnrichedEndpoint } from '../attribution/attributed-flow';
import { hasDetails } from '../flows/flow-details';
import { FLOW_COLUMNS } from './flow-row.encoder';
import { ArrayColumn, LowCardinalityColumn, NativeColumn, nativeBlock, NullableFloat64Column, PlainColumn } from './native.columns';
import { RowBinaryWriter } from './rowbinary.writer';
import { SharedValuesBatch } from './shared-values';

export { FLOW_COLUMNS };

/** Content ids (decimal UInt64 text) as their 8 bytes: a batch names a few thousand distinct ones. */
const idBytes = new Map<string, Buffer>();
const MAX_REMEMBERED_IDS = 100_000;

function contentId(w: RowBinaryWriter, id: string): void {
  if (id === '0') return w.i64(0);
  let b = idBytes.get(id);
  if (b === undefined) {
    b = Buffer.allocUnsafe(8);
    b.writeBigUInt64LE(BigInt(id));
    if (idBytes.size >= MAX_REMEMBERED_IDS) idBytes.clear();
    idBytes.set(id, b);
  }
  w.raw(b);
}

const TIME = "DateTime64(3, 'UTC')";
const LC = 'LowCardinality(String)';

/** The columns of one endpoint (source or destination), as the table names them after its prefix. */
function endpointColumns(rows: number) {
  return {
    type: new LowCardinalityColumn(rows),
    namespace: new LowCardinalityColumn(rows),
    name: new PlainColumn(rows * 24),
    aggregatedName: new PlainColumn(rows * 24),
    labelsId: new PlainColumn(rows * 8),
    namespaceLabelsId: new PlainColumn(rows * 8),
    serviceAccount: new LowCardinalityColumn(rows),
    node: new LowCardinalityColumn(rows),
    owner: new PlainColumn(rows * 16),
  };
}
type EndpointColumns = ReturnType<typeof endpointColumns>;

function endpointTyped(prefix: 'src' | 'dst', c: EndpointColumns): Array<[string, string, NativeColumn]> {
  return [
    [`${prefix}_type`, LC, c.type], [`${prefix}_namespace`, LC, c.namespace], [`${prefix}_name`, 'String', c.name],
    [`${prefix}_name_aggr`, 'String', c.aggregatedName], [`${prefix}_labels_id`, 'UInt64', c.labelsId],
    [`${prefix}_namespace_labels_id`, 'UInt64', c.namespaceLabelsId], [`${prefix}_service_account`, LC, c.serviceAccount],
    [`${prefix}_node`, LC, c.node], [`${prefix}_owner`, 'String', c.owner],
  ];
}

function addEndpoint(c: EndpointColumns, e: EnrichedEndpoint, shared: SharedValuesBatch): void {
  c.type.add(e.type);
  c.namespace.add(e.namespace);
  c.name.w.string(e.name);
  c.aggregatedName.w.string(e.aggregatedName);
  contentId(c.labelsId.w, shared.labels(e.labels));
  contentId(c.namespaceLabelsId.w, shared.labels(e.namespaceLabels));
  c.serviceAccount.add(e.serviceAccount);
  c.node.add(e.node);
  c.owner.w.string(e.owner);
}

/** Every column of FLOW_COLUMNS for a block of `rows` rows. */
function flowColumns(rows: number) {
  const lc = () => new LowCardinalityColumn(rows);
  const fixed = (width: number) => new PlainColumn(rows * width);
  return {
    start_time: fixed(8), end_time: fixed(8), action: lc(), reporter: lc(), protocol: lc(),
    src_ip: fixed(16), src_port: fixed(2), dst_ip: fixed(16), dst_port: fixed(2),
    src: endpointColumns(rows), dst: endpointColumns(rows),
    dst_service_name: lc(), dst_service_namespace: lc(), dst_service_port: fixed(2), node: lc(),
    num_flows: fixed(4), num_flows_started: fixed(4), num_flows_completed: fixed(4),
    packets_in: fixed(8), packets_out: fixed(8), bytes_in: fixed(8), bytes_out: fixed(8),
    reported_trace_id: fixed(8), reported_verdict: lc(), computed_verdict: lc(), computed_pending_verdict: lc(), trace_source: lc(),
    trace_tiers: new ArrayColumn(rows, lc()), trace_policies: new ArrayColumn(rows, fixed(24)),
    trace_rules: new ArrayColumn(rows, fixed(4)), trace_actions: new ArrayColumn(rows, lc()),
    decision_kind: lc(), decision_tier: lc(), decision_tier_order: new NullableFloat64Column(rows), decision_policy: lc(),
    decision_policy_order: new NullableFloat64Column(rows), decision_rule_index: fixed(4), decision_rule_id: fixed(8),
    pending_decision_policy: lc(), pending_decision_rule_index: fixed(4),
    verdict_mismatch: fixed(1), unknown_policy: fixed(1), unknown_endpoint: fixed(1),
    source_format: lc(), source_topic: lc(), source_partition: fixed(4), source_offset: fixed(8), source_index: fixed(4),
    verdict_uncertain: fixed(1), source_incarnation: lc(), has_details: fixed(1),
  };
}
type FlowColumns = ReturnType<typeof flowColumns>;

/** The columns with their names and the table's types, in FLOW_COLUMNS order. */
function typed(c: FlowColumns): Array<[string, string, NativeColumn]> {
  return [
    ['start_time', TIME, c.start_time], ['end_time', TIME, c.end_time], ['action', LC, c.action], ['reporter', LC, c.reporter],
    ['protocol', LC, c.protocol], ['src_ip', 'String', c.src_ip], ['src_port', 'UInt16', c.src_port],
    ['dst_ip', 'String', c.dst_ip], ['dst_port', 'UInt16', c.dst_port],
    ...endpointTyped('src', c.src), ...endpointTyped('dst', c.dst),
    ['dst_service_name', LC, c.dst_service_name], ['dst_service_namespace', LC, c.dst_service_namespace],
    ['dst_service_port', 'UInt16', c.dst_service_port], ['node', LC, c.node],
    ['num_flows', 'UInt32', c.num_flows], ['num_flows_started', 'UInt32', c.num_flows_started], ['num_flows_completed', 'UInt32', c.num_flows_completed],
    ['packets_in', 'UInt64', c.packets_in], ['packets_out', 'UInt64', c.packets_out], ['bytes_in', 'UInt64', c.bytes_in], ['bytes_out', 'UInt64', c.bytes_out],
    ['reported_trace_id', 'UInt64', c.reported_trace_id], ['reported_verdict', LC, c.reported_verdict],
    ['computed_verdict', LC, c.computed_verdict], ['computed_pending_verdict', LC, c.computed_pending_verdict], ['trace_source', LC, c.trace_source],
    ['trace_tiers', `Array(${LC})`, c.trace_tiers], ['trace_policies', 'Array(String)', c.trace_policies],
    ['trace_rules', 'Array(Int32)', c.trace_rules], ['trace_actions', `Array(${LC})`, c.trace_actions],
    ['decision_kind', LC, c.decision_kind], ['decision_tier', LC, c.decision_tier], ['decision_tier_order', 'Nullable(Float64)', c.decision_tier_order],
    ['decision_policy', LC, c.decision_policy], ['decision_policy_order', 'Nullable(Float64)', c.decision_policy_order],
    ['decision_rule_index', 'Int32', c.decision_rule_index], ['decision_rule_id', 'UInt64', c.decision_rule_id],
    ['pending_decision_policy', LC, c.pending_decision_policy], ['pending_decision_rule_index', 'Int32', c.pending_decision_rule_index],
    ['verdict_mismatch', 'UInt8', c.verdict_mismatch], ['unknown_policy', 'UInt8', c.unknown_policy], ['unknown_endpoint', 'UInt8', c.unknown_endpoint],
    ['source_format', LC, c.source_format], ['source_topic', LC, c.source_topic], ['source_partition', 'UInt32', c.source_partition],
    ['source_offset', 'UInt64', c.source_offset], ['source_index', 'UInt32', c.source_index],
    ['verdict_uncertain', 'UInt8', c.verdict_uncertain], ['source_incarnation', LC, c.source_incarnation], ['has_details', 'UInt8', c.has_details],
  ];
}

/** The Native type of each of FLOW_COLUMNS, as this encoder declares it (tests compare it with the table). */
export const FLOW_COLUMN_TYPES: ReadonlyMap<string, string> = new Map(typed(flowColumns(0)).map(([name, type]) => [name, type]));

/** DateTime64(3): epoch milliseconds as an Int64 (a fraction of a millisecond rounds, as text would). */
function time(w: RowBinaryWriter, ms: number): void {
  w.i64(Number.isInteger(ms) ? ms : Math.round(ms));
}

/** One flow's values appended to every column: the same values as encodeFlowRow()'s TabSeparated line. */
function addFlow(c: FlowColumns, { record: r, source: s, src, dst, attribution: a }: AttributedFlow, shared: SharedValuesBatch, incarnation: string): void {
  const svc = r.dstService;
  time(c.start_time.w, r.startTime);
  time(c.end_time.w, r.endTime);
  c.action.add(r.action);
  c.reporter.add(r.reporter);
  c.protocol.add(r.protocol);
  c.src_ip.w.string(r.srcIp);
  c.src_port.w.u16(r.srcPort);
  c.dst_ip.w.string(r.dstIp);
  c.dst_port.w.u16(r.dstPort);
  addEndpoint(c.src, src, shared);
  addEndpoint(c.dst, dst, shared);
  c.dst_service_name.add(svc ? svc.name : '');
  c.dst_service_namespace.add(svc ? svc.namespace : '');
  c.dst_service_port.w.u16(svc?.port ?? 0);
  c.node.add(r.node);
  c.num_flows.w.u32(r.numFlows);
  c.num_flows_started.w.u32(r.numFlowsStarted);
  c.num_flows_completed.w.u32(r.numFlowsCompleted);
  c.packets_in.w.i64(r.packetsIn);
  c.packets_out.w.i64(r.packetsOut);
  c.bytes_in.w.i64(r.bytesIn);
  c.bytes_out.w.i64(r.bytesOut);
  contentId(c.reported_trace_id.w, shared.reportedTrace(r.enforcedHits, r.pendingHits));
  c.reported_verdict.add(a.reportedVerdict);
  c.computed_verdict.add(a.computedVerdict);
  c.computed_pending_verdict.add(a.computedPendingVerdict);
  c.trace_source.add(a.traceSource);
  const trace = a.trace;
  for (let i = 0; i < trace.length; i++) {
    const h = trace[i];
    c.trace_tiers.items.add(h.tier);
    c.trace_policies.items.w.string(h.policy);
    c.trace_rules.items.w.i32(h.ruleIndex);
    c.trace_actions.items.add(h.action);
  }
  c.trace_tiers.end(trace.length);
  c.trace_policies.end(trace.length);
  c.trace_rules.end(trace.length);
  c.trace_actions.end(trace.length);
  const d = a.decision;
  c.decision_kind.add(d.kind);
  c.decision_tier.add(d.tier);
  c.decision_tier_order.add(d.tierOrder);
  c.decision_policy.add(d.policy);
  c.decision_policy_order.add(d.policyOrder);
  c.decision_rule_index.w.i32(d.ruleIndex);
  contentId(c.decision_rule_id.w, shared.rule(d.rule));
  c.pending_decision_policy.add(a.pendingDecision.policy);
  c.pending_decision_rule_index.w.i32(a.pendingDecision.ruleIndex);
  c.verdict_mismatch.w.bool(a.verdictMismatch);
  c.unknown_policy.w.bool(a.unknownPolicy);
  c.unknown_endpoint.w.bool(a.unknownEndpoint);
  c.source_format.add(s.format);
  c.source_topic.add(s.topic);
  c.source_partition.w.u32(s.partition);
  c.source_offset.w.u64Text(s.offset);
  c.source_index.w.u32(s.index);
  c.verdict_uncertain.w.bool(a.verdictUncertain);
  c.source_incarnation.add(incarnation);
  c.has_details.w.bool(hasDetails(r.details));
}

/**
 * A batch of flows as one Native block of FLOW_COLUMNS (empty for no flows). The label sets, rule
 * texts and reported traces the rows name go to `shared`, as with the TabSeparated encoder.
 */
export function encodeFlowBlock(flows: readonly AttributedFlow[], shared: SharedValuesBatch, incarnation: string): Buffer {
  if (flows.length === 0) return Buffer.alloc(0);
  const c = flowColumns(flows.length);
  for (const f of flows) addFlow(c, f, shared, incarnation);
  return nativeBlock(flows.length, typed(c), flows.length * 320);
}
