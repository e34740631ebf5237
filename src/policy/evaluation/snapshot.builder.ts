import { PROFILE_TIER } from '../hits/hit.types';
import {
  BUILTIN_TIERS,
  HostEndpointResource,
  isPolicy,
  NamedPortDecl,
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
import { CompiledPolicy, CompiledProfile, CompiledTier, EndpointClass, EndpointRuntime, EvalEnv, NetsetRuntime, RuleRuntime } from './runtime.types';

export interface SnapshotData extends EvalEnv {
  readonly tiers: readonly CompiledTier[];
  readonly policies: readonly CompiledPolicy[];
  readonly endpointsByIp: ReadonlyMap<string, EndpointRuntime>;
  readonly endpointsByKey: ReadonlyMap<string, EndpointRuntime>;
  readonly netsetsByKey: ReadonlyMap<string, NetsetRuntime>;
  readonly netsets: PrefixIndex<NetsetRuntime>;
  readonly resources: readonly Resource[];
  readonly warnings: readonly string[];
  /** Some policy (enforced or staged) or profile rule has source ports/notPorts. */
  readonly usesSourcePorts: boolean;
}

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

export function buildSnapshotData(input: readonly Resource[]): SnapshotData {
  const warnings: string[] = [];
  // Later duplicates win, like `kubectl apply` of a concatenated manifest.
  const byKey = new Map<string, Resource>();
  for (const r of input) {
    if (byKey.has(r.key)) warnings.push(`duplicate resource ${r.key}: the later definition wins`);
    byKey.set(r.key, r);
  }
  const resources = [...byKey.values()];
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
  const selectors = new SelectorTable();
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
    const cp = compilePolicy(p, tier, selectors, !p.staged, inPending);
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

  // ---- namespaces, service accounts, profiles
  const nsLabels = new Map<string, Labels>();
  for (const n of of('Namespace')) nsLabels.set(n.name, n.labels);
  const namespaceLabels = (ns: string): Labels => {
    const own = nsLabels.get(ns) ?? { 'kubernetes.io/metadata.name': ns };
    return prefixed(NAMESPACE_LABEL_PREFIX, nullProto(own, { 'projectcalico.org/name': ns }));
  };
  const saLabels = new Map<string, Labels>();
  for (const s of of('ServiceAccount') as ServiceAccountResource[]) saLabels.set(`${s.namespace}/${s.name}`, s.labels);
  const serviceAccountLabels = (ns: string, sa: string): Labels =>
    prefixed(SERVICE_ACCOUNT_LABEL_PREFIX, nullProto(saLabels.get(`${ns}/${sa}`) ?? {}, { 'projectcalico.org/name': sa }));

  const userProfiles = new Map<string, ProfileResource>();
  for (const p of of('Profile')) userProfiles.set(p.name, p);
  const profileCache = new Map<string, CompiledProfile | null>();
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
  const profileLabels = (names: readonly string[]): Labels[] => names.map((n) => userProfiles.get(n)?.labelsToApply ?? {});

  // ---- endpoints
  const endpointsByKey = new Map<string, EndpointRuntime>();
  const endpointsByIp = new Map<string, EndpointRuntime>();
  const addEndpoint = (ep: EndpointRuntime, indexIps: boolean) => {
    endpointsByKey.set(ep.info.key, ep);
    if (!indexIps) return;
    for (const ip of ep.info.ips) {
      const owner = endpointsByIp.get(ip);
      if (owner) warnings.push(`IP ${ip} is claimed by ${owner.info.key} and ${ep.info.key}: keeping ${owner.info.key}`);
      else endpointsByIp.set(ip, ep);
    }
  };
  const classes = new Map<string, EndpointClass>();
  const mkEndpoint = (
    info: EndpointInfo,
    allLabels: Labels,
    profileNames: readonly string[],
  ): EndpointRuntime => {
    const profiles = profileNames.map(profile).filter((p): p is CompiledProfile => p !== null);
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
    const clsKey = JSON.stringify([Object.keys(allLabels).sort().map((k) => [k, allLabels[k]]), info.ports.map((p) => [p.name, p.port, p.protocol]).sort()]);
    let cls = classes.get(clsKey);
    if (!cls) {
      cls = new EndpointClass();
      classes.set(clsKey, cls);
    }
    return new EndpointRuntime(info, freeze(allLabels), portsByName(info.ports), profiles, peer, cls);
  };

  for (const p of of('Pod') as PodResource[]) {
    const profiles = [`kns.${p.namespace}`, `ksa.${p.namespace}.${p.serviceAccount}`];
    const info: EndpointInfo = freeze({
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
    const all = nullProto(namespaceLabels(p.namespace), serviceAccountLabels(p.namespace, p.serviceAccount), p.labels, {
      [NAMESPACE_LABEL]: p.namespace,
      'projectcalico.org/orchestrator': 'k8s',
      'projectcalico.org/serviceaccount': p.serviceAccount,
    });
    // Host-networked pods share the node's IP and get no workload endpoint; finished pods' IPs may be reused.
    const live = !p.hostNetwork && p.phase !== 'Succeeded' && p.phase !== 'Failed';
    addEndpoint(mkEndpoint(info, all, profiles), live);
  }
  for (const w of of('WorkloadEndpoint') as WorkloadEndpointResource[]) {
    const profiles = w.profiles.length
      ? w.profiles
      : [`kns.${w.namespace}`, ...(w.serviceAccount ? [`ksa.${w.namespace}.${w.serviceAccount}`] : [])];
    const inherited: Labels[] = profiles.map((n) => {
      if (n.startsWith('kns.')) return namespaceLabels(n.slice(4));
      const m = /^ksa\.([^.]+)\.(.+)$/.exec(n);
      return m ? serviceAccountLabels(m[1], m[2]) : {};
    });
    const info: EndpointInfo = freeze({
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
    const all = nullProto(...inherited, ...profileLabels(profiles), w.labels, {
      [NAMESPACE_LABEL]: w.namespace,
      ...(w.serviceAccount ? { 'projectcalico.org/serviceaccount': w.serviceAccount } : {}),
    });
    addEndpoint(mkEndpoint(info, all, profiles), true);
  }
  for (const h of of('HostEndpoint') as HostEndpointResource[]) {
    const info: EndpointInfo = freeze({
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
    addEndpoint(mkEndpoint(info, nullProto(...profileLabels(h.profiles), h.labels), h.profiles), true);
  }

  // ---- network sets
  const netsets = new PrefixIndex<NetsetRuntime>();
  const netsetsByKey = new Map<string, NetsetRuntime>();
  const netsetList: NetsetRuntime[] = [];
  const sets = (of('NetworkSet', 'GlobalNetworkSet') as NetworkSetResource[]).sort(
    // Global sets first, then by name: deterministic tie-break when several sets share a CIDR.
    (a, b) => cmpStr(a.kind, b.kind) || cmpStr(a.namespace, b.namespace) || cmpStr(a.name, b.name),
  );
  for (const s of sets) {
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

  return { tiers, selectors, netsetList, programs: new Map(), policies, endpointsByIp, endpointsByKey, netsetsByKey, netsets, resources, warnings, usesSourcePorts };
}

function ruleDecision(verdict: 'allow' | 'deny', kind: Decision['kind'], extra: Omit<Decision, 'verdict' | 'kind'>): Decision {
  return freeze({ verdict, kind, ...extra });
}

function compilePolicy(p: PolicyResource, tier: CompiledTier, selectors: SelectorTable, inEnforced: boolean, inPending: [boolean, boolean]): CompiledPolicy {
  const ident = { tier: tier.name, tierOrder: tier.order, policyKind: p.kind, namespace: p.namespace, name: p.name, policyOrder: p.order };
  const compileList = (rules: readonly Rule[]): RuleRuntime[] =>
    rules.map((r, i) => {
      const decision =
        r.action === 'Allow' || r.action === 'Deny' ? ruleDecision(r.action === 'Allow' ? 'allow' : 'deny', 'rule', { ...ident, ruleIndex: i }) : null;
      return compileRule(r, i, p.namespace, selectors, decision);
    });
  return {
    res: p,
    tier,
    pos: -1,
    kind: p.kind,
    namespace: p.namespace,
    name: p.name,
    order: p.order,
    applies: policyApplies(p),
    hasDir: [p.types.includes('ingress'), p.types.includes('egress')],
    rules: [compileList(p.ingress), compileList(p.egress)],
    inEnforced,
    inPending,
    endOfTierDecision: ruleDecision('deny', 'end-of-tier', { ...ident, ruleIndex: -1 }),
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
