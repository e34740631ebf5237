import { Direction } from '../policy';
import type { TrafficEdge } from '../storage/suggest.repository';
import { cidrsWithin, coverAddresses } from './cidr-cover';
import { groupBy } from './findings';
import { mergePorts, PortInterval, portsWithin } from './port-set';
import { Containment } from './suggestion.types';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A Kubernetes LabelSelector. */
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: unknown[];
}

/** One entry of a Kubernetes rule's `from`/`to`. */
interface K8sPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface K8sPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

interface K8sRule {
  from?: K8sPeer[];
  to?: K8sPeer[];
  ports?: K8sPort[];
}

const PEERS = { ingress: 'from', egress: 'to' } as const;
const K8S_PORTED = new Set(['tcp', 'udp', 'sctp']);
const NAMESPACE_NAME = 'kubernetes.io/metadata.name';

/** Which written rule, peer and protocol a policy-model rule index stands for. */
export interface K8sRulePart {
  /** Index of the rule in the manifest's `ingress` / `egress`. */
  rule: number;
  /** Index in the rule's `from`/`to`, or null when it names no peers (any peer). */
  peer: number | null;
  /** The protocol ('' when the rule names no ports: every protocol). */
  protocol: string;
}

const protocolsOf = (r: K8sRule): string[] => (r.ports?.length ? [...new Set(r.ports.map((p) => p.protocol ?? 'TCP'))].sort() : ['']);

/**
 * Maps a policy-model rule index to the written rule it came from: each Kubernetes rule becomes one
 * model rule per (protocol, peer), protocols sorted by name first, as Calico converts them.
 */
export function k8sRulePart(rules: readonly K8sRule[], direction: Direction, modelIndex: number): K8sRulePart | null {
  let at = 0;
  for (let i = 0; i < rules.length; i++) {
    const peers = rules[i][PEERS[direction]] ?? [];
    const protocols = protocolsOf(rules[i]);
    const n = Math.max(1, peers.length);
    const size = protocols.length * n;
    if (modelIndex < at + size) {
      const off = modelIndex - at;
      return { rule: i, peer: peers.length ? off % n : null, protocol: protocols[Math.floor(off / n)] };
    }
    at += size;
  }
  return null;
}

export interface K8sNarrowOptions {
  /** The policy's namespace. */
  namespace: string;
  stableLabels: (namespace: string, workload: string) => ReadonlyArray<[string, string]>;
  cidrBudget: number;
}

function andSelector(base: LabelSelector | undefined, labels: Record<string, string>): LabelSelector {
  const out: LabelSelector = {};
  const matchLabels = { ...(base?.matchLabels ?? {}), ...labels };
  if (Object.keys(matchLabels).length) out.matchLabels = Object.fromEntries(Object.entries(matchLabels).sort(([a], [b]) => (a < b ? -1 : 1)));
  if (base?.matchExpressions?.length) out.matchExpressions = clone(base.matchExpressions);
  return out;
}

/** The observed ports as Kubernetes port entries of one protocol (ranges as port/endPort). */
function portEntries(protocol: string, ports: readonly PortInterval[]): K8sPort[] {
  return ports.map((p) => ({ protocol, port: p.min, ...(p.max > p.min ? { endPort: p.max } : {}) }));
}

/**
 * The written rule `part.rule` split so that the part the model rule stands for only allows what
 * its traffic used: the rule's other peers keep every port, the same peer keeps the other
 * protocols' ports, and the part itself becomes one rule per group of peers that used the same
 * ports (pods by the labels that stayed the same, their namespace by name; addresses by the
 * smallest CIDRs within the budget). Null when the traffic cannot be written in Kubernetes terms
 * (a workload seen through an ipBlock peer).
 */
export function narrowK8sRule(original: K8sRule, direction: Direction, part: K8sRulePart, edges: readonly TrafficEdge[], opts: K8sNarrowOptions): K8sRule[] | null {
  const field = PEERS[direction];
  const peers = original[field] ?? [];
  const peer: K8sPeer | null = part.peer === null ? null : peers[part.peer];
  const ports = original.ports ?? [];
  const out: K8sRule[] = [];
  const withPorts = (r: K8sRule, p: K8sPort[]) => (p.length ? { ...r, ports: p } : r);
  const otherPeers = peers.filter((_, i) => i !== part.peer);
  if (otherPeers.length) out.push(withPorts({ [field]: clone(otherPeers) }, clone(ports)));
  const otherProtocols = ports.filter((p) => (p.protocol ?? 'TCP') !== part.protocol);
  if (otherProtocols.length) out.push(withPorts(peer ? { [field]: [clone(peer)] } : {}, clone(otherProtocols)));

  const own = ports.filter((p) => (p.protocol ?? 'TCP') === part.protocol);
  // Named ports resolve per pod: kept as written. No ports, or ports of a protocol Kubernetes cannot name: none narrowed.
  const narrowPorts = part.protocol === '' ? edges.every((e) => K8S_PORTED.has(e.protocol)) : !own.some((p) => typeof p.port === 'string');
  const isWorkload = (e: TrafficEdge) => e.peerType === 'wep' || e.peerType === 'hep';
  if (peer?.ipBlock && edges.some(isWorkload)) return null;
  const peerKey = (e: TrafficEdge) => (isWorkload(e) ? `w\u0000${e.peerNamespace}\u0000${e.peerWorkload}` : 'a');
  const groups = groupBy(edges, peerKey).map(([key, list]) => {
    const entries = narrowPorts ? groupBy(list, (e) => e.protocol).flatMap(([proto, es]) => portEntries(proto.toUpperCase(), mergePorts(new Set(es.map((e) => e.port))))) : clone(own);
    return { key, list, entries };
  });
  for (const [, same] of groupBy(groups, (g) => JSON.stringify(g.entries))) {
    const narrowed: K8sPeer[] = [];
    for (const g of same) {
      const e = g.list[0];
      if (isWorkload(e)) {
        const labels = Object.fromEntries(opts.stableLabels(e.peerNamespace, e.peerWorkload));
        const p: K8sPeer = { podSelector: andSelector(peer?.podSelector, labels) };
        if (peer?.namespaceSelector || e.peerNamespace !== opts.namespace) p.namespaceSelector = andSelector(peer?.namespaceSelector, { [NAMESPACE_NAME]: e.peerNamespace });
        narrowed.push(p);
      } else {
        const within = peer?.ipBlock ? [peer.ipBlock.cidr] : undefined;
        let nets = coverAddresses(g.list.map((x) => x.peerIp), opts.cidrBudget);
        if (within && !cidrsWithin(nets, within)) nets = coverAddresses(g.list.map((x) => x.peerIp), 0);
        for (const cidr of nets) {
          const except = (peer?.ipBlock?.except ?? []).filter((x) => x !== cidr && cidrsWithin([x], [cidr]));
          narrowed.push({ ipBlock: { cidr, ...(except.length ? { except } : {}) } });
        }
      }
    }
    out.push(withPorts({ [field]: narrowed }, same[0].entries));
  }
  return out;
}

