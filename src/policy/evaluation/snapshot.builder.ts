import { PROFILE_TIER } from '../hits/hit.types';
import {
  BUILTIN_TIERS,
  HostEndpointResource,
  isPolicy,
  NamedPortDecl,
  NamespaceResource,
  NetworkSetResource,
  PodResource,
  PolicyResource,
  ProfileResource,
  Resource,
  Rule,
  ServiceAccountResource,
  TierResource,
  WorkloadEndpointResource,
} from '../model';
import { compileRule, parseIp, SelectorTable } from '../rules';
import { LabelPredicate, Labels, NAMESPACE_LABEL, NAMESPACE_LABEL_PREFIX, SERVICE_ACCOUNT_LABEL_PREFIX } from '../selector';
import { Decision, EndpointInfo, NetworkSetInfo, ResolvedPeer } from './evaluation.types';
import { PrefixIndex } from './netset.index';
import { OverlayMap } from './overlay.map';
import { CompiledPolicy, CompiledProfile, CompiledTier, EndpointClass, EndpointRuntime, EvalEnv, NetsetRuntime, RuleRuntime } from './runtime.types';

const ALLOW_ALL: Rule = {
  action: 'Allow',
  source: { nets: [], notNets: [], ports: [], notPorts: [] },
  destination: { nets: [], notNets: [], ports: [], notPorts: [] },
};

/** Built by calico-node; endpoints may reference it without the manifest declaring it. */
const DEFAULT_ALLOW_PROFILE = 'projectcalico-default-allow';

