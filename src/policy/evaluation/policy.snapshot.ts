import { Direction, parseManifests, parseProtocol, PolicyResource, Resource } from '../model';
import { MatchContext, NO_PEER, NO_SUBJECT, parseIp, ParsedIp, PeerState, SelectorSubject } from '../rules';
import { Labels } from '../selector';
import { applyingGroups, enforcedSignature, evaluateDirection, TraceSink } from './direction.evaluator';
import { explainPath } from './path.explainer';
import {
  ApplyingTier,
  Decision,
  DirectionResult,
  EndpointRef,
  EvaluationPath,
  FlowDecision,
  FlowEvaluation,
  FlowInput,
  ResolvedPeer,
  SideEvaluation,
  TierInfo,
} from './evaluation.types';
import { DIR_EGRESS, DIR_INGRESS, EndpointRuntime, NetsetRuntime } from './runtime.types';
import { buildSnapshotData, deriveSnapshotData, SnapshotData, snapshotResources, snapshotWarnings } from './snapshot.builder';

/** The flow handed to the engine is malformed (bad IP, unknown protocol, unknown endpoint ref). */
export class FlowInputError extends Error {
  override readonly name = 'FlowInputError';
}

interface PeerEntry {
  readonly state: PeerState;
  readonly pub: ResolvedPeer;
  readonly endpoint: EndpointRuntime | null;
  /** The snapshot data it was made for: there it needs no checking. */
  readonly home: SnapshotData | null;
}

const EMPTY_LABELS: Labels = Object.freeze({});
const UNKNOWN_PEER: PeerEntry = Object.freeze({
  state: NO_PEER,
  pub: Object.freeze({ ip: null, family: 0, type: 'net', namespace: '', name: '', labels: EMPTY_LABELS, networkSets: [] }) as ResolvedPeer,
  endpoint: null,
  home: null,
});

// Resolutions of IPs nobody owns (internet peers) would otherwise grow without bound.
const PEER_CACHE_LIMIT = 200_000;
// Interned selector subjects (endpoint + containing network sets). Normally bounded by the snapshot
// (endpoints plus distinct set combinations); the limit only guards pathological inputs.
const SUBJECT_LIMIT = 100_000;

/**
 * An immutable, compiled view of a set of resources. Everything expensive happens at build time
 * or once per endpoint class / IP (applying policies, specialised rule programs, IP resolution,
 * selector results), so a warm decision is two map lookups and a walk over plain rule data.
 * `withChanges` derives the snapshot of a changed inventory: endpoint changes are applied to the
 * compiled data (this snapshot stays valid and shares all it can), other changes rebuild.
 */
export class PolicySnapshot {
  private readonly data: SnapshotData;
  private readonly peers = new Map<string, PeerEntry>();
  private readonly ctx = new MatchContext();
  /**
   * Resolutions made by any snapshot of this family (derived from one another, sharing a selector
   * table), newest per key: a derived snapshot takes one over after checking it still holds here,
   * so pod churn does not cost every IP's resolution and selector memo again.
   */
  private family = new Map<string, PeerEntry>();
  readonly tiers: readonly TierInfo[];

  constructor(resources: readonly Resource[]);
  constructor(resources: readonly Resource[] | null, data?: SnapshotData);
  constructor(resources: readonly Resource[] | null, data?: SnapshotData) {
    this.data = data ?? buildSnapshotData(resources ?? []);
    this.tiers = Object.freeze(this.data.tiers.map((t) => t.info));
  }

  /**
   * This inventory with resources added or replaced (`upserts`, by key) and keys removed. Pods,
   * workload and host endpoints, namespaces and service accounts are applied incrementally
   * (policies stay compiled, per-class caches and untouched endpoints' IP resolutions carry over);
   * anything else rebuilds, recompiling only the policies that changed. This snapshot stays valid.
   */
  withChanges(upserts: readonly Resource[], deletions: readonly string[] = []): PolicySnapshot {
    const data = deriveSnapshotData(this.data, upserts, deletions);
    if (data === this.data) return this;
    const next = new PolicySnapshot(null, data);
    // Same selector table: same network sets, and subjects' memos of selector results stay true.
    if (data.selectors === this.data.selectors) {
      next.family = this.family;
      next.pubs = this.pubs;
    }
    return next;
  }

