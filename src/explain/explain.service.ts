import { Injectable } from '@nestjs/common';
import { stringify } from 'yaml';
import { Clock } from '../clock/clock';
import { policyKey } from '../attribution/flow.attributor';
import { InventoryService } from '../inventory/inventory.service';
import { InventorySnapshot } from '../inventory/inventory.snapshot';
import {
  cidrContains,
  Decision,
  Direction,
  EndpointRef,
  EvaluationPath,
  FlowInput,
  FlowInputError,
  LogHit,
  parseCidr,
  parseIp,
  parseProtocol,
  PathPolicy,
  PROTOCOL_NUMBERS,
  ResolvedPeer,
  Rule,
  SideEvaluation,
  TraceHit,
} from '../policy';

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
  http?: { method?: string; path?: string };
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

/** A rule as its manifest wrote it. */
export interface ExplainedRule {
  /** Field path in the manifest, e.g. `spec.ingress[1]` (for Kubernetes policies, the Kubernetes rule Calico's conversion expanded). */
  manifestPath: string;
  /** The rule as written, on one line (YAML flow style). */
  text: string;
}

export interface ExplainedDecision {
  verdict: 'allow' | 'deny';
  kind: string;
  tier: string | null;
  tierOrder: number | null;
  policy: string | null;
  policyOrder: number | null;
  ruleIndex: number | null;
  /** What decided, in words: a rule, an end-of-tier default, a profile. */
  label: string;
  /** The deciding rule as written (null for end-of-tier and built-in profiles). */
  rule: ExplainedRule | null;
  /** A rule's HTTP criteria could not be checked (the flow carries no method/path): the decision may differ. */
  uncertain: boolean;
}

export interface ExplainedStep {
  policy: string;
  order: number | null;
  staged: boolean;
  outcome: 'allow' | 'deny' | 'pass' | 'no-match';
  ruleIndex: number | null;
  rule: ExplainedRule | null;
  /** One line per rule tried that did not match, e.g. `rule 0: port 80 not in [6379]`. */
  why: string[];
  logged: number[];
}

export interface ExplainedTier {
  tier: string;
  order: number | null;
  defaultAction: 'Deny' | 'Pass';
  policies: ExplainedStep[];
  /** Set when no policy of the tier decided, e.g. `end of tier default: Deny; last applying policy X`. */
  endOfTier: string | null;
}

export interface ExplainedPath {
  tiers: ExplainedTier[];
  profiles: ExplainedStep[];
  noProfile: boolean;
}

