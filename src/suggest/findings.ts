import { Direction, PodResource, PolicyResource, Rule } from '../policy';
import type { RuleUse, TrafficEdge } from '../storage/suggest.repository';
import { contentId } from './content-id';
import { Finding, OverBroadDetails, RuleRef, TrafficSummary } from './finding.types';
import { mergePorts, numericPorts, portCount, portTexts } from './port-set';

/** A policy in force at the end of the window, with the instant its current version took effect. */
export interface PolicyVersion {
  resource: PolicyResource;
  since: number;
  /** The manifest as applied (for rewriting it into suggestions). */
  manifest: unknown;
}

export interface Window {
  from: number;
  to: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const windowOf = (w: Window) => ({ from: iso(w.from), to: iso(w.to) });
const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

function ref(p: PolicyResource, direction: Direction | null, ruleIndex: number | null): RuleRef {
  return { policy: p.key, tier: p.tier, direction, ruleIndex };
}

/**
 * Policies and rules nothing used in the window. Use is any trace hit (Pass and end of tier
 * included: the end of tier counts for the policy it is attributed to), a Log rule's hit, or a staged
 * policy's pending decision. A policy whose current version took effect inside the window has not
 * had the whole window to be used: its idle rules are `changed-recently`, not unused. Staged
 * policies are under review and never reported.
 */
export function unusedFindings(policies: readonly PolicyVersion[], use: readonly RuleUse[], w: Window): Finding[] {
  const byPolicy = new Map<string, RuleUse[]>();
  for (const u of use) {
    let list = byPolicy.get(u.policy);
    if (!list) byPolicy.set(u.policy, (list = []));
    list.push(u);
  }
  const out: Finding[] = [];
  for (const { resource: p, since } of policies) {
    if (p.staged) continue;
    const uses = byPolicy.get(p.key) ?? [];
    const recent = since > w.from;
    const kind = recent ? ('changed-recently' as const) : ('unused' as const);
    const lastBefore = (pred: (u: RuleUse) => boolean) => {
      const times = uses.filter(pred).map((u) => u.lastHitBefore ?? 0);
      const t = Math.max(0, ...times);
      return t > 0 ? iso(t) : null;
    };
    const details = (pred: (u: RuleUse) => boolean) => ({ lastHitBefore: lastBefore(pred), versionSince: iso(since) });
    if (!uses.some((u) => u.hits > 0)) {
      out.push({
        id: contentId(kind, p.key, null, null, w),
        kind,
        subject: ref(p, null, null),
        namespace: p.namespace,
        summary: recent ? `${p.key} has no hits since its current version took effect (${iso(since)})` : `${p.key} has no hits in the window`,
        window: windowOf(w),
        unused: details(() => true),
      });
      continue;
    }
    for (const direction of DIRECTIONS) {
      if (!p.types.includes(direction)) continue;
      p[direction].forEach((_rule, i) => {
        const mine = (u: RuleUse) => u.direction === direction && u.ruleIndex === i;
        if (uses.some((u) => mine(u) && u.hits > 0)) return;
        out.push({
          id: contentId(kind, p.key, direction, i, w),
          kind,
          subject: ref(p, direction, i),
          namespace: p.namespace,
          summary: `${direction} rule ${i} of ${p.key} ${recent ? `has no hits since its policy changed (${iso(since)})` : 'has no hits in the window'}`,
          window: windowOf(w),
          unused: details(mine),
        });
      });
    }
  }
  return out;
}

export function summarize(edges: readonly TrafficEdge[]): TrafficSummary {
  const peers = new Set(edges.map((e) => `${e.peerType}/${e.peerNamespace}/${e.peerWorkload}/${e.peerIp}`));
  const ports = mergePorts(new Set(edges.map((e) => e.port)));
  return {
    records: edges.reduce((n, e) => n + e.records, 0),
    flows: edges.reduce((n, e) => n + e.flows, 0),
    bytes: edges.reduce((n, e) => n + e.bytes, 0),
    peers: peers.size,
    ports: portTexts(ports),
    firstSeen: iso(Math.min(...edges.map((e) => e.firstSeen))),
    lastSeen: iso(Math.max(...edges.map((e) => e.lastSeen))),
  };
}

/** Groups items by a string key, keys sorted. */
export function groupBy<T>(items: readonly T[], key: (t: T) => string): Array<[string, T[]]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    let list = m.get(k);
    if (!list) m.set(k, (list = []));
    list.push(it);
  }
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Workloads whose traffic a profile decided: no policy took a decision for them. */
export function unprotectedFindings(edges: readonly TrafficEdge[], w: Window): Finding[] {
  return groupBy(edges, (e) => `${e.localNamespace}\u0000${e.localWorkload}`).map(([, list]) => {
    const { localNamespace: namespace, localWorkload: workload } = list[0];
    const ingress = list.filter((e) => e.direction === 'ingress');
    const egress = list.filter((e) => e.direction === 'egress');
    return {
      id: contentId('unprotected', namespace, workload, w),
      kind: 'unprotected' as const,
      subject: null,
      namespace,
      summary: `${namespace}/${workload}: ${list.reduce((n, e) => n + e.records, 0)} flow records decided by a profile, no policy`,
      window: windowOf(w),
      unprotected: {
        namespace,
        workload,
        decidedBy: [...new Set(list.map((e) => e.policy))].sort(),
        ingress: ingress.length ? summarize(ingress) : null,
        egress: egress.length ? summarize(egress) : null,
      },
    };
  });
}