  /** The snapshot of `resources`, derived from this one: only what differs (by key and identity) is applied. */
  withResources(resources: readonly Resource[]): PolicySnapshot {
    const seen = new Set<string>();
    const upserts: Resource[] = [];
    for (const r of resources) {
      seen.add(r.key);
      upserts.push(r);
    }
    const deletions: string[] = [];
    for (const [k] of this.data.entries.entries()) if (!seen.has(k)) deletions.push(k);
    return this.withChanges(upserts, deletions);
  }

  private warningsMemo: readonly string[] | null = null;

  get warnings(): readonly string[] {
    return (this.warningsMemo ??= Object.freeze(snapshotWarnings(this.data)));
  }

  /** Parses YAML/JSON manifests strictly (first invalid resource throws) and builds a snapshot. */
  static fromManifests(text: string): PolicySnapshot {
    return new PolicySnapshot(parseManifests(text));
  }

  private resourcesMemo: readonly Resource[] | null = null;

  get resources(): readonly Resource[] {
    return (this.resourcesMemo ??= snapshotResources(this.data));
  }

  /** Policies of one tier in evaluation order (enforced and staged together, like Calico sorts them). */
  policiesOf(tier: string): readonly PolicyResource[] {
    return this.data.tiers.find((t) => t.name === tier)?.policies.map((p) => p.res) ?? [];
  }

  /** What an IP is: pod / workload / host endpoint, network set (longest prefix), or unknown. */
  resolveIp(ip: string): ResolvedPeer {
    return this.peerForIp(ip).pub;
  }

  /** Looks a known resource up by identity; undefined when the snapshot does not have it. */
  findEndpoint(ref: EndpointRef): ResolvedPeer | undefined {
    return this.peerForRef(ref, null, 0, false)?.pub;
  }

  /** The tiers and policies that apply to an endpoint in one direction, in evaluation order. */
  applyingPolicies(ref: EndpointRef | ResolvedPeer, direction: Direction, opts: { pending?: boolean } = {}): ApplyingTier[] {
    const entry = this.peerForRefOrPeer(ref, null, 0);
    if (!entry.endpoint) throw new FlowInputError(`not a local endpoint: ${describeRef(ref)}`);
    return applyingGroups(this.data.tiers, entry.endpoint, direction === 'ingress' ? DIR_INGRESS : DIR_EGRESS, !!opts.pending).map(
      (g) => ({ tier: g.tier.info, policies: g.policies.map((p) => p.res) }),
    );
  }

  /** Evaluates one direction at one endpoint (`ref` is the destination for ingress, the source for egress). */
  evaluateDirection(
    ref: EndpointRef | ResolvedPeer,
    direction: Direction,
    flow: FlowInput,
    opts: { pending?: boolean } = {},
  ): SideEvaluation {
    const local = this.prepareSide(ref, direction, flow);
    return this.side(local, direction === 'ingress' ? DIR_INGRESS : DIR_EGRESS, !!(opts && opts.pending));
  }

  /**
   * Every step of one direction's evaluation (applying tiers and policies in order, why each rule
   * tried did not match, end-of-tier defaults, profiles), with the decision. Slow; for explanations.
   */
  explainDirection(
    ref: EndpointRef | ResolvedPeer,
    direction: Direction,
    flow: FlowInput,
    opts: { pending?: boolean } = {},
  ): SideEvaluation & { path: EvaluationPath } {
    const local = this.prepareSide(ref, direction, flow);
    const dir = direction === 'ingress' ? DIR_INGRESS : DIR_EGRESS;
    const pending = !!(opts && opts.pending);
    const side = this.side(local, dir, pending);
    return { ...side, path: explainPath(this.data, local, dir, pending, this.ctx) };
  }

  /**
   * Decision-only twin of `evaluateDirection`: same arguments, same decision, no trace. Nothing is
   * allocated on a warm call; the returned decision is a shared frozen object. Meant for callers
   * (ingest) that already hold the dataplane's own trace and only need the engine's verdict.
   */
  decideDirection(ref: EndpointRef | ResolvedPeer, direction: Direction, flow: FlowInput, opts?: { pending?: boolean }): Decision {
    const local = this.prepareSide(ref, direction, flow);
    return evaluateDirection(this.data, local, direction === 'ingress' ? DIR_INGRESS : DIR_EGRESS, !!(opts && opts.pending), this.ctx, null);
  }

