import { FlowRecord, RecordSource, ReportedEndpoint } from '../flows/flow-record';
import { InventorySnapshot } from '../inventory/inventory.snapshot';
import {
  Decision,
  FlowInputError,
  HitKind,
  PolicyHit,
  ResolvedPeer,
  Rule,
  STAGED_TO_ENFORCED,
} from '../policy';
import { Attribution, AttributedFlow, AttributedHit, EnrichedEndpoint } from './attributed-flow';
import { parseReportedTrace } from './reported-trace';

/** Inventory key of a policy hit: the same `Kind/namespace/name` the inventory stores it under. */
export function policyKey(kind: HitKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** The engine's answer for one side of one flow, in the shape stored. */
interface Computed {
  verdict: 'allow' | 'deny';
  pendingVerdict: 'allow' | 'deny';
  /** Rests on an HTTP rule the record could not answer. */
  uncertain: boolean;
  trace: AttributedHit[];
  decision: Attribution['decision'];
  pendingDecision: Attribution['pendingDecision'];
}

/** What a reported trace says; `trace`/`decision` absent when it holds only pending hits. */
interface ReportedSide {
  verdict: 'allow' | 'deny' | '';
  trace?: AttributedHit[];
  decision?: Attribution['decision'];
  pendingDecision?: Attribution['pendingDecision'];
  unknownPolicy: boolean;
}

function attributedHit(h: PolicyHit): AttributedHit {
  return { tier: h.tier, policy: policyKey(h.kind, h.namespace, h.name), ruleIndex: h.ruleIndex, action: h.action };
}

const UNKNOWN_DECISION: Attribution['decision'] = Object.freeze({ kind: 'unknown', tier: '', tierOrder: null, policy: '', policyOrder: null, ruleIndex: -2, rule: '' });
const NO_PENDING: Attribution['pendingDecision'] = Object.freeze({ policy: '', ruleIndex: -2 });
/** One shared empty label set: rows refer to label sets, never change them. */
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

function peerId(p: ResolvedPeer | undefined): string {
  return p ? `${p.type}/${p.namespace}/${p.name}` : '-';
}

/** Hit kinds that name a policy resource (not a profile, an end of tier or a cluster policy). */
const isPolicyKind = (kind: HitKind) => kind in STAGED_TO_ENFORCED;

function owner(peer: ResolvedPeer): string {
  const refs = peer.endpoint?.ownerReferences ?? [];
  const o = refs.find((r) => r.controller) ?? refs[0];
  return o ? `${o.kind}/${o.name}` : '';
}

/** Selectors print in their canonical form, so the stored rule reads like the manifest. */
export function describeRule(rule: Rule | undefined): string {
  if (!rule) return '';
  return JSON.stringify(rule, (_k, v: unknown) =>
    v && typeof v === 'object' && 'matchesNamespace' in v ? String(v) : Array.isArray(v) && v.length === 0 ? undefined : v,
  );
}

/**
 * Enriches one flow record with the inventory valid at its start and attributes it: the dataplane's
 * reported trace and the engine's computed verdict for the same side, the deciding tier / policy /
 * rule, and flags where they disagree or name things the inventory does not know. Plain code: the
 * caller supplies the snapshot for the record's instant.
 */
export class FlowAttributor {
  attribute(record: FlowRecord, source: RecordSource, snap: InventorySnapshot): AttributedFlow {
    const srcPeer = this.resolve(snap, record.srcIp, record.src);
    const dstPeer = this.resolve(snap, record.dstIp, record.dst);
    const src = this.enrich(snap, srcPeer, record.src);
    const dst = this.enrich(snap, dstPeer, record.dst);
    // The reporting side is always a local endpoint (pod or host endpoint); so is any side the
    // dataplane typed wep/hep. Either missing from the inventory means the inventory is behind.
    // A forwarded (`fwd`) flow is reported by the host endpoint in between: neither side is local.
    const local = record.reporter === 'fwd' ? undefined : record.reporter === 'dst' ? dstPeer : srcPeer;
    const unknownEndpoint =
      (record.reporter !== 'fwd' && !local?.endpoint) ||
      ((record.src.type === 'wep' || record.src.type === 'hep') && !srcPeer?.endpoint) ||
      ((record.dst.type === 'wep' || record.dst.type === 'hep') && !dstPeer?.endpoint);
    return { record, source, src, dst, attribution: this.attributeSide(record, snap, srcPeer, dstPeer, unknownEndpoint) };
  }

  private resolve(snap: InventorySnapshot, ip: string, reported: ReportedEndpoint): ResolvedPeer | undefined {
    if (ip) return snap.engine.resolveIp(ip);
    // Formats without IPs (Goldmane) name the endpoint instead.
    if (!reported.name) return undefined;
    const kind = reported.type === 'hep' ? 'HostEndpoint' : reported.type === 'ns' ? (reported.namespace ? 'NetworkSet' : 'GlobalNetworkSet') : reported.type === 'wep' ? 'Pod' : undefined;
    return snap.engine.findEndpoint({ kind, namespace: reported.namespace || undefined, name: reported.name });
  }

  private enrich(snap: InventorySnapshot, peer: ResolvedPeer | undefined, reported: ReportedEndpoint): EnrichedEndpoint {
    // A known endpoint enriches the same way every time for the same aggregated name (which only
    // Calico/Goldmane records carry, a few per endpoint): memoised per snapshot, shared read-only
    // by the rows (whose encoding caches by identity too).
    if (peer && peer.type !== 'net') {
      return snap.remember(`e|${peer.ip ?? ''}|${peerId(peer)}|${reported.aggregatedName}`, () => this.enrichKnown(snap, peer, reported));
    }
    // Outside the inventory: what the record reports, one object per row (no memo: its key would cost
    // as much as the object).
    return {
      type: peer ? 'net' : reported.type,
      namespace: reported.namespace,
      name: reported.name,
      aggregatedName: reported.aggregatedName,
      labels: reported.labels,
      namespaceLabels: reported.namespace ? snap.labelsOfNamespace(reported.namespace) : NO_LABELS,
      serviceAccount: '',
      node: '',
      owner: '',
    };
  }

  /** Frozen: one object is shared by every row that names it (memoised per inventory state), so no row may change it. */
  private enrichKnown(snap: InventorySnapshot, peer: ResolvedPeer, reported: ReportedEndpoint): EnrichedEndpoint {
    return Object.freeze({
      type: peer.type,
      namespace: peer.namespace,
      name: peer.name,
      aggregatedName: reported.aggregatedName,
      labels: peer.labels,
      namespaceLabels: peer.namespace ? snap.labelsOfNamespace(peer.namespace) : NO_LABELS,
      serviceAccount: peer.serviceAccount ?? '',
      node: peer.node ?? '',
      owner: owner(peer),
    });
  }

  /**
   * The engine's evaluation of the reporting side, memoised per snapshot: flows between the same
   * endpoints on the same port repeat, and a snapshot's answer never changes. The source port is
   * part of the key only when some rule matches on source ports.
   */
  private compute(
    record: FlowRecord,
    snap: InventorySnapshot,
    srcPeer: ResolvedPeer | undefined,
    dstPeer: ResolvedPeer | undefined,
  ): Computed | undefined {
    // Forwarded traffic is decided by the forwarding host's apply-on-forward / pre-DNAT policies,
    // which the engine does not evaluate: its trace is the dataplane's own, or none.
    if (record.reporter === 'fwd') return undefined;
    const local = record.reporter === 'dst' ? dstPeer : srcPeer;
    if (!local?.endpoint) return undefined;
    const key = `c|${record.reporter}|${record.srcIp || peerId(srcPeer)}|${record.dstIp || peerId(dstPeer)}|${record.protocol}|${record.dstPort}|${snap.usesSourcePorts ? record.srcPort : ''}|${record.dstService?.name ?? ''}|${record.dstService?.namespace ?? ''}${record.http ? `|${record.http.method} ${record.http.path}` : ''}`;
    return snap.remember(key, () => this.evaluate(record, snap, local, srcPeer, dstPeer));
  }

  private evaluate(
    record: FlowRecord,
    snap: InventorySnapshot,
    local: ResolvedPeer,
    srcPeer: ResolvedPeer | undefined,
    dstPeer: ResolvedPeer | undefined,
  ): Computed | undefined {
    const direction = record.reporter === 'dst' ? 'ingress' : 'egress';
    const flow = {
      srcIp: record.srcIp || null,
      dstIp: record.dstIp || null,
      protocol: record.protocol,
      srcPort: record.srcPort || null,
      dstPort: record.dstPort || null,
      src: record.srcIp ? undefined : srcPeer,
      dst: record.dstIp ? undefined : dstPeer,
      dstService: record.dstService ? { name: record.dstService.name, namespace: record.dstService.namespace } : null,
      httpMethod: record.http?.method || null,
      httpPath: record.http?.path || null,
    };
    try {
      const enforced = snap.engine.evaluateDirection(local, direction, flow);
      const pending = snap.engine.evaluateDirection(local, direction, flow, { pending: true });
      return {
        verdict: enforced.decision.verdict,
        pendingVerdict: pending.decision.verdict,
        trace: enforced.trace.hits.map(attributedHit),
        decision: this.engineDecision(snap, record.reporter, enforced.decision),
        pendingDecision: { policy: decisionPolicy(pending.decision), ruleIndex: pending.decision.ruleIndex ?? -2 },
        uncertain: !!enforced.decision.uncertain,
      };
    } catch (err) {
      // A flow the engine cannot evaluate (e.g. mixed families) is stored unattributed, not lost.
      if (err instanceof FlowInputError) return undefined;
      throw err;
    }
  }

  private attributeSide(
    record: FlowRecord,
    snap: InventorySnapshot,
    srcPeer: ResolvedPeer | undefined,
    dstPeer: ResolvedPeer | undefined,
    unknownEndpoint: boolean,
  ): Attribution {
    const reported = this.reportedSide(record, snap);
    const computed = this.compute(record, snap, srcPeer, dstPeer);
    const reportedVerdict = reported?.verdict || (record.action === 'log' ? '' : record.action);
    const computedVerdict = computed?.verdict ?? '';
    return {
      reportedVerdict,
      computedVerdict,
      computedPendingVerdict: computed?.pendingVerdict ?? '',
      traceSource: reported?.trace ? 'reported' : computed ? 'computed' : 'none',
      trace: reported?.trace ?? computed?.trace ?? [],
      decision: reported?.decision ?? computed?.decision ?? UNKNOWN_DECISION,
      pendingDecision: reported?.pendingDecision ?? computed?.pendingDecision ?? NO_PENDING,
      // An uncertain computed verdict cannot contradict the dataplane: only flagged as uncertain.
      verdictMismatch: reportedVerdict !== '' && computedVerdict !== '' && !computed?.uncertain && reportedVerdict !== computedVerdict,
      unknownPolicy: reported?.unknownPolicy ?? false,
      unknownEndpoint,
      verdictUncertain: computed?.uncertain ?? false,
    };
  }

  /**
   * What the dataplane's own trace says, memoised per snapshot by the trace strings: a cluster
   * reports the same few hundred traces over and over.
   */
  private reportedSide(record: FlowRecord, snap: InventorySnapshot): ReportedSide | undefined {
    if (record.enforcedHits.length === 0 && record.pendingHits.length === 0) return undefined;
    const key = `r|${record.reporter}|${record.action === 'log'}|${record.enforcedHits.join('\n')}|${record.pendingHits.join('\n')}`;
    return snap.remember(key, () => this.readReport(record, snap));
  }

  private readReport(record: FlowRecord, snap: InventorySnapshot): ReportedSide {
    // Parsers validated the hit strings already: a bad one dead-letters its message.
    const reported = parseReportedTrace(record.enforcedHits);
    const pending = parseReportedTrace(record.pendingHits);
    const last = reported.hits[reported.hits.length - 1];
    const lastPending = pending.hits[pending.hits.length - 1];
    const named = [...reported.hits, ...pending.hits, ...(reported.logged ? [reported.logged] : [])];
    let decision: Attribution['decision'] | undefined;
    if (record.action === 'log' && reported.logged) decision = this.hitDecision(snap, record.reporter, reported.logged, 'log');
    else if (last) decision = this.hitDecision(snap, record.reporter, last);
    return {
      verdict: last && last.action !== 'pass' ? last.action : '',
      // A trace with only pending hits says nothing about what decided: the engine's answer stands.
      trace: reported.hits.length > 0 ? reported.hits.map(attributedHit) : undefined,
      decision,
      pendingDecision: lastPending && { policy: policyKey(lastPending.kind, lastPending.namespace, lastPending.name), ruleIndex: lastPending.ruleIndex },
      unknownPolicy: named.some((h) => isPolicyKind(h.kind) && !snap.policy(policyKey(h.kind, h.namespace, h.name))),
    };
  }


  private hitDecision(snap: InventorySnapshot, reporter: string, hit: PolicyHit, kind?: 'log'): Attribution['decision'] {
    if (isNoProfileMatch(hit)) {
      // `pro:__NO_MATCH__` / `__PROFILE__.__NO_MATCH__`: no profile matched, not a profile of that name.
      return { kind: 'no-profile', tier: '', tierOrder: null, policy: '', policyOrder: null, ruleIndex: hit.ruleIndex, rule: '' };
    }
    const key = policyKey(hit.kind, hit.namespace, hit.name);
    const policy = snap.policy(key);
    return {
      kind: kind ?? (hit.kind === 'Profile' ? 'profile' : hit.ruleIndex === -1 ? 'end-of-tier' : hit.ruleIndex === -2 ? 'unknown' : 'rule'),
      tier: hit.tier,
      tierOrder: snap.tierOrder(hit.tier) ?? null,
      policy: key,
      policyOrder: policy?.order ?? null,
      ruleIndex: hit.ruleIndex,
      rule: describeRule(snap.rule(key, reporter, hit.ruleIndex)),
    };
  }

  private engineDecision(snap: InventorySnapshot, reporter: string, d: Decision): Attribution['decision'] {
    const key = decisionPolicy(d);
    return {
      kind: d.kind,
      tier: d.tier ?? '',
      tierOrder: d.tierOrder ?? null,
      policy: key,
      policyOrder: d.policyOrder ?? null,
      ruleIndex: d.ruleIndex ?? -2,
      rule: key ? describeRule(snap.rule(key, reporter, d.ruleIndex ?? -1)) : '',
    };
  }
}

/** Calico's placeholder profile for "no profile matched the endpoint". */
const NO_MATCH = '__NO_MATCH__';

function isNoProfileMatch(hit: PolicyHit): boolean {
  return hit.kind === 'Profile' && hit.name === NO_MATCH;
}

function decisionPolicy(d: Decision): string {
  return d.policyKind && d.name ? policyKey(d.policyKind, d.namespace ?? '', d.name) : '';
}
