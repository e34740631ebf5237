import { SimApp, SimCluster, SimExternalNet } from './cluster.types';

/** One side of an edge: a deployment (a live replica is picked per connection), a host, or an outside network. */
export type PeerPick =
  | { kind: 'app'; app: SimApp }
  | { kind: 'hep'; which: 'control-plane' | 'worker' }
  | { kind: 'external'; net: SimExternalNet };

export interface Edge {
  name: string;
  src: PeerPick;
  dst: PeerPick;
  protocol: 'tcp' | 'udp';
  port: number;
  weight: number;
  expected: boolean;
}

/**
 * The service dependency graph of a generated cluster: who talks to whom and how often.
 * Weights are per concrete edge, so busy namespaces (more replicas) talk more.
 */
export function buildEdges(c: SimCluster): Edge[] {
  const edges: Edge[] = [];
  const byRole = (ns: string, role: SimApp['role']) => c.apps.find((a) => a.namespace === ns && a.role === role);
  const dns = c.apps.find((a) => a.role === 'dns');
  const ingress = c.apps.find((a) => a.role === 'ingress');
  const prom = c.apps.find((a) => a.role === 'prometheus');
  const ext = (purpose: SimExternalNet['purpose']) => c.externals.filter((e) => e.purpose === purpose);
  const app = (a: SimApp): PeerPick => ({ kind: 'app', app: a });
  const add = (name: string, src: PeerPick, dst: PeerPick, protocol: 'tcp' | 'udp', port: number, weight: number, expected = true) =>
    edges.push({ name, src, dst, protocol, port, weight, expected });

  for (const a of c.apps) {
    if (dns && a !== dns) add('dns', app(a), app(dns), 'udp', 53, 3 * a.replicas);
    if (prom && a !== prom) add('metrics-scrape', app(prom), app(a), 'tcp', a.ports.find((p) => p.name === 'metrics')?.port ?? 9102, 0.4 * a.replicas);
  }
  if (dns) add('dns-tcp', app(c.apps[c.apps.length - 1]), app(dns), 'tcp', 53, 0.5);
  for (const ns of c.namespaces.filter((n) => !n.system)) {
    const fe = byRole(ns.name, 'frontend');
    const api = byRole(ns.name, 'api');
    const pg = byRole(ns.name, 'postgres');
    const redis = byRole(ns.name, 'redis');
    const worker = byRole(ns.name, 'worker');
    const partner = c.externals.find((e) => e.purpose === 'partner' && e.namespace === ns.name);
    if (ingress && fe) add('ingress-to-frontend', app(ingress), app(fe), 'tcp', 8080, 2 * fe.replicas);
    if (fe && api) add('frontend-to-api', app(fe), app(api), 'tcp', 8080, 2.5 * fe.replicas);
    if (api && pg) add('api-to-postgres', app(api), app(pg), 'tcp', 5432, 1.5 * api.replicas);
    if (api && redis) add('api-to-redis', app(api), app(redis), 'tcp', 6379, 1.5 * api.replicas);
    if (worker && pg) add('worker-to-postgres', app(worker), app(pg), 'tcp', 5432, worker.replicas);
    if (worker && redis) add('worker-to-redis', app(worker), app(redis), 'tcp', 6379, 0.5 * worker.replicas);
    for (const saas of ext('saas')) if (api) add('api-to-saas', app(api), { kind: 'external', net: saas }, 'tcp', 443, 0.5 * api.replicas);
    if (api && partner) add('api-to-partner', app(api), { kind: 'external', net: partner }, 'tcp', 443, 0.3 * api.replicas);

    // What policy should stop: lateral movement, metadata theft, unsanctioned egress.
    if (fe && pg) add('frontend-to-postgres', app(fe), app(pg), 'tcp', 5432, 0.5, false);
    if (api) for (const md of ext('metadata')) add('api-to-metadata', app(api), { kind: 'external', net: md }, 'tcp', 80, 0.3, false);
    if (worker) for (const saas of ext('saas')) add('worker-to-saas', app(worker), { kind: 'external', net: saas }, 'tcp', 443, 0.3, false);
    for (const t of ext('threats')) if (fe) add('frontend-to-threat', app(fe), { kind: 'external', net: t }, 'tcp', 443, 0.2, false);
  }
  for (const pub of ext('public-clients')) if (ingress) add('internet-to-ingress', { kind: 'external', net: pub }, app(ingress), 'tcp', 443, 10);
  for (const adm of ext('admin')) add('admin-ssh', { kind: 'external', net: adm }, { kind: 'hep', which: 'worker' }, 'tcp', 22, 0.3);
  add('kubelet', { kind: 'hep', which: 'control-plane' }, { kind: 'hep', which: 'worker' }, 'tcp', 10250, 1);

  for (const t of ext('threats')) if (ingress) add('threat-to-ingress', { kind: 'external', net: t }, app(ingress), 'tcp', 443, 1, false);
  for (const pub of ext('public-clients')) add('internet-ssh-scan', { kind: 'external', net: pub }, { kind: 'hep', which: 'worker' }, 'tcp', 22, 0.5, false);
  const apps = c.apps.filter((a) => !['dns', 'ingress', 'prometheus'].includes(a.role));
  // A handful of cross-namespace probes on ports nothing serves.
  for (let i = 0; i + 1 < apps.length && i < 40; i += 3) {
    const a = apps[i];
    const b = apps.find((x) => x.namespace !== a.namespace && x.role === 'postgres');
    if (b) add('cross-namespace-probe', app(a), app(b), 'tcp', i % 2 ? 22 : 3306, 0.2, false);
  }
  return edges;
}