  /**
   * True iff some rule of some policy (enforced or staged) or profile matches on source
   * `ports`/`notPorts`. When false, the source port never influences a decision, so callers may
   * leave the (ephemeral) source port out of their cache keys.
   */
  get usesSourcePorts(): boolean {
    return this.data.part.usesSourcePorts;
  }

  /** Full verdict with traces: egress at the source and ingress at the destination, enforced and pending. */
  evaluateFlow(flow: FlowInput): FlowEvaluation {
    this.prepare(flow, null, null);
    const s = this.srcEntry;
    const d = this.dstEntry;
    const egress: DirectionResult | null = s.endpoint
      ? {
          direction: 'egress' as const,
          endpoint: s.pub,
          enforced: this.side(s.endpoint, DIR_EGRESS, false),
          pending: this.side(s.endpoint, DIR_EGRESS, true),
        }
      : null;
    const ingress: DirectionResult | null = d.endpoint
      ? {
          direction: 'ingress' as const,
          endpoint: d.pub,
          enforced: this.side(d.endpoint, DIR_INGRESS, false),
          pending: this.side(d.endpoint, DIR_INGRESS, true),
        }
      : null;
    const ok = (r: DirectionResult | null, k: 'enforced' | 'pending') => r === null || r[k].decision.verdict === 'allow';
    return {
      allowed: ok(egress, 'enforced') && ok(ingress, 'enforced'),
      pendingAllowed: ok(egress, 'pending') && ok(ingress, 'pending'),
      src: s.pub,
      dst: d.pub,
      egress,
      ingress,
    };
  }

  /** Fast path: enforced verdict only, no traces; decisions are shared frozen objects. */
  decideFlow(flow: FlowInput): FlowDecision {
    this.prepare(flow, null, null);
    const s = this.srcEntry;
    const d = this.dstEntry;
    const env = this.data;
    const egress: Decision | null = s.endpoint ? evaluateDirection(env, s.endpoint, DIR_EGRESS, false, this.ctx, null) : null;
    const ingress: Decision | null = d.endpoint ? evaluateDirection(env, d.endpoint, DIR_INGRESS, false, this.ctx, null) : null;
    return {
      allowed: (egress === null || egress.verdict === 'allow') && (ingress === null || ingress.verdict === 'allow'),
      egress,
      ingress,
    };
  }

  /**
   * `decideFlow`, given `base`'s decision `prior` of the same flow, for a snapshot that differs from
   * `base` in policies only (a what-if): a side whose endpoint meets exactly the same tiers, policies
   * and profiles here as there keeps its prior decision instead of being evaluated again.
   */
  decideFlowSince(base: PolicySnapshot, prior: FlowDecision, flow: FlowInput): FlowDecision {
    base.prepare(flow, null, null);
    const bs = base.srcEntry.endpoint;
    const bd = base.dstEntry.endpoint;
    this.prepare(flow, null, null);
    const s = this.srcEntry.endpoint;
    const d = this.dstEntry.endpoint;
    const env = this.data;
    // Rules also look at the other side: it must be the same endpoint (or none) in the same sets.
    const peersAlike = sameEndpoint(s, bs) && sameEndpoint(d, bd) && this.sameSetsAs(base);
    const egress: Decision | null = s
      ? peersAlike && this.alike(s, base, bs as EndpointRuntime, DIR_EGRESS) ? (prior.egress as Decision) : evaluateDirection(env, s, DIR_EGRESS, false, this.ctx, null)
      : null;
    const ingress: Decision | null = d
      ? peersAlike && this.alike(d, base, bd as EndpointRuntime, DIR_INGRESS) ? (prior.ingress as Decision) : evaluateDirection(env, d, DIR_INGRESS, false, this.ctx, null)
      : null;
    return {
      allowed: (egress === null || egress.verdict === 'allow') && (ingress === null || ingress.verdict === 'allow'),
      egress,
      ingress,
    };
  }

  private readonly setsAlike = new WeakMap<PolicySnapshot, boolean>();

  private sameSetsAs(base: PolicySnapshot): boolean {
    let v = this.setsAlike.get(base);
    if (v === undefined) {
      const a = this.data.part;
      const b = base.data.part;
      v = a.netsetRes.length === b.netsetRes.length && a.netsetRes.every((x, i) => x === b.netsetRes[i]) && a.netsetNsRes.length === b.netsetNsRes.length && a.netsetNsRes.every((x, i) => x === b.netsetNsRes[i]);
      this.setsAlike.set(base, v);
    }
    return v;
  }

