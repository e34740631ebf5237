import { NetworkSetResource } from '../policy';
import type { TrafficEdge } from '../storage/suggest.repository';
import { cidrsWithin, coverAddresses } from './cidr-cover';
import { groupBy } from './findings';
import { mergePorts, portManifestValues } from './port-set';
import { selectorFor } from './workload';

/** One proposed rule's match, in manifest shape (before it is merged with an original rule). */
export interface PeerRule {
  protocol: string | number;
  /** Destination ports; absent for protocols without ports. */
  ports?: Array<number | string>;
  peer: { selector?: string; namespaceSelector?: string; nets?: string[] };
  /** The edges this rule stands for (evidence). */
  edges: TrafficEdge[];
}

export interface PeerRuleOptions {
  /** '' for cluster-scoped policies. */
  policyNamespace: string;
  /** Stable labels of a workload over the window; empty when none stayed the same. */
  stableLabels: (namespace: string, workload: string) => ReadonlyArray<[string, string]>;
  networkSets: readonly NetworkSetResource[];
  /** Most never-seen addresses the CIDRs of one rule may hold. */
  cidrBudget: number;
  /** When tightening: the original rule's nets, which proposed CIDRs must stay inside. */
  withinNets?: readonly string[];
}

const PORTED = new Set(['tcp', 'udp', 'sctp', 'udplite']);
const quote = (s: string) => `'${s.replace(/'/g, "\\'")}'`;

function protocolValue(p: string): string | number {
  return /^\d+$/.test(p) ? Number(p) : p.toUpperCase();
}

const isWorkload = (e: TrafficEdge) => e.peerType === 'wep' || e.peerType === 'hep';

/**
 * Rules that allow exactly the observed peers and ports, written for people: one rule per protocol
 * and port list; workloads as selectors over their stable labels (OR-ed within a namespace, a
 * namespaceSelector when they live elsewhere or span namespaces); addresses as a network set that
 * covers them, else the smallest CIDRs within the budget of never-seen addresses.
 */
export function peerRules(edges: readonly TrafficEdge[], opts: PeerRuleOptions): PeerRule[] {
  const out: PeerRule[] = [];
  for (const [protocol, byProto] of groupBy(edges, (e) => e.protocol)) {
    const ported = PORTED.has(protocol);
    // Each peer's port list, then peers grouped by identical lists.
    const peerKey = (e: TrafficEdge) => (isWorkload(e) ? `w\u0000${e.peerNamespace}\u0000${e.peerWorkload}` : `a\u0000${e.peerIp}`);
    const peers = groupBy(byProto, peerKey).map(([key, list]) => ({ key, list, ports: ported ? portManifestValues(mergePorts(new Set(list.map((e) => e.port)))) : [] }));
    for (const [, group] of groupBy(peers, (p) => JSON.stringify(p.ports))) {
      const ports = group[0].ports;
      const base = { protocol: protocolValue(protocol), ...(ported ? { ports } : {}) };
      const workloads = group.filter((p) => isWorkload(p.list[0]));
      const addresses = group.filter((p) => !isWorkload(p.list[0]));
      // Workloads: a selector per namespace, namespaces with the same selector in one rule.
      const byNamespace = groupBy(workloads, (p) => p.list[0].peerNamespace).map(([ns, list]) => {
        const selectors = [...new Set(list.map((p) => selectorFor(opts.stableLabels(ns, p.list[0].peerWorkload))))].sort();
        const selector = selectors.includes('all()') ? 'all()' : selectors.length === 1 ? selectors[0] : selectors.map((s) => `(${s})`).join(' || ');
        return { ns, selector, edges: list.flatMap((p) => p.list) };
      });
      for (const [selector, list] of groupBy(byNamespace, (n) => n.selector)) {
        const namespaces = list.map((n) => n.ns);
        const sameNamespace = opts.policyNamespace !== '' && namespaces.length === 1 && namespaces[0] === opts.policyNamespace;
        const peer: PeerRule['peer'] = {};
        if (selector !== 'all()' || sameNamespace) peer.selector = selector;
        if (!sameNamespace) {
          peer.namespaceSelector = namespaces.length === 1 ? `projectcalico.org/name == ${quote(namespaces[0])}` : `projectcalico.org/name in {${namespaces.map(quote).join(', ')}}`;
        }
        out.push({ ...base, peer, edges: list.flatMap((n) => n.edges) });
      }
      if (addresses.length) {
        const ips = addresses.map((p) => p.list[0].peerIp);
        const set = coveringSet(ips, opts);
        let nets = coverAddresses(ips, opts.cidrBudget);
        if (opts.withinNets?.length && !cidrsWithin(nets, opts.withinNets)) nets = coverAddresses(ips, 0);
        const peer: PeerRule['peer'] = set ? { selector: selectorFor(Object.entries(set.labels).sort(([a], [b]) => (a < b ? -1 : 1))) } : { nets };
        if (set && set.kind === 'GlobalNetworkSet' && opts.policyNamespace !== '') peer.namespaceSelector = 'global()';
        out.push({ ...base, peer, edges: addresses.flatMap((p) => p.list) });
      }
    }
  }
  return out;
}

/** A labelled network set holding every address (the one with the fewest addresses), if any. */
function coveringSet(ips: readonly string[], opts: PeerRuleOptions): NetworkSetResource | undefined {
  if (opts.withinNets?.length) return undefined; // the original rule names nets: stay in CIDR terms
  const candidates = opts.networkSets.filter(
    (s) => Object.keys(s.labels).length > 0 && (s.kind === 'GlobalNetworkSet' || s.namespace === opts.policyNamespace) && ips.every((ip) => cidrsWithin([`${ip}/${ip.includes(':') ? 128 : 32}`], s.nets)),
  );
  const size = (s: NetworkSetResource) => s.nets.reduce((n, c) => n + 2 ** ((c.includes(':') ? 128 : 32) - Number(c.split('/')[1] ?? 32)), 0);
  return candidates.sort((a, b) => size(a) - size(b) || (a.key < b.key ? -1 : 1))[0];
}
