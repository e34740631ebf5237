import { FlowRecord, RecordSource, ReportedEndpoint } from '../flows/flow-record';
import { InventorySnapshot } from '../inventory/inventory.snapshot';
import {
  Decision,
  FlowInputError,
  HitKind,
  PolicyHit,
  ResolvedPeer,
  Rule,
  SideEvaluation,
} from '../policy';
import { Attribution, AttributedFlow, AttributedHit, EnrichedEndpoint } from './attributed-flow';
import { parseReportedTrace } from './reported-trace';

/** Inventory key of a policy hit: the same `Kind/namespace/name` the inventory stores it under. */
export function policyKey(kind: HitKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

const POLICY_KINDS = new Set<HitKind>([
  'NetworkPolicy',
  'GlobalNetworkPolicy',
  'StagedNetworkPolicy',
  'StagedGlobalNetworkPolicy',
  'StagedKubernetesNetworkPolicy',
  'KubernetesNetworkPolicy',
]);

function owner(peer: ResolvedPeer): string {
  const refs = peer.endpoint?.ownerReferences ?? [];
  const o = refs.find((r) => r.controller) ?? refs[0];
  return o ? `${o.kind}/${o.name}` : '';
}

/** Selectors print in their canonical form, so the stored rule reads like the manifest. */
function describeRule(rule: Rule | undefined): string {
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
    const local = record.reporter === 'dst' ? dstPeer : srcPeer;
    const unknownEndpoint =
      !local?.endpoint ||
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
    if (!peer || peer.type === 'net') {
      return {
        type: peer ? 'net' : reported.type,
        namespace: reported.namespace,
        name: reported.name,
        aggregatedName: reported.aggregatedName,
        labels: reported.labels,
        namespaceLabels: reported.namespace ? { ...snap.labelsOfNamespace(reported.namespace) } : {},
        serviceAccount: '',
        node: '',
        owner: '',
      };
    }
    return {
      type: peer.type,
      namespace: peer.namespace,
      name: peer.name,
      aggregatedName: reported.aggregatedName,
      labels: { ...peer.labels },
      namespaceLabels: peer.namespace ? { ...snap.labelsOfNamespace(peer.namespace) } : {},
      serviceAccount: peer.serviceAccount ?? '',
      node: peer.node ?? '',
      owner: owner(peer),
    };
  }

  private compute(
    record: FlowRecord,
    snap: InventorySnapshot,
    srcPeer: ResolvedPeer | undefined,
    dstPeer: ResolvedPeer | undefined,
  ): { enforced: SideEvaluation; pending: SideEvaluation } | undefined {
    const local = record.reporter === 'dst' ? dstPeer : srcPeer;
    if (!local?.endpoint) return undefined;
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
    };
    try {
      return {
        enforced: snap.engine.evaluateDirection(local, direction, flow),
        pending: snap.engine.evaluateDirection(local, direction, flow, { pending: true }),
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
    // Parsers validated the hit strings already: a bad one dead-letters its message.
    const reported = parseReportedTrace(record.enforcedHits);
    const pendingReported = parseReportedTrace(record.pendingHits);
    const computed = this.compute(record, snap, srcPeer, dstPeer);
    const lastReported = reported.hits[reported.hits.length - 1];
    const traceVerdict = lastReported && lastReported.action !== 'pass' ? lastReported.action : '';
    const reportedVerdict = traceVerdict || (record.action === 'log' ? '' : record.action);
    const computedVerdict = computed?.enforced.decision.verdict ?? '';

    const fromReport = reported.hits.length > 0;
    const trace: AttributedHit[] = fromReport
      ? reported.hits.map((h) => ({ tier: h.tier, policy: policyKey(h.kind, h.namespace, h.name), ruleIndex: h.ruleIndex, action: h.action }))
      : (computed?.enforced.trace.hits ?? []).map((h) => ({ tier: h.tier, policy: policyKey(h.kind, h.namespace, h.name), ruleIndex: h.ruleIndex, action: h.action }));
    const allNamed = [...reported.hits, ...pendingReported.hits, ...(reported.logged ? [reported.logged] : [])];
    const unknownPolicy = allNamed.some((h) => POLICY_KINDS.has(h.kind) && !snap.policy(policyKey(h.kind, h.namespace, h.name)));

    let decision: Attribution['decision'];
    if (record.action === 'log' && reported.logged) {
      decision = this.hitDecision(snap, record.reporter, reported.logged, 'log');
    } else if (lastReported) {
      decision = this.hitDecision(snap, record.reporter, lastReported);
    } else if (computed) {
      decision = this.engineDecision(snap, record.reporter, computed.enforced.decision);
    } else {
      decision = { kind: 'unknown', tier: '', tierOrder: null, policy: '', policyOrder: null, ruleIndex: -2, rule: '' };
    }
    const lastPending = pendingReported.hits[pendingReported.hits.length - 1];
    const pendingDecision = lastPending
      ? { policy: policyKey(lastPending.kind, lastPending.namespace, lastPending.name), ruleIndex: lastPending.ruleIndex }
      : computed
        ? { policy: decisionPolicy(computed.pending.decision), ruleIndex: computed.pending.decision.ruleIndex ?? -2 }
        : { policy: '', ruleIndex: -2 };

    return {
      reportedVerdict,
      computedVerdict,
      computedPendingVerdict: computed?.pending.decision.verdict ?? '',
      traceSource: fromReport ? 'reported' : computed ? 'computed' : 'none',
      trace,
      decision,
      pendingDecision,
      verdictMismatch: reportedVerdict !== '' && computedVerdict !== '' && reportedVerdict !== computedVerdict,
      unknownPolicy,
      unknownEndpoint,
    };
  }

  private hitDecision(snap: InventorySnapshot, reporter: string, hit: PolicyHit, kind?: 'log'): Attribution['decision'] {
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

function decisionPolicy(d: Decision): string {
  return d.policyKind && d.name ? policyKey(d.policyKind, d.namespace ?? '', d.name) : '';
}