  private alike(ep: EndpointRuntime, base: PolicySnapshot, other: EndpointRuntime, dir: number): boolean {
    if (ep.profiles.length !== other.profiles.length || ep.profiles.some((p, i) => p !== other.profiles[i])) return false;
    return enforcedSignature(this.data.tiers, ep, dir) === enforcedSignature(base.data.tiers, other, dir);
  }

  private side(ep: EndpointRuntime, dir: number, pending: boolean): SideEvaluation {
    const sink: TraceSink = { hits: [], logs: [] };
    const decision = evaluateDirection(this.data, ep, dir, pending, this.ctx, sink);
    return { trace: sink, decision };
  }

  /** Prepares a one-sided evaluation: `ref` replaces the flow's destination (ingress) or source (egress). */
  private prepareSide(ref: EndpointRef | ResolvedPeer, direction: Direction, flow: FlowInput): EndpointRuntime {
    const ingress = direction === 'ingress';
    this.prepare(flow, ingress ? null : ref, ingress ? ref : null);
    const local = ingress ? this.dstEntry : this.srcEntry;
    if (!local.endpoint) throw new FlowInputError(`not a local endpoint: ${describeRef(ref)}`);
    return local.endpoint;
  }

  // Results of the last prepare(): fields rather than a returned tuple, so a decision allocates nothing.
  private srcEntry: PeerEntry = UNKNOWN_PEER;
  private dstEntry: PeerEntry = UNKNOWN_PEER;

  /**
   * Fills the shared match context for this flow and `srcEntry`/`dstEntry`. `srcRef`/`dstRef`
   * override the flow's `src`/`dst` (used by the one-sided calls instead of copying the flow).
   */
  private prepare(flow: FlowInput, srcRef: EndpointRef | ResolvedPeer | null, dstRef: EndpointRef | ResolvedPeer | null): void {
    const c = this.ctx;
    const proto = typeof flow.protocol === 'number' ? parseProtocol(flow.protocol) : this.protocolOf(flow.protocol);
    if (proto === null) throw new FlowInputError(`unknown protocol ${JSON.stringify(flow.protocol)}`);
    const srcR = srcRef ?? flow.src;
    const dstR = dstRef ?? flow.dst;
    let s = flow.srcIp && !srcR ? this.peerForIp(flow.srcIp) : null;
    let d = flow.dstIp && !dstR ? this.peerForIp(flow.dstIp) : null;
    const hint = (s?.state.ip?.family ?? d?.state.ip?.family ?? 0) as 0 | 4 | 6;
    if (srcR) s = this.peerForRefOrPeer(srcR, flow.srcIp ?? null, hint);
    if (dstR) d = this.peerForRefOrPeer(dstR, flow.dstIp ?? null, (s?.state.ip?.family ?? hint) as 0 | 4 | 6);
    s ??= UNKNOWN_PEER;
    d ??= UNKNOWN_PEER;
    const sf = s.state.ip?.family ?? 0;
    const df = d.state.ip?.family ?? 0;
    if (sf && df && sf !== df) throw new FlowInputError(`source ${s.pub.ip} and destination ${d.pub.ip} are of different IP families`);
    c.proto = proto;
    c.family = (sf || df) as 0 | 4 | 6;
    c.srcPort = num(flow.srcPort);
    c.dstPort = num(flow.dstPort);
    c.icmpType = num(flow.icmpType);
    c.icmpCode = num(flow.icmpCode);
    c.src = s.state;
    c.dst = d.state;
    c.srcService = flow.srcService ?? null;
    c.dstService = flow.dstService ?? null;
    c.httpMethod = flow.httpMethod ?? null;
    c.httpPath = flow.httpPath ?? null;
    this.srcEntry = s;
    this.dstEntry = d;
  }

  private readonly protocols = new Map<string, number | null>();

  // Flow logs repeat a handful of protocol spellings; memoising avoids a toLowerCase per decision.
  private protocolOf(p: string): number | null {
    let n = this.protocols.get(p);
    if (n === undefined) {
      n = parseProtocol(p);
      if (this.protocols.size < 1000) this.protocols.set(p, n);
    }
    return n;
  }