export interface ExplainedSide {
  decision: ExplainedDecision;
  trace: Array<{ index: number; tier: string; tierOrder: number | null; policy: string; policyOrder: number | null; ruleIndex: number; action: string }>;
  logs: Array<{ tier: string; policy: string; ruleIndex: number; afterHit: number }>;
  /** Every applying tier and policy in order, up to the decision. */
  path: ExplainedPath;
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

export type ExplainedVerdict = 'allow' | 'deny' | 'not-evaluated';

export interface Explanation {
  time: string;
  /** `not-evaluated` when neither side is an endpoint of the cluster (see `summary`). */
  verdict: ExplainedVerdict;
  /** With staged policies applied. */
  pendingVerdict: ExplainedVerdict;
  /** The verdict rests on a rule whose HTTP criteria the flow could not answer. */
  uncertain: boolean;
  /** One line for a person: what decided, or why nothing was evaluated. */
  summary: string;
  /** The side and decision that settled the verdict: the denying side, else the last gate passed. */
  decidedBy: (ExplainedDecision & { direction: 'egress' | 'ingress' }) | null;
  /** The same with staged policies applied. */
  pendingDecidedBy: (ExplainedDecision & { direction: 'egress' | 'ingress' }) | null;
  source: ExplainedPeer;
  destination: ExplainedPeer;
  egress: ExplainedDirection | null;
  ingress: ExplainedDirection | null;
}

const PORT_PROTOCOLS = new Set([PROTOCOL_NUMBERS.tcp, PROTOCOL_NUMBERS.udp, PROTOCOL_NUMBERS.sctp]);
const ICMP_PROTOCOLS = new Set([PROTOCOL_NUMBERS.icmp, PROTOCOL_NUMBERS.icmpv6]);
export const NOTHING_EVALUATED = 'no endpoint of this cluster on either side: nothing evaluated';

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

function explainedRule(r: Rule | null | undefined): ExplainedRule | null {
  if (!r?.origin) return null;
  return { manifestPath: r.origin.path, text: stringify(r.origin.written, { collectionStyle: 'flow', lineWidth: 0 }).trim() };
}

function decisionLabel(d: Decision, key: string | null, rule: ExplainedRule | null): string {
  const action = d.verdict === 'allow' ? 'Allow' : 'Deny';
  let s: string;
  switch (d.kind) {
    case 'rule':
      s = `rule ${d.ruleIndex}${rule ? ` (${rule.manifestPath})` : ''} of ${key}: ${action}`;
      break;
    case 'end-of-tier':
      s = `end of tier ${d.tier}: default Deny; last applying policy ${key}`;
      break;
    case 'profile':
      s = d.ruleIndex === -1 ? `no rule of profile ${d.name} matched: Deny` : `profile ${d.name} rule ${d.ruleIndex}: ${action}`;
      break;
    default:
      s = 'no policy decided and the endpoint has no profile: Deny';
  }
  return d.uncertain ? `${s} (uncertain: an HTTP rule on the way could not be checked, the flow carries no method/path)` : s;
}

function step(p: PathPolicy, rule: Rule | null): ExplainedStep {
  return {
    policy: policyKey(p.kind, p.namespace, p.name),
    order: p.order,
    staged: p.kind.startsWith('Staged'),
    outcome: p.outcome,
    ruleIndex: p.ruleIndex,
    rule: explainedRule(rule),
    why: p.misses.map((m) => `rule ${m.ruleIndex}: ${m.reason}`),
    logged: [...p.logged],
  };
}

function path(p: EvaluationPath): ExplainedPath {
  return {
    tiers: p.tiers.map((t) => ({
      tier: t.tier.name,
      order: t.tier.order,
      defaultAction: t.tier.defaultAction,
      policies: t.policies.map((x) => step(x, x.rule)),
      endOfTier: t.endOfTier
        ? `end of tier default: ${t.endOfTier.action === 'deny' ? 'Deny' : 'Pass'}; last applying policy ${policyKey(t.endOfTier.lastPolicy.kind, t.endOfTier.lastPolicy.namespace, t.endOfTier.lastPolicy.name)}`
        : null,
    })),
    profiles: p.profiles.map((x) => step(x, x.rule)),
    noProfile: p.noProfile,
  };
}

function side(s: SideEvaluation & { path: EvaluationPath }, snap: InventorySnapshot, dir: Direction): ExplainedSide {
  const d = s.decision;
  const key = d.policyKind && d.name ? policyKey(d.policyKind, d.namespace ?? '', d.name) : null;
  const rule = d.kind === 'rule' && key && d.ruleIndex !== undefined ? explainedRule(snap.rule(key, dir === 'egress' ? 'src' : 'dst', d.ruleIndex)) : null;
  return {
    decision: {
      verdict: d.verdict,
      kind: d.kind,
      tier: d.tier ?? null,
      tierOrder: d.tierOrder ?? null,
      policy: key,
      policyOrder: d.policyOrder ?? null,
      ruleIndex: d.ruleIndex ?? null,
      label: decisionLabel(d, key, rule),
      rule,
      uncertain: !!d.uncertain,
    },
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
    path: path(s.path),
  };
}

type Decided = (ExplainedDecision & { direction: 'egress' | 'ingress' }) | null;

/** The denying side (egress first, as packets leave before they arrive), else the last gate passed. */
function decidedBy(egress: ExplainedDirection | null, ingress: ExplainedDirection | null, stage: 'enforced' | 'pending'): Decided {
  if (egress && egress[stage].decision.verdict === 'deny') return { direction: 'egress', ...egress[stage].decision };
  if (ingress && ingress[stage].decision.verdict === 'deny') return { direction: 'ingress', ...ingress[stage].decision };
  if (ingress) return { direction: 'ingress', ...ingress[stage].decision };
  if (egress) return { direction: 'egress', ...egress[stage].decision };
  return null;
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
    const flowBase = this.checkFlow(q);
    const snap = this.inventory.snapshotAt(t);
    const at = new Date(t).toISOString();
    const src = this.ref(snap, q.source, 'source', at);
    const dst = this.ref(snap, q.destination, 'destination', at);
    const flow: FlowInput = { ...flowBase, srcIp: q.source.ip ?? null, dstIp: q.destination.ip ?? null, src, dst };
    try {
      const ev = snap.engine.evaluateFlow(flow);
      this.checkFamilies(q, ev.src, ev.dst);
      const one = (p: ResolvedPeer, dir: Direction): ExplainedDirection => ({
        endpoint: peer(p),
        enforced: side(snap.engine.explainDirection(p, dir, flow), snap, dir),
        pending: side(snap.engine.explainDirection(p, dir, flow, { pending: true }), snap, dir),
      });
      const egress = ev.egress ? one(ev.src, 'egress') : null;
      const ingress = ev.ingress ? one(ev.dst, 'ingress') : null;
      const enforced = decidedBy(egress, ingress, 'enforced');
      const pending = decidedBy(egress, ingress, 'pending');
      const verdict = (d: Decided): ExplainedVerdict => (d === null ? 'not-evaluated' : d.verdict);
      const uncertain = [egress?.enforced, ingress?.enforced].some((s) => s?.decision.uncertain);
      return {
        time: at,
        verdict: verdict(enforced),
        pendingVerdict: verdict(pending),
        uncertain,
        summary: enforced ? `${enforced.verdict}: ${enforced.direction} at ${enforced.direction === 'egress' ? 'the source' : 'the destination'}, ${enforced.label}` : NOTHING_EVALUATED,
        decidedBy: enforced,
        pendingDecidedBy: pending,
        source: peer(ev.src),
        destination: peer(ev.dst),
        egress,
        ingress,
      };
    } catch (err) {
      if (err instanceof FlowInputError) throw new ExplainInputError(/famil/.test(err.message) ? 'destination.ip' : 'source', err.message);
      throw err;
    }
  }

