import { AttributedFlow, AttributedHit, Attribution, EnrichedEndpoint } from '../attribution/attributed-flow';
import { FLOW_COLUMNS } from './flow-row.encoder';
import { RowBinaryWriter, rowBinaryBytes } from './rowbinary.writer';
import { SharedValuesBatch } from './shared-values';

export { FLOW_COLUMNS };

// As in the TSV encoder: traces, decisions and known endpoints are memoised per inventory state
// and shared by many rows, so their columns are encoded once and copied.
const traceBytes = new WeakMap<readonly AttributedHit[], Buffer>();
const decisionBytes = new WeakMap<Attribution['decision'], Buffer>();
const endpointBytes = new WeakMap<EnrichedEndpoint, readonly [Buffer, Buffer]>();

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

function traceColumns(trace: readonly AttributedHit[]): Buffer {
  let b = traceBytes.get(trace);
  if (b === undefined) {
    b = rowBinaryBytes((w) => {
      w.stringArray(trace.map((h) => h.tier));
      w.stringArray(trace.map((h) => h.policy));
      w.i32Array(trace.map((h) => h.ruleIndex));
      w.stringArray(trace.map((h) => h.action));
    });
    traceBytes.set(trace, b);
  }
  return b;
}

/** The decision's columns up to its rule index (the rule's id follows, registered per batch). */
function decisionColumns(d: Attribution['decision']): Buffer {
  let b = decisionBytes.get(d);
  if (b === undefined) {
    b = rowBinaryBytes((w) => {
      w.string(d.kind);
      w.string(d.tier);
      w.nullableF64(d.tierOrder);
      w.string(d.policy);
      w.nullableF64(d.policyOrder);
      w.i32(d.ruleIndex);
    });
    decisionBytes.set(d, b);
  }
  return b;
}

/** An endpoint's columns before its two label set ids. */
function endpointHead(w: RowBinaryWriter, e: EnrichedEndpoint): void {
  w.string(e.type);
  w.string(e.namespace);
  w.string(e.name);
  w.string(e.aggregatedName);
}

/** An endpoint's columns after its two label set ids. */
function endpointTail(w: RowBinaryWriter, e: EnrichedEndpoint): void {
  w.string(e.serviceAccount);
  w.string(e.node);
  w.string(e.owner);
}

/** Both runs encoded once (one allocation, two views). */
function endpointColumns(e: EnrichedEndpoint): readonly [Buffer, Buffer] {
  let b = endpointBytes.get(e);
  if (b === undefined) {
    let head = 0;
    const all = rowBinaryBytes((w) => {
      endpointHead(w, e);
      head = w.length;
      endpointTail(w, e);
    });
    b = [all.subarray(0, head), all.subarray(head)];
    endpointBytes.set(e, b);
  }
  return b;
}

/**
 * An endpoint's columns. Known endpoints come frozen and shared by many rows (attribution memoises
 * them per inventory state): their bytes are cached by identity. An endpoint outside the inventory is
 * a fresh object per row, so caching would only add an allocation per row: it is written directly.
 */
function endpoint(w: RowBinaryWriter, e: EnrichedEndpoint, shared: SharedValuesBatch): void {
  const cached = Object.isFrozen(e) ? endpointColumns(e) : undefined;
  if (cached) w.raw(cached[0]);
  else endpointHead(w, e);
  contentId(w, shared.labels(e.labels));
  contentId(w, shared.labels(e.namespaceLabels));
  if (cached) w.raw(cached[1]);
  else endpointTail(w, e);
}

/** DateTime64(3): epoch milliseconds as an Int64 (a fraction of a millisecond rounds, as text would). */
function time(w: RowBinaryWriter, ms: number): void {
  w.i64(Number.isInteger(ms) ? ms : Math.round(ms));
}

/**
 * One row of FLOW_COLUMNS in RowBinary: the same values as encodeFlowRow()'s TabSeparated line
 * (see flowValues() for what each column holds; the round-trip tests compare both).
 */
export function writeFlowRow(w: RowBinaryWriter, { record: r, source: s, src, dst, attribution: a }: AttributedFlow, shared: SharedValuesBatch, incarnation: string): void {
  const svc = r.dstService;
  time(w, r.startTime);
  time(w, r.endTime);
  w.string(r.action);
  w.string(r.reporter);
  w.string(r.protocol);
  w.string(r.srcIp);
  w.u16(r.srcPort);
  w.string(r.dstIp);
  w.u16(r.dstPort);
  endpoint(w, src, shared);
  endpoint(w, dst, shared);
  w.string(svc ? svc.name : '');
  w.string(svc ? svc.namespace : '');
  w.u16(svc?.port ?? 0);
  w.string(r.node);
  w.u32(r.numFlows);
  w.u32(r.numFlowsStarted);
  w.u32(r.numFlowsCompleted);
  w.i64(r.packetsIn);
  w.i64(r.packetsOut);
  w.i64(r.bytesIn);
  w.i64(r.bytesOut);
  contentId(w, shared.reportedTrace(r.enforcedHits, r.pendingHits));
  w.string(a.reportedVerdict);
  w.string(a.computedVerdict);
  w.string(a.computedPendingVerdict);
  w.string(a.traceSource);
  w.raw(traceColumns(a.trace));
  w.raw(decisionColumns(a.decision));
  contentId(w, shared.rule(a.decision.rule));
  w.string(a.pendingDecision.policy);
  w.i32(a.pendingDecision.ruleIndex);
  w.bool(a.verdictMismatch);
  w.bool(a.unknownPolicy);
  w.bool(a.unknownEndpoint);
  w.string(s.format);
  w.string(s.topic);
  w.u32(s.partition);
  w.u64Text(s.offset);
  w.u32(s.index);
  w.bool(a.verdictUncertain);
  w.string(incarnation);
}

/** A batch of flows as one RowBinary body for FLOW_COLUMNS. */
export function encodeFlowRows(flows: readonly AttributedFlow[], shared: SharedValuesBatch, incarnation: string): Buffer {
  const w = new RowBinaryWriter(Math.max(1 << 16, flows.length * 320));
  for (const f of flows) writeFlowRow(w, f, shared, incarnation);
  return w.finish();
}