  private peerForIp(ipText: string): PeerEntry {
    const cached = this.peers.get(ipText) ?? this.inherit(ipText);
    if (cached) return cached;
    const ip = parseIp(ipText);
    if (!ip) throw new FlowInputError(`invalid IP address ${JSON.stringify(ipText)}`);
    const entry = this.entryFor(ip, this.data.endpointsByIp.get(ip.text) ?? null, null);
    this.remember(ipText, entry);
    return entry;
  }

  /**
   * The resolution a snapshot of the family made under the same cache key, when it holds here: the IP
   * has the same owner (or none), and that endpoint the same resource and merged labels. The
   * subject (and its memo of selector results) comes along; the endpoint is this snapshot's own
   * (after a policy change its class, holding the policy-side caches, is new).
   */
  private remember(cacheKey: string, entry: PeerEntry): void {
    if (this.peers.size >= PEER_CACHE_LIMIT) this.peers.clear();
    this.peers.set(cacheKey, entry);
    if (this.family.size >= PEER_CACHE_LIMIT) this.family.clear();
    this.family.set(cacheKey, entry);
  }

  private inherit(cacheKey: string): PeerEntry | undefined {
    const e = this.family.get(cacheKey);
    if (!e) return undefined;
    const entry = this.holds(e, cacheKey.startsWith('ref:'));
    if (entry === e) {
      if (this.peers.size >= PEER_CACHE_LIMIT) this.peers.clear();
      this.peers.set(cacheKey, e);
    } else if (entry) this.remember(cacheKey, entry);
    return entry;
  }

  /**
   * `e` (made by a snapshot of the family) as it holds in this one: itself when its endpoint is the
   * same here, a copy with this snapshot's endpoint when only that endpoint's class is new, else
   * undefined. By key: the endpoint is found by its key (how refs resolve), else as the IP's owner.
   */
  private holds(e: PeerEntry, byKey: boolean): PeerEntry | undefined {
    if (e.home === this.data) return e;
    const old = e.endpoint;
    let ep: EndpointRuntime | null;
    if (byKey && old !== null) ep = this.data.endpointsByKey.get(old.info.key) ?? null;
    else ep = e.state.ip ? (this.data.endpointsByIp.get(e.state.ip.text) ?? null) : null;
    if (ep === old) return e;
    if (ep === null || old === null || ep.info !== old.info || ep.allLabels !== old.allLabels || ep.namedPorts !== old.namedPorts) return undefined;
    const entry: PeerEntry = Object.freeze({ state: Object.freeze({ ...e.state, endpoint: ep }), pub: e.pub, endpoint: ep, home: this.data });
    this.pubs.set(entry.pub, entry);
    return entry;
  }


  private entryFor(ip: ParsedIp | null, ep: EndpointRuntime | null, forcedSet: NetsetRuntime | null): PeerEntry {
    const netsets = ip ? this.data.part.netsets.lookup(ip) : [];
    if (forcedSet && !netsets.includes(forcedSet)) netsets.unshift(forcedSet);
    const primarySet = forcedSet ?? netsets[0];
    const infos = Object.freeze(netsets.map((n) => n.info));
    let pub: ResolvedPeer;
    if (ep) {
      pub = { ...ep.peer, ip: ip?.text ?? null, family: ip?.family ?? 0, networkSets: infos };
    } else if (primarySet) {
      const i = primarySet.info;
      pub = { ip: ip?.text ?? null, family: ip?.family ?? 0, type: 'ns', namespace: i.namespace, name: i.name, labels: i.labels, networkSet: i, networkSets: infos };
    } else {
      pub = { ip: ip?.text ?? null, family: ip?.family ?? 0, type: 'net', namespace: '', name: '', labels: EMPTY_LABELS, networkSets: infos };
    }
    const subject = this.subjectFor(ep, netsets);
    const entry: PeerEntry = Object.freeze({ state: Object.freeze({ ip, endpoint: ep, netsets, subject }), pub: Object.freeze(pub), endpoint: ep, home: this.data });
    this.pubs.set(entry.pub, entry);
    return entry;
  }

  // ResolvedPeers this snapshot's family handed out, back to their entries: callers (ingest) pass
  // them back on every record, and re-resolving by identity costs key strings and an IP parse each
  // time. Checked on use (`holds`): another snapshot of the family may have made the entry.
  private pubs = new WeakMap<ResolvedPeer, PeerEntry>();

  // IPs with the same endpoint and containing sets look the same to every selector: they share one
  // subject, hence one memo of selector results. Bounded by endpoints x set combinations present.
  private readonly subjects = new Map<string, SelectorSubject>();