  /** A peer named without IP takes its IP of the other side's family: it must have one. */
  private checkFamilies(q: ExplainQuery, src: ResolvedPeer, dst: ResolvedPeer): void {
    for (const [named, other, field, otherField] of [
      [src, dst, 'source', 'destination'],
      [dst, src, 'destination', 'source'],
    ] as const) {
      if (named.endpoint && named.ip === null && named.endpoint.ips.length > 0 && other.family !== 0) {
        const bad = q[otherField].ip !== undefined ? `${otherField}.ip` : field;
        throw new ExplainInputError(bad, `${field} ${named.namespace ? `${named.namespace}/` : ''}${named.name} has no IPv${other.family} address (it has ${named.endpoint.ips.join(', ')}), and the ${otherField} is IPv${other.family}`);
      }
    }
  }

  /** Cross-field checks the DTO cannot express: a question whose answer would otherwise be a guess. */
  private checkFlow(q: ExplainQuery): Omit<FlowInput, 'srcIp' | 'dstIp' | 'src' | 'dst'> {
    const protocol = parseProtocol(q.protocol);
    if (protocol === null) throw new ExplainInputError('protocol', `protocol must be a name (tcp, udp, icmp, icmpv6, sctp, udplite) or a number 1-255, got ${JSON.stringify(q.protocol)}`);
    const ports = PORT_PROTOCOLS.has(protocol);
    if (ports && q.port === undefined) throw new ExplainInputError('port', `port is required for ${String(q.protocol).toUpperCase()}: rules decide on the destination port`);
    if (!ports && q.port !== undefined) throw new ExplainInputError('port', `port applies to TCP, UDP and SCTP only, not to ${q.protocol}`);
    if (!ports && q.sourcePort !== undefined) throw new ExplainInputError('sourcePort', `sourcePort applies to TCP, UDP and SCTP only, not to ${q.protocol}`);
    const icmp = ICMP_PROTOCOLS.has(protocol);
    if (!icmp && q.icmpType !== undefined) throw new ExplainInputError('icmpType', `icmpType applies to ICMP and ICMPv6 only, not to ${q.protocol}`);
    if (!icmp && q.icmpCode !== undefined) throw new ExplainInputError('icmpCode', `icmpCode applies to ICMP and ICMPv6 only, not to ${q.protocol}`);
    if (q.icmpCode !== undefined && q.icmpType === undefined) throw new ExplainInputError('icmpCode', 'icmpCode needs icmpType');
    if (q.http && protocol !== PROTOCOL_NUMBERS.tcp) throw new ExplainInputError('http', 'http applies to TCP flows only');
    return {
      protocol,
      dstPort: q.port ?? null,
      srcPort: q.sourcePort ?? null,
      icmpType: q.icmpType ?? null,
      icmpCode: q.icmpCode ?? null,
      httpMethod: q.http?.method ?? null,
      httpPath: q.http?.path ?? null,
    };
  }

  /** A peer named by identity: it must exist then, and agree with the IP when both are given. */
  private ref(snap: InventorySnapshot, p: PeerQuery, field: 'source' | 'destination', at: string): EndpointRef | undefined {
    if (!p.name) {
      if (p.namespace !== undefined || p.kind !== undefined) throw new ExplainInputError(`${field}.name`, `${field}.name is required with ${p.kind !== undefined ? 'kind' : 'namespace'}`);
      return undefined;
    }
    const r: EndpointRef = { kind: p.kind, namespace: p.namespace, name: p.name };
    const found = snap.engine.findEndpoint(r);
    if (!found) {
      const what = `${p.kind ?? 'endpoint'} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`;
      const hint = p.namespace
        ? ''
        : ` (without namespace only HostEndpoints and GlobalNetworkSets are looked up: give ${field}.namespace for a pod, workload endpoint or network set)`;
      throw new ExplainInputError(p.namespace ? field : `${field}.namespace`, `${field}: no ${what} in the inventory at ${at}${hint}`);
    }
    if (p.ip !== undefined) {
      const ip = parseIp(p.ip);
      const owns = ip !== null && (found.endpoint ? found.endpoint.ips.includes(ip.text) : (found.networkSet?.nets ?? []).some((n) => { const c = parseCidr(n); return c !== null && cidrContains(c, ip); }));
      if (!owns) {
        const has = found.endpoint ? `its IPs are ${found.endpoint.ips.join(', ') || 'none'}` : `its nets are ${(found.networkSet?.nets ?? []).join(', ')}`;
        throw new ExplainInputError(`${field}.ip`, `${field}.ip ${p.ip} does not belong to ${found.endpoint?.kind ?? found.networkSet?.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}: ${has}; give one of them, or only one of ip and name`);
      }
    }
    return r;
  }
}
