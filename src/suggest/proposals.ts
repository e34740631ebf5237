import { Direction, NetworkSetResource, PolicyResource, TierInfo } from '../policy';
import type { TrafficEdge } from '../storage/suggest.repository';
import { cidrsWithin } from './cidr-cover';
import { contentId } from './content-id';
import { Finding } from './finding.types';
import { PolicyVersion } from './findings';
import { PeerRule, peerRules } from './peer-rules';
import { mergePorts, PortInterval, portsWithin } from './port-set';
import { checkK8sContainment, k8sRulePart, narrowK8sRule, replaceK8sRule } from './k8s-tighten';
import { Containment, Placement, SuggestionHead } from './suggestion.types';
import { selectorFor, workloadName } from './workload';

type Obj = Record<string, unknown>;

/** A proposed resource before it is proven: both forms, and the traffic it stands for. */
export interface Proposal extends SuggestionHead {
  enforced: Obj;
  staged: Obj;
  edges: TrafficEdge[];
  containment: Containment;
}

export interface ProposalContext {
  stableLabels: (namespace: string, workload: string) => ReadonlyArray<[string, string]>;
  networkSets: readonly NetworkSetResource[];
  cidrBudget: number;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const PEER_SIDE = { ingress: 'source', egress: 'destination' } as const;

function metadataOf(manifest: Obj): Obj {
  const m = isObj(manifest.metadata) ? manifest.metadata : {};
  return { name: m.name, ...(m.namespace ? { namespace: m.namespace } : {}), ...(isObj(m.labels) && Object.keys(m.labels).length ? { labels: m.labels } : {}) };
}

/** The staged twin: reviewed in flowscope (pending verdicts) before the enforced form is applied. */
function stagedForm(enforced: Obj): Obj {
  return { apiVersion: enforced.apiVersion, kind: `Staged${String(enforced.kind)}`, metadata: enforced.metadata, spec: { stagedAction: 'Set', ...(enforced.spec as Obj) } };
}

const narrowed = (orig: unknown, extra: string) => (typeof orig === 'string' && orig.trim() !== '' && orig.trim() !== 'all()' ? `(${orig}) && (${extra})` : extra);

/** One original rule narrowed to one peer group: the original's fields stay, the match only shrinks. */
function narrowRule(raw: Obj, direction: Direction, pr: PeerRule, namedPorts: boolean): Obj {
  const rule = clone(raw);
  if (rule.protocol === undefined) rule.protocol = pr.protocol;
  const side = PEER_SIDE[direction];
  const peer: Obj = isObj(rule[side]) ? (rule[side] as Obj) : {};
  if (pr.peer.selector !== undefined) peer.selector = narrowed(peer.selector, pr.peer.selector);
  if (pr.peer.namespaceSelector !== undefined) peer.namespaceSelector = narrowed(peer.namespaceSelector, pr.peer.namespaceSelector);
  else if (typeof peer.namespaceSelector === 'string' && peer.namespaceSelector.trim() === 'all()') delete peer.namespaceSelector; // own namespace only
  if (pr.peer.nets) peer.nets = pr.peer.nets;
  rule[side] = peer;
  if (pr.ports && !namedPorts) {
    const dst: Obj = isObj(rule.destination) ? (rule.destination as Obj) : {};
    dst.ports = pr.ports;
    rule.destination = dst;
  }
  return orderRule(rule);
}

/** Keys in the order people write them. */
function orderRule(rule: Obj): Obj {
  const out: Obj = {};
  for (const k of ['action', 'protocol', 'notProtocol', 'ipVersion', 'icmp', 'notICMP', 'source', 'destination']) if (rule[k] !== undefined) out[k] = rule[k];
  for (const k of Object.keys(rule)) if (!(k in out)) out[k] = rule[k];
  for (const side of ['source', 'destination']) {
    const s = out[side];
    if (isObj(s)) {
      const o: Obj = {};
      for (const k of ['selector', 'namespaceSelector', 'nets', 'notNets', 'notSelector', 'ports', 'notPorts', 'serviceAccounts', 'services']) if (s[k] !== undefined) o[k] = s[k];
      for (const k of Object.keys(s)) if (!(k in o)) o[k] = s[k];
      out[side] = o;
    }
  }
  return out;
}

function rawPorts(v: unknown): PortInterval[] | null {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return null;
  const out: PortInterval[] = [];
  for (const p of v) {
    if (typeof p === 'number') out.push({ min: p, max: p });
    else if (typeof p === 'string' && /^\d+(:\d+)?$/.test(p)) {
      const [a, b] = p.split(':').map(Number);
      out.push({ min: a, max: b ?? a });
    } else return null;
  }
  return mergePorts(out);
}

/**
 * Checks that each proposed rule matches a subset of what the original matched: same action and
 * every other field unchanged, except a protocol where there was none, destination ports inside
 * the original's, peer nets inside the original's, and peer selectors that AND the original's.
 */
export function checkContainment(original: Obj, proposed: readonly Obj[], direction: Direction): Containment {
  const problems: string[] = [];
  const side = PEER_SIDE[direction];
  proposed.forEach((p, i) => {
    const where = `rule ${i}`;
    for (const k of new Set([...Object.keys(original), ...Object.keys(p)])) {
      if (k === 'source' || k === 'destination') continue;
      if (k === 'protocol' && original.protocol === undefined) continue;
      if (JSON.stringify(original[k]) !== JSON.stringify(p[k])) problems.push(`${where}: ${k} differs from the original`);
    }
    for (const s of ['source', 'destination'] as const) {
      const o: Obj = isObj(original[s]) ? (original[s] as Obj) : {};
      const n: Obj = isObj(p[s]) ? (p[s] as Obj) : {};
      for (const k of new Set([...Object.keys(o), ...Object.keys(n)])) {
        const ov = o[k];
        const nv = n[k];
        if (JSON.stringify(ov) === JSON.stringify(nv)) continue;
        if (k === 'ports' && s === 'destination') {
          const op = rawPorts(ov);
          const np = rawPorts(nv);
          const all = [{ min: 0, max: 65535 }];
          if (!op || !np || np.length === 0 || !portsWithin(np, op.length ? op : all)) problems.push(`${where}: destination ports are not inside the original's`);
        } else if (k === 'nets' && s === side) {
          if (!Array.isArray(nv) || nv.length === 0 || (Array.isArray(ov) && ov.length > 0 && !cidrsWithin(nv as string[], ov as string[]))) problems.push(`${where}: ${s} nets are not inside the original's`);
        } else if ((k === 'selector' || k === 'namespaceSelector') && s === side) {
          const wide = ov === undefined || (typeof ov === 'string' && (ov.trim() === '' || ov.trim() === 'all()'));
          const ok = typeof nv === 'string' ? wide || nv.startsWith(`(${String(ov)}) && (`) : k === 'namespaceSelector' && typeof ov === 'string' && ov.trim() === 'all()';
          if (!ok) problems.push(`${where}: ${s} ${k} does not narrow the original's`);
        } else problems.push(`${where}: ${s}.${k} differs from the original`);
      }
    }
  });
  return { contained: problems.length === 0, problems };
}

/** Replaces an over-broad Allow rule by rules for exactly the peers and ports its traffic used. */
export function tightenRule(finding: Finding, version: PolicyVersion, edges: readonly TrafficEdge[], ctx: ProposalContext): Proposal | null {
  const subject = finding.subject;
  const manifest = version.manifest;
  if (!subject || subject.direction === null || subject.ruleIndex === null || !isObj(manifest)) return null;
  if (manifest.apiVersion === 'networking.k8s.io/v1' && manifest.kind === 'NetworkPolicy') return tightenK8sRule(finding, version, edges, ctx);
  if (typeof manifest.apiVersion !== 'string' || !manifest.apiVersion.startsWith('projectcalico.org/')) return null;
  const spec = manifest.spec;
  const direction = subject.direction;
  const rules = isObj(spec) ? spec[direction] : undefined;
  const raw = Array.isArray(rules) ? rules[subject.ruleIndex] : undefined;
  if (!isObj(raw) || edges.length === 0) return null;
  const p: PolicyResource = version.resource;
  const modelRule = p[direction][subject.ruleIndex];
  const namedPorts = modelRule.destination.ports.some((s) => s.kind === 'named');
  const peerSide = direction === 'ingress' ? modelRule.source : modelRule.destination;
  const groups = peerRules(edges, { policyNamespace: p.namespace, stableLabels: ctx.stableLabels, networkSets: ctx.networkSets, cidrBudget: ctx.cidrBudget, withinNets: peerSide.nets });
  const narrowedRules = groups.map((g) => narrowRule(raw, direction, g, namedPorts));
  const enforcedSpec = clone(spec as Obj);
  (enforcedSpec[direction] as unknown[]).splice(subject.ruleIndex, 1, ...narrowedRules);
  const enforced: Obj = { apiVersion: manifest.apiVersion, kind: manifest.kind, metadata: metadataOf(manifest), spec: enforcedSpec };
  const name = String((enforced.metadata as Obj).name);
  return {
    id: contentId('tighten-rule', p.key, direction, subject.ruleIndex, enforced),
    kind: 'tighten-rule',
    name,
    findingId: finding.id,
    policy: p.key,
    namespace: p.namespace,
    summary: `replace ${direction} rule ${subject.ruleIndex} of ${p.key} by ${narrowedRules.length} rule(s) for the peers and ports its traffic used`,
    placement: null,
    enforced,
    staged: stagedForm(enforced),
    edges: [...edges],
    containment: checkContainment(raw, narrowedRules, direction),
  };
}

/**
 * The Kubernetes form of `tightenRule`: the policy stays a Kubernetes NetworkPolicy (its staged form
 * a StagedKubernetesNetworkPolicy), the written rule behind the over-broad model rule split so that
 * only the part that was over-broad shrinks.
 */
function tightenK8sRule(finding: Finding, version: PolicyVersion, edges: readonly TrafficEdge[], ctx: ProposalContext): Proposal | null {
  const subject = finding.subject!;
  const direction = subject.direction!;
  const manifest = version.manifest as Obj;
  const spec = isObj(manifest.spec) ? manifest.spec : {};
  const written = Array.isArray(spec[direction]) ? (spec[direction] as Obj[]) : [];
  const part = k8sRulePart(written, direction, subject.ruleIndex!);
  if (!part || edges.length === 0) return null;
  const p: PolicyResource = version.resource;
  const original = written[part.rule];
  const rules = narrowK8sRule(original, direction, part, edges, { namespace: p.namespace, stableLabels: ctx.stableLabels, cidrBudget: ctx.cidrBudget });
  if (!rules) return null;
  const enforced = replaceK8sRule(manifest, direction, part.rule, rules);
  const metadata = enforced.metadata as Obj;
  const staged: Obj = { apiVersion: 'projectcalico.org/v3', kind: 'StagedKubernetesNetworkPolicy', metadata, spec: { stagedAction: 'Set', ...(enforced.spec as Obj) } };
  return {
    id: contentId('tighten-rule', p.key, direction, subject.ruleIndex, enforced),
    kind: 'tighten-rule',
    name: String(metadata.name),
    findingId: finding.id,
    policy: p.key,
    namespace: p.namespace,
    summary: `replace ${direction} rule ${part.rule} of Kubernetes NetworkPolicy ${p.namespace}/${String(metadata.name)} by ${rules.length} rule(s): the part behind model rule ${subject.ruleIndex} only for the peers and ports its traffic used`,
    placement: null,
    enforced,
    staged,
    edges: [...edges],
    containment: checkK8sContainment(original, rules, direction),
  };
}

const dnsLabel = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'workload';

/**
 * Where a new policy for an unprotected workload goes: the last tier that ends in Deny, after every
 * policy already in it. Flows reach that tier only when no earlier tier decided them, and no
 * earlier policy of the tier is displaced, so no flow a higher tier decides changes.
 */
export function placementFor(tiers: readonly TierInfo[], policies: readonly PolicyResource[]): Placement {
  const tier = [...tiers].reverse().find((t) => t.defaultAction === 'Deny') ?? { name: 'default', order: null, defaultAction: 'Deny' as const };
  const orders = policies.filter((p) => p.tier === tier.name).map((p) => p.order ?? 0);
  const order = (Math.floor(Math.max(0, ...orders) / 100) + 1) * 100;
  return {
    tier: tier.name,
    order,
    reason: `tier ${tier.name} is the last tier that ends in Deny, so only flows no earlier tier decided reach it; order ${order} places it after every policy already in the tier`,
  };
}

/** A policy for one unprotected workload allowing exactly its observed peers and ports, per direction seen. */
export function protectWorkload(finding: Finding, edges: readonly TrafficEdge[], placement: Placement, ctx: ProposalContext): Proposal | null {
  const u = finding.unprotected;
  if (!u || edges.length === 0) return null;
  const labels = ctx.stableLabels(u.namespace, u.workload);
  if (labels.length === 0) return null; // nothing selects the workload and only it
  const types: Direction[] = (['ingress', 'egress'] as const).filter((d) => edges.some((e) => e.direction === d));
  const spec: Obj = { tier: placement.tier, order: placement.order, selector: selectorFor(labels), types: types.map((d) => (d === 'ingress' ? 'Ingress' : 'Egress')) };
  for (const d of types) {
    const groups = peerRules(edges.filter((e) => e.direction === d), { policyNamespace: u.namespace, stableLabels: ctx.stableLabels, networkSets: ctx.networkSets, cidrBudget: ctx.cidrBudget });
    spec[d] = groups.map((g) => {
      const peer: Obj = { ...g.peer };
      const rule: Obj = { action: 'Allow', protocol: g.protocol };
      if (d === 'ingress') {
        rule.source = peer;
        if (g.ports) rule.destination = { ports: g.ports };
      } else {
        rule.destination = g.ports ? { ...peer, ports: g.ports } : peer;
      }
      return orderRule(rule);
    });
  }
  const name = `${placement.tier}.observed-${dnsLabel(workloadName(u.workload))}`;
  const enforced: Obj = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace: u.namespace }, spec };
  return {
    id: contentId('protect-workload', u.namespace, u.workload, enforced),
    kind: 'protect-workload',
    name,
    findingId: finding.id,
    policy: null,
    namespace: u.namespace,
    summary: `protect ${u.namespace}/${u.workload} with a policy allowing exactly its observed ${types.join(' and ')} traffic`,
    placement,
    enforced,
    staged: stagedForm(enforced),
    edges: [...edges],
    // Nothing is replaced: the proposal only adds Allow rules where a profile decided; the replay proves it.
    containment: { contained: true, problems: [] },
  };
}