function cmpOrder(a: number | null, b: number | null): number {
  // Missing order sorts after every ordered item (Calico treats it as infinity).
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function nullProto(...sources: Labels[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const s of sources) for (const k of Object.keys(s)) out[k] = s[k];
  return out;
}

function prefixed(prefix: string, labels: Labels): Labels {
  const out: Record<string, string> = Object.create(null);
  for (const k of Object.keys(labels)) out[prefix + k] = labels[k];
  return out;
}

function portsByName(ports: readonly NamedPortDecl[]): Map<string, NamedPortDecl[]> {
  const m = new Map<string, NamedPortDecl[]>();
  for (const p of ports) {
    const l = m.get(p.name);
    if (l) l.push(p);
    else m.set(p.name, [p]);
  }
  return m;
}

function freeze<T extends object>(o: T): T {
  return Object.freeze(o);
}

/** Also matched by callers that surface it (inventory apply answers it as a warning). */
export function undeclaredTierWarning(policyKey: string, tier: string): string {
  return `${policyKey} references tier ${tier}, which is not declared: evaluated as a Deny tier after every declared tier`;
}

/** Everything but the endpoints: shared by every snapshot derived from this one by endpoint changes only. */
export interface PolicyPart extends EvalEnv {
  readonly policies: readonly CompiledPolicy[];
  readonly netsetsByKey: ReadonlyMap<string, NetsetRuntime>;
  readonly netsets: PrefixIndex<NetsetRuntime>;
  readonly tierWarnings: readonly string[];
  /** Some policy (enforced or staged) or profile rule has source ports/notPorts. */
  readonly usesSourcePorts: boolean;
  readonly userProfiles: ReadonlyMap<string, ProfileResource>;
  readonly profile: (name: string) => CompiledProfile | null;
  /** Endpoint classes by content (merged labels, named ports): their caches depend on this part only. */
  readonly classes: Map<string, EndpointClass>;
  /** Namespaces holding a NetworkSet: relabelling one of them changes the sets' merged labels. */
  readonly netsetNamespaces: ReadonlySet<string>;
  /** What a derived part may share: the same sets and profiles mean the same selector table. */
  readonly netsetRes: readonly NetworkSetResource[];
  readonly netsetNsRes: readonly (Resource | undefined)[];
  readonly profileRes: readonly ProfileResource[];
  readonly profileCache: Map<string, CompiledProfile | null>;
}

interface Entry {
  readonly res: Resource;
  /** Position in resource order: the order a from-scratch build would see them in. */
  readonly seq: number;
}

export interface SnapshotData extends EvalEnv {
  readonly part: PolicyPart;
  readonly entries: OverlayMap<string, Entry>;
  readonly nextSeq: number;
  readonly endpointsByKey: OverlayMap<string, EndpointRuntime>;
  readonly endpointsByIp: OverlayMap<string, EndpointRuntime>;
  /** IPs claimed by several endpoints: every claimant, in precedence order (the first owns the IP). */
  readonly contested: ReadonlyMap<string, readonly EndpointRuntime[]>;
  readonly dupWarnings: readonly string[];
}

const CLASS_LIMIT = 50_000;
const ENDPOINT_KINDS: ReadonlySet<string> = new Set(['Pod', 'WorkloadEndpoint', 'HostEndpoint']);
const KIND_RANK: Readonly<Record<string, number>> = { Pod: 0, WorkloadEndpoint: 1, HostEndpoint: 2 };

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function buildSnapshotData(input: readonly Resource[], base?: SnapshotData): SnapshotData {
  const warnings: string[] = [];
  // Later duplicates win, like `kubectl apply` of a concatenated manifest.
  const byKey = new Map<string, Entry>();
  for (const r of input) {
    const prev = byKey.get(r.key);
    if (prev) warnings.push(`duplicate resource ${r.key}: the later definition wins`);
    byKey.set(r.key, { res: r, seq: prev ? prev.seq : byKey.size });
  }
  return buildFromEntries(OverlayMap.of(byKey), byKey.size, warnings, base);
}

function resourcesOf(entries: OverlayMap<string, Entry>): Resource[] {
  return [...entries.values()].sort((a, b) => a.seq - b.seq).map((e) => e.res);
}

export function snapshotResources(d: SnapshotData): Resource[] {
  return resourcesOf(d.entries);
}

function buildFromEntries(entries: OverlayMap<string, Entry>, nextSeq: number, dupWarnings: string[], base?: SnapshotData): SnapshotData {
  const ordered = [...entries.values()].sort((a, b) => a.seq - b.seq);
  const resources = ordered.map((e) => e.res);
  const part = buildPolicyPart(resources, base?.part);
  // Endpoints whose resource and label sources (namespaces, service accounts, profiles) did not
  // change keep their merged labels: only their class (policy-side caches) is new.
  const reuse =
    base !== undefined &&
    part.profileCache === base.part.profileCache &&
    ordered.every((e) => (e.res.kind !== 'Namespace' && e.res.kind !== 'ServiceAccount') || base.entries.get(e.res.key)?.res === e.res) &&
    [...base.entries.values()].filter((e) => e.res.kind === 'Namespace' || e.res.kind === 'ServiceAccount').every((e) => entries.get(e.res.key)?.res === e.res);
  const byKey = new Map<string, EndpointRuntime>();
  const byIp = new Map<string, EndpointRuntime>();
  const contested = new Map<string, EndpointRuntime[]>();
  const ctx = labelSources(part, entries);
  const eps: EndpointRuntime[] = [];
  for (const e of ordered) {
    if (!ENDPOINT_KINDS.has(e.res.kind)) continue;
    const old = reuse ? base.endpointsByKey.get(e.res.key) : undefined;
    eps.push(old && old.res === e.res ? rehome(old, part, e.seq) : makeEndpoint(e.res as EndpointResource, e.seq, ctx));
  }
  eps.sort((a, b) => a.rank - b.rank);
  for (const ep of eps) {
    byKey.set(ep.info.key, ep);
    if (!ep.indexed) continue;
    for (const ip of ep.info.ips) {
      const owner = byIp.get(ip);
      if (!owner) byIp.set(ip, ep);
      else {
        const l = contested.get(ip);
        if (l) l.push(ep);
        else contested.set(ip, [owner, ep]);
      }
    }
  }
  return dataOf(part, entries, nextSeq, OverlayMap.of(byKey), OverlayMap.of(byIp), contested, dupWarnings);
}

function dataOf(
  part: PolicyPart,
  entries: OverlayMap<string, Entry>,
  nextSeq: number,
  endpointsByKey: OverlayMap<string, EndpointRuntime>,
  endpointsByIp: OverlayMap<string, EndpointRuntime>,
  contested: ReadonlyMap<string, readonly EndpointRuntime[]>,
  dupWarnings: readonly string[],
): SnapshotData {
  return { part, tiers: part.tiers, selectors: part.selectors, netsetList: part.netsetList, programs: part.programs, entries, nextSeq, endpointsByKey, endpointsByIp, contested, dupWarnings };
}

/** Warnings in the order a from-scratch build reports them: duplicates, tiers, then IP conflicts by endpoint. */
export function snapshotWarnings(d: SnapshotData): string[] {
  const lost: Array<[EndpointRuntime, number, string]> = [];
  for (const [ip, list] of d.contested) {
    for (let i = 1; i < list.length; i++) lost.push([list[i], list[i].info.ips.indexOf(ip), `IP ${ip} is claimed by ${list[0].info.key} and ${list[i].info.key}: keeping ${list[0].info.key}`]);
  }
  lost.sort((a, b) => a[0].rank - b[0].rank || a[1] - b[1]);
  return [...d.dupWarnings, ...d.part.tierWarnings, ...lost.map((x) => x[2])];
}

/**
 * The snapshot with `upserts` and `deletions` applied. Endpoint changes (pods, workload and host
 * endpoints, namespace and service-account labels) are applied to the compiled snapshot: the
 * policy part and every untouched endpoint are shared with `d`, which stays valid. Anything else
 * rebuilds, reusing what did not change (compiled policies, endpoints' merged labels).
 */
export function deriveSnapshotData(d: SnapshotData, upserts: readonly Resource[], deletions: readonly string[]): SnapshotData {
  const changes = new Map<string, Resource | undefined>();
  for (const k of deletions) changes.set(k, undefined);
  for (const r of upserts) changes.set(r.key, r);
  for (const [k, r] of changes) if (d.entries.get(k)?.res === r) changes.delete(k);
  if (changes.size === 0) return d;
  let nextSeq = d.nextSeq;
  let endpointOnly = true;
  const entryChanges = new Map<string, Entry | undefined>();
  const nsChanged: string[] = [];
  const saChanged: string[] = [];
  for (const [k, r] of changes) {
    const old = d.entries.get(k);
    entryChanges.set(k, r ? { res: r, seq: old ? old.seq : nextSeq++ } : undefined);
    const res = (r ?? old?.res) as Resource;
    if (ENDPOINT_KINDS.has(res.kind)) continue;
    if (res.kind === 'Namespace' && !d.part.netsetNamespaces.has(res.name)) nsChanged.push(`kns.${res.name}`);
    else if (res.kind === 'ServiceAccount') saChanged.push(`ksa.${res.namespace}.${res.name}`);
    else endpointOnly = false;
  }
  const entries = d.entries.with(entryChanges);
  // A part outlives its snapshots: classes of label sets long gone (rollouts relabel pods) would
  // pile up in it. Past the bound, a rebuild starts a registry of the live ones (policies stay compiled).
  if (!endpointOnly || d.part.classes.size > CLASS_LIMIT) return buildFromEntries(entries, nextSeq, [], d);

  // Endpoints to (re)make: the changed ones, and those inheriting labels from a changed namespace or account.
  const affected = new Set<string>();
  for (const [k, r] of changes) if (ENDPOINT_KINDS.has((r ?? d.entries.get(k)?.res)?.kind ?? '')) affected.add(k);
  if (nsChanged.length || saChanged.length) {
    const profiles = new Set([...nsChanged, ...saChanged]);
    for (const ep of d.endpointsByKey.values()) if (ep.info.profiles.some((p) => profiles.has(p))) affected.add(ep.info.key);
  }
  const ctx = labelSources(d.part, entries);
  const byKey = new Map<string, EndpointRuntime | undefined>();
  const claims = new Map<string, EndpointRuntime[]>();
  const claimants = (ip: string): EndpointRuntime[] => {
    let l = claims.get(ip);
    if (!l) {
      const owner = d.endpointsByIp.get(ip);
      l = [...(d.contested.get(ip) ?? (owner ? [owner] : []))];
      claims.set(ip, l);
    }
    return l;
  };
  for (const key of affected) {
    const old = d.endpointsByKey.get(key);
    if (old?.indexed) {
      for (const ip of old.info.ips) {
        const l = claimants(ip);
        for (let i = l.length - 1; i >= 0; i--) if (l[i] === old) l.splice(i, 1);
      }
    }
    const e = entries.get(key);
    if (!e || !ENDPOINT_KINDS.has(e.res.kind)) {
      byKey.set(key, undefined);
      continue;
    }
    const ep = makeEndpoint(e.res as EndpointResource, e.seq, ctx);
    byKey.set(key, ep);
    if (ep.indexed) for (const ip of ep.info.ips) claimants(ip).push(ep);
  }
  const byIp = new Map<string, EndpointRuntime | undefined>();
  let contested: Map<string, readonly EndpointRuntime[]> | null = null;
  for (const [ip, l] of claims) {
    l.sort((a, b) => a.rank - b.rank);
    byIp.set(ip, l[0]);
    if (l.length >= 2 || d.contested.has(ip)) {
      contested ??= new Map(d.contested);
      if (l.length >= 2) contested.set(ip, l);
      else contested.delete(ip);
    }
  }
  return dataOf(d.part, entries, nextSeq, d.endpointsByKey.with(byKey), d.endpointsByIp.with(byIp), contested ?? d.contested, []);
}

type EndpointResource = PodResource | WorkloadEndpointResource | HostEndpointResource;

interface LabelSources {
  readonly part: PolicyPart;
  namespaceLabels(ns: string): Labels;
  serviceAccountLabels(ns: string, sa: string): Labels;
}

function labelSources(part: PolicyPart, entries: OverlayMap<string, Entry>): LabelSources {
  // Merged per snapshot: every pod of a namespace inherits the same prefixed labels.
  const nsCache = new Map<string, Labels>();
  const saCache = new Map<string, Labels>();
  return {
    part,
    namespaceLabels(ns) {
      let l = nsCache.get(ns);
      if (!l) {
        const own = (entries.get(`Namespace//${ns}`)?.res as NamespaceResource | undefined)?.labels ?? { 'kubernetes.io/metadata.name': ns };
        nsCache.set(ns, (l = prefixed(NAMESPACE_LABEL_PREFIX, nullProto(own, { 'projectcalico.org/name': ns }))));
      }
      return l;
    },
    serviceAccountLabels(ns, sa) {
      const k = `${ns}/${sa}`;
      let l = saCache.get(k);
      if (!l) {
        const own = (entries.get(`ServiceAccount/${ns}/${sa}`)?.res as ServiceAccountResource | undefined)?.labels ?? {};
        saCache.set(k, (l = prefixed(SERVICE_ACCOUNT_LABEL_PREFIX, nullProto(own, { 'projectcalico.org/name': sa }))));
      }
      return l;
    },
  };
}

function classOf(part: PolicyPart, key: string): EndpointClass {
  let cls = part.classes.get(key);
  if (!cls) {
    cls = new EndpointClass();
    part.classes.set(key, cls);
  }
  return cls;
}

/** The same endpoint under another policy part: labels and identity kept, policy-side caches new. */
function rehome(ep: EndpointRuntime, part: PolicyPart, seq: number): EndpointRuntime {
  const profiles = ep.info.profiles.map(part.profile).filter((p): p is CompiledProfile => p !== null);
  return new EndpointRuntime(ep.info, ep.allLabels, ep.namedPorts, profiles, ep.peer, classOf(part, ep.clsKey), ep.clsKey, ep.res, (KIND_RANK[ep.res.kind] ?? 3) * 2 ** 32 + seq, ep.indexed);
}

function makeEndpoint(res: EndpointResource, seq: number, ctx: LabelSources): EndpointRuntime {
  const { part } = ctx;
  const profileLabels = (names: readonly string[]): Labels[] => names.map((n) => part.userProfiles.get(n)?.labelsToApply ?? {});
  let info: EndpointInfo;
  let all: Record<string, string>;
  let indexed = true;
  if (res.kind === 'Pod') {
    const p = res;
    const profiles = [`kns.${p.namespace}`, `ksa.${p.namespace}.${p.serviceAccount}`];
    info = freeze({
      kind: 'Pod',
      type: 'wep',
      key: p.key,
      namespace: p.namespace,
      name: p.name,
      labels: p.labels,
      ips: p.ips,
      serviceAccount: p.serviceAccount,
      node: p.node,
      ports: p.ports,
      profiles,
      ownerReferences: p.ownerReferences,
    });
    all = nullProto(ctx.namespaceLabels(p.namespace), ctx.serviceAccountLabels(p.namespace, p.serviceAccount), p.labels, {
      [NAMESPACE_LABEL]: p.namespace,
      'projectcalico.org/orchestrator': 'k8s',
      'projectcalico.org/serviceaccount': p.serviceAccount,
    });
    // Host-networked pods share the node's IP and get no workload endpoint; finished pods' IPs may be reused.
    indexed = !p.hostNetwork && p.phase !== 'Succeeded' && p.phase !== 'Failed';
  } else if (res.kind === 'WorkloadEndpoint') {
    const w = res;
    const profiles = w.profiles.length
      ? w.profiles
      : [`kns.${w.namespace}`, ...(w.serviceAccount ? [`ksa.${w.namespace}.${w.serviceAccount}`] : [])];
    const inherited: Labels[] = profiles.map((n) => {
      if (n.startsWith('kns.')) return ctx.namespaceLabels(n.slice(4));
      const m = /^ksa\.([^.]+)\.(.+)$/.exec(n);
      return m ? ctx.serviceAccountLabels(m[1], m[2]) : {};
    });
    info = freeze({
      kind: 'WorkloadEndpoint',
      type: 'wep',
      key: w.key,
      namespace: w.namespace,
      name: w.name,
      labels: w.labels,
      ips: w.ips,
      serviceAccount: w.serviceAccount,
      node: w.node,
      ports: w.ports,
      profiles,
      ownerReferences: [],
    });
    all = nullProto(...inherited, ...profileLabels(profiles), w.labels, {
      [NAMESPACE_LABEL]: w.namespace,
      ...(w.serviceAccount ? { 'projectcalico.org/serviceaccount': w.serviceAccount } : {}),
    });
  } else {
    const h = res;
    info = freeze({
      kind: 'HostEndpoint',
      type: 'hep',
      key: h.key,
      namespace: '',
      name: h.name,
      labels: h.labels,
      ips: h.ips,
      node: h.node,
      ports: h.ports,
      profiles: h.profiles,
      ownerReferences: [],
    });
    all = nullProto(...profileLabels(h.profiles), h.labels);
  }
  const profiles = info.profiles.map(part.profile).filter((p): p is CompiledProfile => p !== null);
  const peer: ResolvedPeer = freeze({
    ip: info.ips[0] ?? null,
    family: (info.ips[0] ? (parseIp(info.ips[0])?.family ?? 0) : 0) as 0 | 4 | 6,
    type: info.type,
    namespace: info.namespace,
    name: info.name,
    labels: info.labels,
    serviceAccount: info.serviceAccount,
    node: info.node,
    endpoint: info,
    networkSets: [],
  });
  // Everything policy evaluation reads of an endpoint: its merged labels and its named ports.
  const clsKey = JSON.stringify([Object.keys(all).sort().map((k) => [k, all[k]]), info.ports.map((p) => [p.name, p.port, p.protocol]).sort()]);
  return new EndpointRuntime(info, freeze(all), portsByName(info.ports), profiles, peer, classOf(part, clsKey), clsKey, res, (KIND_RANK[res.kind] ?? 3) * 2 ** 32 + seq, indexed);
}

interface CompiledRules {
  readonly tierOrder: number | null;
  readonly rules: readonly [readonly RuleRuntime[], readonly RuleRuntime[]];
  readonly applies: LabelPredicate;
  readonly endOfTierDecision: Decision;
}

// Compiled rules of a policy resource, valid with the selector table they were interned in (parts
// share a table while network sets and profiles stay the same): a what-if with one policy changed
// recompiles that policy only.
const compiledRules = new WeakMap<SelectorTable, WeakMap<PolicyResource, CompiledRules>>();

function buildPolicyPart(resources: readonly Resource[], base?: PolicyPart): PolicyPart {
  const warnings: string[] = [];
  const of = <K extends Resource['kind']>(...kinds: K[]) => resources.filter((r) => (kinds as string[]).includes(r.kind)) as Extract<Resource, { kind: K }>[];
  // ---- tiers
  const tierRes = new Map<string, TierResource>(BUILTIN_TIERS.map((t) => [t.name, t]));
  for (const t of of('Tier')) tierRes.set(t.name, t);
  const policyRes = resources.filter(isPolicy);
  // A tier only referenced by policies sorts after every declared one (ordered or not): it has no
  // order of its own, and must not slip in between tiers the user did order.
  const undeclared = new Set<string>();
  for (const p of policyRes) {
    if (!tierRes.has(p.tier)) {
      warnings.push(undeclaredTierWarning(p.key, p.tier));
      undeclared.add(p.tier);
      tierRes.set(p.tier, { kind: 'Tier', key: `Tier//${p.tier}`, namespace: '', name: p.tier, order: null, defaultAction: 'Deny' });
    } else if (undeclared.has(p.tier)) {
      warnings.push(undeclaredTierWarning(p.key, p.tier));
    }
  }
  const tiers: CompiledTier[] = [...tierRes.values()]
    .sort((a, b) => Number(undeclared.has(a.name)) - Number(undeclared.has(b.name)) || cmpOrder(a.order, b.order) || cmpStr(a.name, b.name))
    .map((t) => ({
      info: freeze({ name: t.name, order: t.order, defaultAction: t.defaultAction }),
      name: t.name,
      order: t.order,
      denyAtEnd: t.defaultAction === 'Deny',
      policies: [],
      global: [],
      byNamespace: new Map(),
    }));
  const tierByName = new Map(tiers.map((t) => [t.name, t]));

  // ---- staged policies: which enforced ones they would replace or delete in the pending view.
  // A Set/Learn staged policy replaces its twin only in the directions its own types cover (in the
  // other direction the enforced policy still decides); Delete removes the twin altogether.
  const twinKey = (p: PolicyResource) => `${p.enforcedKind}/${p.namespace}/${p.name}`;
  const hiddenInPending = new Map<string, [boolean, boolean]>();
  for (const p of policyRes) {
    if (!p.staged || p.stagedAction === 'Ignore') continue;
    const h = hiddenInPending.get(twinKey(p)) ?? [false, false];
    const all = p.stagedAction === 'Delete';
    if (all || p.types.includes('ingress')) h[0] = true;
    if (all || p.types.includes('egress')) h[1] = true;
    hiddenInPending.set(twinKey(p), h);
  }

  // ---- policies
  const policies: CompiledPolicy[] = [];
  const netsetRes = (of('NetworkSet', 'GlobalNetworkSet') as NetworkSetResource[]).sort(
    // Global sets first, then by name: deterministic tie-break when several sets share a CIDR.
    (a, b) => cmpStr(a.kind, b.kind) || cmpStr(a.namespace, b.namespace) || cmpStr(a.name, b.name),
  );
  const profileRes = of('Profile');
  // Namespaced sets carry their namespace's labels: those namespaces count as part of the sets.
  const setNamespaces = [...new Set(netsetRes.map((s) => s.namespace).filter((ns) => ns !== ''))];
  const netsetNsRes = setNamespaces.map((ns) => resources.find((r) => r.kind === 'Namespace' && r.name === ns));
  const shared =
    base !== undefined && sameList(base.netsetRes, netsetRes) && sameList(base.netsetNsRes, netsetNsRes) && sameList(base.profileRes, profileRes);
  const selectors = shared ? base.selectors : new SelectorTable();
  let compiled = compiledRules.get(selectors);
  if (!compiled) compiledRules.set(selectors, (compiled = new WeakMap()));
  for (const p of policyRes) {
    const tier = tierByName.get(p.tier) as CompiledTier;
    let inPending: [boolean, boolean];
    if (p.staged) {
      const on = p.stagedAction === 'Set' || p.stagedAction === 'Learn';
      inPending = [on, on];
    } else {
      const h = hiddenInPending.get(twinKey(p));
      inPending = [!h?.[0], !h?.[1]];
    }
    const cp = compilePolicy(p, tier, selectors, !p.staged, inPending, compiled);
    tier.policies.push(cp);
    policies.push(cp);
  }
  for (const t of tiers) {
    t.policies.sort((a, b) => cmpOrder(a.order, b.order) || cmpStr(a.name, b.name) || cmpStr(a.namespace, b.namespace) || cmpStr(a.kind, b.kind));
    t.policies.forEach((p, i) => {
      p.pos = i;
      if (!p.namespace) t.global.push(p);
      else {
        const l = t.byNamespace.get(p.namespace);
        if (l) l.push(p);
        else t.byNamespace.set(p.namespace, [p]);
      }
    });
  }

  // ---- profiles (namespace labels only for namespaced network sets)
  const nsLabels = new Map<string, Labels>();
  for (const n of of('Namespace')) nsLabels.set(n.name, n.labels);
  const namespaceLabels = (ns: string): Labels => {
    const own = nsLabels.get(ns) ?? { 'kubernetes.io/metadata.name': ns };
    return prefixed(NAMESPACE_LABEL_PREFIX, nullProto(own, { 'projectcalico.org/name': ns }));
  };
  const userProfiles = new Map<string, ProfileResource>();
  for (const p of of('Profile')) userProfiles.set(p.name, p);
  const profileCache = shared ? base.profileCache : new Map<string, CompiledProfile | null>();
  const profile = (name: string): CompiledProfile | null => {
    let cp = profileCache.get(name);
    if (cp !== undefined) return cp;
    const user = userProfiles.get(name);
    if (user) cp = compileProfile(name, user.ingress, user.egress, selectors);
    // Every Kubernetes namespace gets an allow-all `kns.<ns>` profile; `ksa.*` ones only carry labels.
    else if (name.startsWith('kns.') || name === DEFAULT_ALLOW_PROFILE) cp = compileProfile(name, [ALLOW_ALL], [ALLOW_ALL], selectors);
    else cp = null;
    profileCache.set(name, cp);
    return cp;
  };
  // ---- network sets
  const netsets = new PrefixIndex<NetsetRuntime>();
  const netsetsByKey = new Map<string, NetsetRuntime>();
  const netsetList: NetsetRuntime[] = [];
  for (const s of netsetRes) {
    const info: NetworkSetInfo = freeze({ kind: s.kind, key: s.key, namespace: s.namespace, name: s.name, labels: s.labels, nets: s.nets });
    const all = s.namespace ? nullProto(namespaceLabels(s.namespace), s.labels, { [NAMESPACE_LABEL]: s.namespace }) : nullProto(s.labels);
    const rt = new NetsetRuntime(info, freeze(all));
    netsetsByKey.set(s.key, rt);
    netsetList.push(rt);
    for (const n of s.nets) netsets.add(n, rt);
  }

  const sourcePorts = (rules: readonly Rule[]) => rules.some((r) => r.source.ports.length > 0 || r.source.notPorts.length > 0);
  const usesSourcePorts =
    policyRes.some((p) => sourcePorts(p.ingress) || sourcePorts(p.egress)) ||
    [...userProfiles.values()].some((p) => sourcePorts(p.ingress) || sourcePorts(p.egress));


  return {
    tiers,
    selectors,
    netsetList,
    programs: new Map(),
    policies,
    netsetsByKey,
    netsets,
    tierWarnings: warnings,
    usesSourcePorts,
    userProfiles,
    profile,
    classes: new Map(),
    netsetNamespaces: new Set(setNamespaces),
    netsetRes,
    netsetNsRes,
    profileRes,
    profileCache,
  };
}

function ruleDecision(verdict: 'allow' | 'deny', kind: Decision['kind'], extra: Omit<Decision, 'verdict' | 'kind'>): Decision {
  return freeze({ verdict, kind, ...extra });
}

function compilePolicy(
  p: PolicyResource,
  tier: CompiledTier,
  selectors: SelectorTable,
  inEnforced: boolean,
  inPending: [boolean, boolean],
  cache: WeakMap<PolicyResource, CompiledRules>,
): CompiledPolicy {
  let c = cache.get(p);
  if (!c || c.tierOrder !== tier.order) {
    const ident = { tier: tier.name, tierOrder: tier.order, policyKind: p.kind, namespace: p.namespace, name: p.name, policyOrder: p.order };
    const compileList = (rules: readonly Rule[]): RuleRuntime[] =>
      rules.map((r, i) => {
        const decision =
          r.action === 'Allow' || r.action === 'Deny' ? ruleDecision(r.action === 'Allow' ? 'allow' : 'deny', 'rule', { ...ident, ruleIndex: i }) : null;
        return compileRule(r, i, p.namespace, selectors, decision);
      });
    c = {
      tierOrder: tier.order,
      rules: [compileList(p.ingress), compileList(p.egress)],
      applies: policyApplies(p),
      endOfTierDecision: ruleDecision('deny', 'end-of-tier', { ...ident, ruleIndex: -1 }),
    };
    cache.set(p, c);
  }
  return {
    res: p,
    tier,
    pos: -1,
    kind: p.kind,
    namespace: p.namespace,
    name: p.name,
    order: p.order,
    applies: c.applies,
    hasDir: [p.types.includes('ingress'), p.types.includes('egress')],
    rules: c.rules,
    inEnforced,
    inPending,
    endOfTierDecision: c.endOfTierDecision,
  };
}

/**
 * Which endpoints a policy selects, over merged endpoint labels: namespaced policies only in their
 * namespace; global ones narrowed by namespaceSelector (pcns. labels) and serviceAccountSelector
 * (pcsa. labels), as Calico's policy update processor combines them.
 */
function policyApplies(p: PolicyResource): LabelPredicate {
  const parts: LabelPredicate[] = [];
  if (p.namespace) {
    const ns = p.namespace;
    parts.push((l) => l[NAMESPACE_LABEL] === ns);
  }
  if (p.namespaceSelector) parts.push(p.namespaceSelector.compiled('namespace'));
  if (p.serviceAccountSelector) parts.push(p.serviceAccountSelector.compiled('serviceAccount'));
  if (!p.selector.isAll) parts.push(p.selector.compiled('plain'));
  if (parts.length === 0) return () => true;
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) {
    const [a, b] = parts;
    return (l, g) => a(l, g) && b(l, g);
  }
  return (l, g) => parts.every((f) => f(l, g));
}

function compileProfile(name: string, ingress: readonly Rule[], egress: readonly Rule[], selectors: SelectorTable): CompiledProfile {
  const ident = { tier: PROFILE_TIER, tierOrder: null, policyKind: 'Profile' as const, namespace: '', name, policyOrder: null };
  const compileList = (rules: readonly Rule[]): RuleRuntime[] =>
    rules.map((r, i) => {
      const decision =
        r.action === 'Allow' || r.action === 'Deny' ? ruleDecision(r.action === 'Allow' ? 'allow' : 'deny', 'profile', { ...ident, ruleIndex: i }) : null;
      // Profiles see every namespace, like global policies.
      return compileRule(r, i, '', selectors, decision);
    });
  return {
    name,
    ident: freeze({ kind: 'Profile' as const, namespace: '' as const, name, order: null }),
    rules: [compileList(ingress), compileList(egress)],
    endDecision: ruleDecision('deny', 'profile', { ...ident, ruleIndex: -1 }),
  };
}
