import { AttributedFlow, AttributedHit, Attribution, EnrichedEndpoint } from '../attribution/attributed-flow';
import { hasDetails } from '../flows/flow-details';
import { SharedValuesBatch } from './shared-values';
import { encodeTsvRow, escapeField, quote, tsvTime, TsvValue } from './tsv.encoder';

/** The flows table's columns an insert writes, in the order encodeFlowRow() writes them. */
export const FLOW_COLUMNS = [
  'start_time', 'end_time', 'action', 'reporter', 'protocol', 'src_ip', 'src_port', 'dst_ip', 'dst_port',
  'src_type', 'src_namespace', 'src_name', 'src_name_aggr', 'src_labels_id', 'src_namespace_labels_id', 'src_service_account', 'src_node', 'src_owner',
  'dst_type', 'dst_namespace', 'dst_name', 'dst_name_aggr', 'dst_labels_id', 'dst_namespace_labels_id', 'dst_service_account', 'dst_node', 'dst_owner',
  'dst_service_name', 'dst_service_namespace', 'dst_service_port', 'node', 'num_flows', 'num_flows_started', 'num_flows_completed',
  'packets_in', 'packets_out', 'bytes_in', 'bytes_out', 'reported_trace_id', 'reported_verdict',
  'computed_verdict', 'computed_pending_verdict', 'trace_source', 'trace_tiers', 'trace_policies', 'trace_rules', 'trace_actions',
  'decision_kind', 'decision_tier', 'decision_tier_order', 'decision_policy', 'decision_policy_order', 'decision_rule_index', 'decision_rule_id',
  'pending_decision_policy', 'pending_decision_rule_index', 'verdict_mismatch', 'unknown_policy', 'unknown_endpoint',
  'source_format', 'source_topic', 'source_partition', 'source_offset', 'source_index', 'verdict_uncertain', 'source_incarnation', 'has_details',
] as const;

/**
 * One attributed flow as a row of FLOW_COLUMNS, value by value: the plain reference the fast
 * encoder below must equal (see its tests). The label sets, rule text and reported trace it names
 * go to `shared`.
 */
export function flowValues({ record: r, source: s, src, dst, attribution: a }: AttributedFlow, shared: SharedValuesBatch, incarnation: string): TsvValue[] {
  return [
    tsvTime(r.startTime), tsvTime(r.endTime), r.action, r.reporter, r.protocol, r.srcIp, r.srcPort, r.dstIp, r.dstPort,
    src.type, src.namespace, src.name, src.aggregatedName, shared.labels(src.labels), shared.labels(src.namespaceLabels), src.serviceAccount, src.node, src.owner,
    dst.type, dst.namespace, dst.name, dst.aggregatedName, shared.labels(dst.labels), shared.labels(dst.namespaceLabels), dst.serviceAccount, dst.node, dst.owner,
    r.dstService?.name ?? '', r.dstService?.namespace ?? '', r.dstService?.port ?? 0, r.node, r.numFlows, r.numFlowsStarted, r.numFlowsCompleted,
    r.packetsIn, r.packetsOut, r.bytesIn, r.bytesOut, shared.reportedTrace(r.enforcedHits, r.pendingHits), a.reportedVerdict,
    a.computedVerdict, a.computedPendingVerdict, a.traceSource, a.trace.map((h) => h.tier), a.trace.map((h) => h.policy), a.trace.map((h) => h.ruleIndex), a.trace.map((h) => h.action),
    a.decision.kind, a.decision.tier, a.decision.tierOrder, a.decision.policy, a.decision.policyOrder, a.decision.ruleIndex, shared.rule(a.decision.rule),
    a.pendingDecision.policy, a.pendingDecision.ruleIndex, a.verdictMismatch, a.unknownPolicy, a.unknownEndpoint,
    s.format, s.topic, s.partition, s.offset, s.index, a.verdictUncertain, incarnation, hasDetails(r.details),
  ];
}

// Attribution memoises traces, decisions and known endpoints per inventory state: the rows of a
// batch share a few hundred of them, so their text is built once (the profile showed the generic
// value-by-value encoding and its garbage as the largest JavaScript cost of ingest).
const traceText = new WeakMap<readonly AttributedHit[], string>();
const decisionText = new WeakMap<Attribution['decision'], string>();
const endpointText = new WeakMap<EnrichedEndpoint, readonly [string, string]>();