function selectorImplies(inner: LabelSelector | undefined, outer: LabelSelector | undefined): boolean {
  const il = inner?.matchLabels ?? {};
  const ie = (inner?.matchExpressions ?? []).map((x) => JSON.stringify(x));
  return Object.entries(outer?.matchLabels ?? {}).every(([k, v]) => il[k] === v) && (outer?.matchExpressions ?? []).every((x) => ie.includes(JSON.stringify(x)));
}

/** Every flow `inner` allows, `outer` allows: same namespace scope, selectors ANDed, CIDRs inside. */
function peerWithin(inner: K8sPeer, outer: K8sPeer | null): boolean {
  if (outer === null) return true;
  if (outer.ipBlock) {
    if (!inner.ipBlock || !cidrsWithin([inner.ipBlock.cidr], [outer.ipBlock.cidr])) return false;
    // An address the outer rule excepts must stay excepted (or lie outside the inner block).
    return (outer.ipBlock.except ?? []).every((x) => !cidrsWithin([x], [inner.ipBlock!.cidr]) || (inner.ipBlock!.except ?? []).includes(x)) && !(outer.ipBlock.except ?? []).some((x) => cidrsWithin([inner.ipBlock!.cidr], [x]));
  }
  if (inner.ipBlock) return false;
  if ((outer.namespaceSelector === undefined) !== (inner.namespaceSelector === undefined)) return false;
  return selectorImplies(inner.namespaceSelector, outer.namespaceSelector) && selectorImplies(inner.podSelector, outer.podSelector);
}

const interval = (p: K8sPort): PortInterval | null => (typeof p.port === 'number' ? { min: p.port, max: p.endPort ?? p.port } : null);

function portsWithinOriginal(inner: readonly K8sPort[], outer: readonly K8sPort[]): boolean {
  if (outer.length === 0) return true;
  if (inner.length === 0) return false;
  return inner.every((ip) => {
    const proto = ip.protocol ?? 'TCP';
    const same = outer.filter((o) => (o.protocol ?? 'TCP') === proto);
    if (same.some((o) => o.port === undefined)) return true;
    if (typeof ip.port === 'string') return same.some((o) => o.port === ip.port);
    const i = interval(ip);
    const os = same.map(interval).filter((x): x is PortInterval => x !== null);
    return i !== null && portsWithin([i], mergePorts(os));
  });
}

/**
 * Checks that every proposed rule allows a subset of what the original rule allowed: each of its
 * peers inside one of the original's (or any peer when it named none), its ports inside the
 * original's for the same protocol.
 */
export function checkK8sContainment(original: K8sRule, proposed: readonly K8sRule[], direction: Direction): Containment {
  const field = PEERS[direction];
  const problems: string[] = [];
  const outerPeers: Array<K8sPeer | null> = original[field]?.length ? original[field]! : [null];
  proposed.forEach((p, i) => {
    const inner = p[field] ?? [];
    if (inner.length === 0 && outerPeers[0] !== null) problems.push(`rule ${i}: allows any peer where the original named peers`);
    inner.forEach((peer, j) => {
      if (!outerPeers.some((o) => peerWithin(peer, o))) problems.push(`rule ${i}: ${field}[${j}] is not inside a peer of the original`);
    });
    if (!portsWithinOriginal(p.ports ?? [], original.ports ?? [])) problems.push(`rule ${i}: ports are not inside the original's`);
  });
  return { contained: problems.length === 0, problems };
}

/** The manifest with one written rule replaced by the narrowed ones (keys in the usual order). */
export function replaceK8sRule(manifest: Obj, direction: Direction, index: number, rules: readonly K8sRule[]): Obj {
  const spec = clone(manifest.spec as Obj);
  (spec[direction] as unknown[]).splice(index, 1, ...rules);
  const m = isObj(manifest.metadata) ? manifest.metadata : {};
  const metadata = { name: m.name, namespace: m.namespace, ...(isObj(m.labels) && Object.keys(m.labels).length ? { labels: m.labels } : {}) };
  return { apiVersion: manifest.apiVersion, kind: manifest.kind, metadata, spec };
}