/** The inventory's workloads at the end of the window, for counting what a peer selector permits. */
export interface WorkloadInventory {
  pods: readonly PodResource[];
  namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

export function podWorkload(p: PodResource): string {
  const o = p.ownerReferences.find((r) => r.controller) ?? p.ownerReferences[0];
  return o ? `${o.kind}/${o.name}` : p.name;
}

/** Workloads (namespace/owner) whose pods the rule's peer side can match; null when not countable. */
export function permittedWorkloads(p: PolicyResource, rule: Rule, direction: Direction, inv: WorkloadInventory): Set<string> | null {
  const peer = direction === 'ingress' ? rule.source : rule.destination;
  if (peer.serviceAccounts || peer.services || (peer.nets.length > 0 && !peer.selector && !peer.namespaceSelector)) return null;
  const out = new Set<string>();
  for (const pod of inv.pods) {
    const inNamespace = peer.namespaceSelector
      ? peer.namespaceSelector.matchesNamespace({ ...(inv.namespaceLabels.get(pod.namespace) ?? {}), 'projectcalico.org/name': pod.namespace })
      : p.namespace === '' || pod.namespace === p.namespace;
    if (!inNamespace) continue;
    // Pods carry the orchestrator label Calico gives them (Kubernetes policies' selectors require it).
    const labels = { ...pod.labels, 'projectcalico.org/orchestrator': 'k8s' };
    if (peer.selector && !peer.selector.matches(labels, true)) continue;
    if (peer.notSelector && peer.notSelector.matches(labels, true)) continue;
    out.add(`${pod.namespace}/${podWorkload(pod)}`);
  }
  return out;
}

function ipv4Size(cidr: string): number | null {
  const m = /^\d+\.\d+\.\d+\.\d+\/(\d+)$/.exec(cidr);
  return m ? 2 ** (32 - Number(m[1])) : null;
}

const share = (used: number, permitted: number | null) => (permitted && permitted > 0 ? Math.max(0, 1 - used / permitted) : null);
const round = (x: number) => Math.round(x * 10_000) / 10_000;

/** What one Allow rule was used for, against what it permits. */
export function overBroadDetails(p: PolicyResource, direction: Direction, ruleIndex: number, edges: readonly TrafficEdge[], inv: WorkloadInventory): OverBroadDetails {
  const rule = p[direction][ruleIndex];
  const peer = direction === 'ingress' ? rule.source : rule.destination;
  const ports = numericPorts(rule.destination.ports);
  const permittedPorts = ports === null ? null : ports.length ? portCount(ports) : 65_535;
  const usedPorts = mergePorts(new Set(edges.map((e) => e.port)));
  const permittedPeers = permittedWorkloads(p, rule, direction, inv);
  const seenPeers = new Set(edges.filter((e) => e.peerType === 'wep' || e.peerType === 'hep').map((e) => `${e.peerNamespace}/${e.peerWorkload}`));
  const netSizes = peer.nets.map(ipv4Size);
  const netAddresses = peer.nets.length && netSizes.every((s) => s !== null) ? netSizes.reduce((a: number, b) => a + (b as number), 0) : null;
  const seenAddresses = new Set(edges.filter((e) => e.peerIp !== '').map((e) => e.peerIp)).size;
  const portShare = share(portCount(usedPorts), permittedPorts);
  const peerShare = permittedPeers ? share(seenPeers.size, permittedPeers.size) : null;
  const netShare = share(seenAddresses, netAddresses);
  const used = (1 - (portShare ?? 0)) * (1 - (peerShare ?? 0)) * (1 - (netShare ?? 0));
  return {
    unusedShare: round(1 - used),
    ports: { permitted: permittedPorts, used: portTexts(usedPorts), unusedShare: portShare === null ? null : round(portShare) },
    peers: { permitted: permittedPeers ? permittedPeers.size : null, seen: seenPeers.size, unusedShare: peerShare === null ? null : round(peerShare), wide: !peer.selector || peer.selector.isAll || !!peer.namespaceSelector?.isAll },
    nets: { addresses: netAddresses, seen: seenAddresses, unusedShare: netShare === null ? null : round(netShare) },
    traffic: summarize(edges),
  };
}

/**
 * Allow rules whose traffic used a strict part of what they permit: ports never used, peer workloads
 * never seen, addresses of wide nets never seen. Only enforced policies' rules that decided
 * traffic in the window are judged (an idle rule is an `unused` finding instead).
 */
export function overBroadFindings(policies: readonly PolicyVersion[], allowEdges: readonly TrafficEdge[], inv: WorkloadInventory, w: Window): Finding[] {
  const byKey = new Map(policies.map((p) => [p.resource.key, p.resource]));
  const out: Finding[] = [];
  for (const [, edges] of groupBy(allowEdges, (e) => `${e.policy}\u0000${e.direction}\u0000${String(e.ruleIndex).padStart(6, '0')}`)) {
    const { policy, direction, ruleIndex } = edges[0];
    const p = byKey.get(policy);
    const rule = p?.[direction][ruleIndex];
    if (!p || !rule || rule.action !== 'Allow' || p.staged) continue;
    const d = overBroadDetails(p, direction, ruleIndex, edges, inv);
    if (d.unusedShare <= 0) continue;
    out.push({
      id: contentId('over-broad', p.key, direction, ruleIndex, w),
      kind: 'over-broad',
      subject: ref(p, direction, ruleIndex),
      namespace: p.namespace,
      summary: `${direction} rule ${ruleIndex} of ${p.key} allows more than its traffic uses: ${Math.round(d.unusedShare * 1000) / 10}% of what it permits was never used`,
      window: windowOf(w),
      overBroad: d,
    });
  }
  return out;
}