const num = (n: number | null): string => (n === null ? '\\N' : String(n));
const flag = (b: boolean): string => (b ? '1' : '0');

function traceColumns(trace: readonly AttributedHit[]): string {
  let text = traceText.get(trace);
  if (text === undefined) {
    let tiers = '';
    let policies = '';
    let rules = '';
    let actions = '';
    for (let i = 0; i < trace.length; i++) {
      const sep = i ? ',' : '';
      tiers += sep + quote(trace[i].tier);
      policies += sep + quote(trace[i].policy);
      rules += sep + String(trace[i].ruleIndex);
      actions += sep + quote(trace[i].action);
    }
    text = `[${tiers}]\t[${policies}]\t[${rules}]\t[${actions}]`;
    traceText.set(trace, text);
  }
  return text;
}

/** The decision's columns up to its rule index (the rule's id follows, registered per batch). */
function decisionColumns(d: Attribution['decision']): string {
  let text = decisionText.get(d);
  if (text === undefined) {
    text = `${escapeField(d.kind)}\t${escapeField(d.tier)}\t${num(d.tierOrder)}\t${escapeField(d.policy)}\t${num(d.policyOrder)}\t${d.ruleIndex}`;
    decisionText.set(d, text);
  }
  return text;
}

/** An endpoint's columns before and after its two label set ids. */
function endpointColumns(e: EnrichedEndpoint): readonly [string, string] {
  let text = endpointText.get(e);
  if (text === undefined) {
    text = [
      `${escapeField(e.type)}\t${escapeField(e.namespace)}\t${escapeField(e.name)}\t${escapeField(e.aggregatedName)}`,
      `${escapeField(e.serviceAccount)}\t${escapeField(e.node)}\t${escapeField(e.owner)}`,
    ];
    endpointText.set(e, text);
  }
  return text;
}

function endpoint(e: EnrichedEndpoint, shared: SharedValuesBatch): string {
  const [head, tail] = endpointColumns(e);
  return `${head}\t${shared.labels(e.labels)}\t${shared.labels(e.namespaceLabels)}\t${tail}`;
}

/** One TabSeparated line (no line break) of FLOW_COLUMNS; the same text as encodeTsvRow(flowValues(...)). */
export function encodeFlowRow({ record: r, source: s, src, dst, attribution: a }: AttributedFlow, shared: SharedValuesBatch, incarnation: string): string {
  const svc = r.dstService;
  return (
    `${tsvTime(r.startTime)}\t${tsvTime(r.endTime)}\t${escapeField(r.action)}\t${escapeField(r.reporter)}\t${escapeField(r.protocol)}\t` +
    `${escapeField(r.srcIp)}\t${r.srcPort}\t${escapeField(r.dstIp)}\t${r.dstPort}\t${endpoint(src, shared)}\t${endpoint(dst, shared)}\t` +
    `${svc ? escapeField(svc.name) : ''}\t${svc ? escapeField(svc.namespace) : ''}\t${svc?.port ?? 0}\t${escapeField(r.node)}\t` +
    `${r.numFlows}\t${r.numFlowsStarted}\t${r.numFlowsCompleted}\t${r.packetsIn}\t${r.packetsOut}\t${r.bytesIn}\t${r.bytesOut}\t` +
    `${shared.reportedTrace(r.enforcedHits, r.pendingHits)}\t${a.reportedVerdict}\t${a.computedVerdict}\t${a.computedPendingVerdict}\t${a.traceSource}\t` +
    `${traceColumns(a.trace)}\t${decisionColumns(a.decision)}\t${shared.rule(a.decision.rule)}\t` +
    `${escapeField(a.pendingDecision.policy)}\t${a.pendingDecision.ruleIndex}\t${flag(a.verdictMismatch)}\t${flag(a.unknownPolicy)}\t${flag(a.unknownEndpoint)}\t` +
    `${escapeField(s.format)}\t${escapeField(s.topic)}\t${s.partition}\t${s.offset}\t${s.index}\t${flag(a.verdictUncertain)}\t${escapeField(incarnation)}\t${flag(hasDetails(r.details))}`
  );
}

/** The reference encoding, for tests and for anyone reading what a row holds. */
export function encodeFlowRowPlain(f: AttributedFlow, shared: SharedValuesBatch, incarnation: string): string {
  return encodeTsvRow(flowValues(f, shared, incarnation));
}
