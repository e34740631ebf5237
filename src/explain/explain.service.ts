import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { policyKey } from '../attribution/flow.attributor';
import { InventoryService } from '../inventory/inventory.service';
import { Decision, DirectionResult, EndpointRef, FlowEvaluation, FlowInputError, LogHit, ResolvedPeer, SideEvaluation, TraceHit } from '../policy';

export interface PeerQuery {
  ip?: string;
  namespace?: string;
  /** pod, host endpoint or network set name */
  name?: string;
  kind?: EndpointRef['kind'];
}

export interface ExplainQuery {
  source: PeerQuery;
  destination: PeerQuery;
  protocol: string | number;
  port?: number;
  sourcePort?: number;
  icmpType?: number;
  icmpCode?: number;
  time?: number;
}

/** The question cannot be answered as asked: an unknown peer, mixed IP families, a bad protocol. */
export class ExplainInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ExplainInputError';
  }
}

export interface ExplainedDecision {
  verdict: 'allow' | 'deny';
  kind: string;
  tier: string | null;
  tierOrder: number | null;
  policy: string | null;
  policyOrder: number | null;
  ruleIndex: number | null;
}

export interface ExplainedSide {
  decision: ExplainedDecision;
  trace: Array<{ index: number; tier: string; tierOrder: number | null; policy: string; policyOrder: number | null; ruleIndex: number; action: string }>;
  logs: Array<{ tier: string; policy: string; ruleIndex: number; afterHit: number }>;
}

export interface ExplainedDirection {
  endpoint: ExplainedPeer;
  enforced: ExplainedSide;
  pending: ExplainedSide;
}

export interface ExplainedPeer {
  ip: string | null;
  type: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  serviceAccount: string | null;
  node: string | null;
  networkSet: string | null;
}

export interface Explanation {
  time: string;
  verdict: 'allow' | 'deny';
  pendingVerdict: 'allow' | 'deny';
  /** The side and decision that settled the verdict: the denying side, else the last gate passed. */
  decidedBy: (ExplainedDecision & { direction: 'egress' | 'ingress' }) | null;
  source: ExplainedPeer;
  destination: ExplainedPeer;
  egress: ExplainedDirection | null;
  ingress: ExplainedDirection | null;
}

function peer(p: ResolvedPeer): ExplainedPeer {
  return {
    ip: p.ip,
    type: p.type,
    namespace: p.namespace,
    name: p.name,
    labels: { ...p.labels },
    serviceAccount: p.serviceAccount ?? null,
    node: p.node ?? null,
    networkSet: p.networkSet ? `${p.networkSet.kind}/${p.networkSet.namespace}/${p.networkSet.name}` : null,
  };
}

function decision(d: Decision): ExplainedDecision {
  return {
    verdict: d.verdict,
    kind: d.kind,
    tier: d.tier ?? null,
    tierOrder: d.tierOrder ?? null,
    policy: d.policyKind && d.name ? policyKey(d.policyKind, d.namespace ?? '', d.name) : null,
    policyOrder: d.policyOrder ?? null,
    ruleIndex: d.ruleIndex ?? null,
  };
}

function side(s: SideEvaluation): ExplainedSide {
  return {
    decision: decision(s.decision),
    trace: s.trace.hits.map((h: TraceHit) => ({
      index: h.index,
      tier: h.tier,
      tierOrder: h.tierOrder,
      policy: policyKey(h.kind, h.namespace, h.name),
      policyOrder: h.policyOrder,
      ruleIndex: h.ruleIndex,
      action: h.action,
    })),
    logs: s.trace.logs.map((l: LogHit) => ({ tier: l.tier, policy: policyKey(l.kind, l.namespace, l.name), ruleIndex: l.ruleIndex, afterHit: l.afterHit })),
  };
}

function direction(r: DirectionResult | null): ExplainedDirection | null {
  return r && { endpoint: peer(r.endpoint), enforced: side(r.enforced), pending: side(r.pending) };
}

/** "Why was (or would be) this flow allowed?" against the inventory as of an instant. */
@Injectable()
export class ExplainService {
  constructor(
    private readonly inventory: InventoryService,
    private readonly clock: Clock,
  ) {}

  explain(q: ExplainQuery): Explanation {
    const t = q.time ?? this.clock.now().getTime();
    const snap = this.inventory.snapshotAt(t);
    const ref = (p: PeerQuery, field: 'source' | 'destination'): EndpointRef | undefined => {
      if (!p.name) return undefined;
      const r: EndpointRef = { kind: p.kind, namespace: p.namespace, name: p.name };
      if (!snap.engine.findEndpoint(r)) {
        throw new ExplainInputError(field, `${field}: no ${p.kind ?? 'endpoint'} ${p.namespace ? `${p.namespace}/` : ''}${p.name} in the inventory at ${new Date(t).toISOString()}`);
      }
      return r;
    };
    let ev: FlowEvaluation;
    try {
      ev = snap.engine.evaluateFlow({
        srcIp: q.source.ip ?? null,
        dstIp: q.destination.ip ?? null,
        src: ref(q.source, 'source'),
        dst: ref(q.destination, 'destination'),
        protocol: q.protocol,
        dstPort: q.port ?? null,
        srcPort: q.sourcePort ?? null,
        icmpType: q.icmpType ?? null,
        icmpCode: q.icmpCode ?? null,
      });
    } catch (err) {
      if (err instanceof FlowInputError) throw new ExplainInputError('flow', err.message);
      throw err;
    }
    const egress = direction(ev.egress);
    const ingress = direction(ev.ingress);
    const denying = egress?.enforced.decision.verdict === 'deny' ? { direction: 'egress' as const, d: egress } : ingress?.enforced.decision.verdict === 'deny' ? { direction: 'ingress' as const, d: ingress } : undefined;
    const last = denying ?? (ingress ? { direction: 'ingress' as const, d: ingress } : egress ? { direction: 'egress' as const, d: egress } : undefined);
    return {
      time: new Date(t).toISOString(),
      verdict: ev.allowed ? 'allow' : 'deny',
      pendingVerdict: ev.pendingAllowed ? 'allow' : 'deny',
      decidedBy: last ? { direction: last.direction, ...last.d.enforced.decision } : null,
      source: peer(ev.src),
      destination: peer(ev.dst),
      egress,
      ingress,
    };
  }
}