  private subjectFor(ep: EndpointRuntime | null, netsets: readonly NetsetRuntime[]): SelectorSubject {
    if (ep === null && netsets.length === 0) return NO_SUBJECT;
    let key = ep ? ep.info.key : '';
    for (const n of netsets) key += '|' + n.info.key;
    let s = this.subjects.get(key);
    if (!s) {
      s = new SelectorSubject(ep, netsets);
      // Each subject's memo costs one byte per distinct rule selector, allocated on first use.
      if (this.subjects.size >= SUBJECT_LIMIT) this.subjects.clear();
      this.subjects.set(key, s);
    }
    return s;
  }

  private peerForRefOrPeer(ref: EndpointRef | ResolvedPeer, ipText: string | null, family: 0 | 4 | 6): PeerEntry {
    const e = this.peerForRef(ref, ipText, family, true);
    if (!e) throw new FlowInputError(`unknown endpoint ${describeRef(ref)}`);
    return e;
  }

  private peerForRef(ref: EndpointRef | ResolvedPeer, ipText: string | null, family: 0 | 4 | 6, allowIpOnly: boolean): PeerEntry | undefined {
    if ('networkSets' in ref) {
      // One of ours, used with its own IP: the very entry it came from (what re-resolving would give).
      if (ipText === null || ipText === ref.ip) {
        const known = this.pubs.get(ref);
        const own = known && this.holds(known, true);
        if (own) return own;
      }
      // A ResolvedPeer handed back by this (or an older) snapshot: re-resolve by identity, then by IP.
      const key = ref.endpoint?.key ?? ref.networkSet?.key;
      if (key) return this.peerForRef({ kind: (ref.endpoint ?? ref.networkSet)?.kind, namespace: ref.namespace, name: ref.name }, ipText ?? ref.ip, family, allowIpOnly);
      const ip = ipText ?? ref.ip;
      return ip ? this.peerForIp(ip) : allowIpOnly ? UNKNOWN_PEER : undefined;
    }
    const ns = ref.namespace ?? '';
    const kinds = ref.kind ? [ref.kind] : ns ? ['Pod', 'WorkloadEndpoint', 'NetworkSet'] : ['HostEndpoint', 'GlobalNetworkSet'];
    for (const k of kinds) {
      const key = `${k}/${k === 'HostEndpoint' || k === 'GlobalNetworkSet' ? '' : ns}/${ref.name}`;
      const ep = this.data.endpointsByKey.get(key);
      const set = ep ? undefined : this.data.part.netsetsByKey.get(key);
      if (!ep && !set) continue;
      let ip: ParsedIp | null = null;
      if (ipText) {
        ip = parseIp(ipText);
        if (!ip) throw new FlowInputError(`invalid IP address ${JSON.stringify(ipText)}`);
      } else if (ep) {
        // Pick the endpoint IP of the flow's family (dual-stack pods have one of each).
        const ips = ep.info.ips.map((x) => parseIp(x)).filter((x): x is ParsedIp => x !== null);
        ip = ips.find((x) => !family || x.family === family) ?? null;
      }
      const cacheKey = `ref:${key}|${ip?.text ?? ''}`;
      const cached = this.peers.get(cacheKey) ?? this.inherit(cacheKey);
      if (cached) return cached;
      const entry = this.entryFor(ip, ep ?? null, set ?? null);
      // Same bound as IP resolutions: refs with arbitrary IPs would otherwise grow the cache forever.
      this.remember(cacheKey, entry);
      return entry;
    }
    return undefined;
  }
}

/** The same endpoint resource with the same merged labels and named ports, or no endpoint on both sides. */
function sameEndpoint(a: EndpointRuntime | null, b: EndpointRuntime | null): boolean {
  if (a === null || b === null) return a === b;
  return a.info === b.info && a.allLabels === b.allLabels && a.namedPorts === b.namedPorts;
}

function num(v: number | null | undefined): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : -1;
}

function describeRef(ref: EndpointRef | ResolvedPeer): string {
  if ('networkSets' in ref) return `${ref.type} ${ref.namespace ? ref.namespace + '/' : ''}${ref.name || ref.ip || '<unknown>'}`;
  return `${ref.kind ?? 'endpoint'} ${ref.namespace ? ref.namespace + '/' : ''}${ref.name}`;
}
