import { clusterOptions, SizeName } from './cluster.sizes';
import { AppRole, ClusterOptions, ClusterSize, Manifest, SimApp, SimCluster, SimExternalNet, SimNamespace, SimNode, SimPod, SimPort } from './cluster.types';
import { IpAllocator } from './ip.allocator';
import {
  defaultAllowProfile,
  deploymentManifest,
  hostEndpointManifest,
  namespaceManifest,
  networkSetManifest,
  nodeManifest,
  serviceAccountManifest,
  serviceManifest,
} from './manifest.builders';
import { generatePolicies } from './policy.generator';
import { Prng } from './prng.util';

const PRODUCTS = [
  'shop', 'payments', 'catalog', 'search', 'accounts', 'billing', 'inventory', 'shipping', 'reviews', 'ads',
  'analytics', 'media', 'checkout', 'loyalty', 'pricing', 'notify', 'identity', 'support', 'reports', 'gateway',
];
const TEAMS = ['storefront', 'core', 'growth', 'data', 'platform-apps', 'fintech'];

const ROLE_PORTS: Record<AppRole, SimPort[]> = {
  frontend: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9102, protocol: 'TCP' }],
  api: [
    { name: 'http', port: 8080, protocol: 'TCP' },
    { name: 'grpc', port: 9090, protocol: 'TCP' },
    { name: 'metrics', port: 9102, protocol: 'TCP' },
  ],
  worker: [{ name: 'metrics', port: 9102, protocol: 'TCP' }],
  postgres: [{ name: 'postgres', port: 5432, protocol: 'TCP' }, { name: 'metrics', port: 9187, protocol: 'TCP' }],
  redis: [{ name: 'redis', port: 6379, protocol: 'TCP' }, { name: 'metrics', port: 9121, protocol: 'TCP' }],
  dns: [
    { name: 'dns', port: 53, protocol: 'UDP' },
    { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    { name: 'metrics', port: 9153, protocol: 'TCP' },
  ],
  ingress: [
    { name: 'http', port: 80, protocol: 'TCP' },
    { name: 'https', port: 443, protocol: 'TCP' },
    { name: 'metrics', port: 10254, protocol: 'TCP' },
  ],
  prometheus: [{ name: 'web', port: 9090, protocol: 'TCP' }],
};

const ROLE_TIER: Record<AppRole, string> = {
  frontend: 'frontend',
  api: 'backend',
  worker: 'backend',
  postgres: 'data',
  redis: 'data',
  dns: 'platform',
  ingress: 'platform',
  prometheus: 'platform',
};

/** Replica weights: APIs scale widest, databases are small StatefulSet-like groups. */
const ROLE_WEIGHT: Partial<Record<AppRole, number>> = { frontend: 3, api: 4, worker: 2, postgres: 1, redis: 1 };

const PUBLIC_CLIENTS = [
  '81.2.69.142', '185.199.108.153', '151.101.1.69', '104.16.132.229', '91.198.174.192', '77.88.55.60',
  '2a00:1450:4001:81b::200e', '2606:4700::6810:84e5',
];

/**
 * Builds a reproducible cluster: the same options give the same manifests, byte for byte.
 * `size` is a preset name or explicit pod/policy counts, which are honoured exactly.
 */
export function generateCluster(size: SizeName | ClusterSize, overrides: Partial<ClusterOptions> = {}): SimCluster {
  const options = clusterOptions(size, overrides);
  if (options.pods < 20) throw new Error(`pods must be at least 20 (system workloads alone need a few), got ${options.pods}`);
  if (options.policies < 1) throw new Error(`policies must be at least 1, got ${options.policies}`);
  const rng = new Prng(options.seed);
  const nodes = makeNodes(options, rng.fork(1));
  const { namespaces, apps } = makeWorkloads(options, rng.fork(2));
  const externals = makeExternals(namespaces);
  const ipam = new IpAllocator(options.podCidr, options.podCidr6);
  const pods = new Map<string, SimPod>();
  const podRng = rng.fork(3);
  const workers = nodes.filter((n) => !n.controlPlane);
  for (const app of apps) {
    for (let i = 0; i < app.replicas; i++) {
      const pod = newPod(app, podRng.pick(workers), ipam, podRng);
      pods.set(`${pod.namespace}/${pod.name}`, pod);
    }
  }
  const cluster: SimCluster = {
    options,
    namespaces,
    apps,
    nodes,
    pods,
    externals,
    baseManifests: [],
    policyManifests: [],
  };
  cluster.policyManifests = generatePolicies(cluster);
  cluster.baseManifests = baseManifests(cluster);
  ipams.set(cluster, ipam);
  return cluster;
}

// The allocator is state the traffic generator's churn must share, but not part of the data model.
const ipams = new WeakMap<SimCluster, IpAllocator>();

export function clusterIpam(cluster: SimCluster): IpAllocator {
  const ipam = ipams.get(cluster);
  if (!ipam) throw new Error('cluster was not built by generateCluster');
  return ipam;
}

/** A new replica of `app` on `node`, taking the node's most recently released IP when there is one. */
export function newPod(app: SimApp, node: SimNode, ipam: IpAllocator, rng: Prng): SimPod {
  const [v4, v6] = ipam.allocate(node.index);
  const name = `${app.name}-${app.templateHash}-${rng.token(5)}`;
  return { uid: `${rng.token(8)}-${rng.token(4)}-${rng.token(12)}`, name, namespace: app.namespace, app, node, ips: [v4, v6] };
}

function makeNodes(o: ClusterOptions, rng: Prng): SimNode[] {
  const count = Math.max(3, Math.ceil((o.pods * 1.15) / o.podsPerNode) + 1);
  if (count > IpAllocator.MAX_NODES) throw new Error(`${o.pods} pods at ${o.podsPerNode} per node needs ${count} nodes; the pod CIDR holds ${IpAllocator.MAX_NODES}`);
  const zones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
  const nodes: SimNode[] = [];
  for (let i = 0; i < count; i++) {
    const controlPlane = i === 0;
    const name = controlPlane ? 'cp-0' : `worker-${i}`;
    const labels: Record<string, string> = {
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      'topology.kubernetes.io/zone': zones[i % zones.length],
      'node.kubernetes.io/instance-type': rng.pick(['m6i.xlarge', 'm6i.2xlarge', 'c6i.2xlarge']),
    };
    labels[controlPlane ? 'node-role.kubernetes.io/control-plane' : 'node-role.kubernetes.io/worker'] = '';
    nodes.push({ name, index: i, ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 4}`, labels, controlPlane });
  }
  return nodes;
}

function makeApp(namespace: string, name: string, role: AppRole, rng: Prng, extra: Record<string, string> = {}): SimApp {
  const templateHash = `${rng.token(8)}${rng.int(10, 99)}`;
  const labels: Record<string, string> = {
    app: name,
    tier: ROLE_TIER[role],
    version: `v1.${rng.int(0, 12)}.${rng.int(0, 9)}`,
    'pod-template-hash': templateHash,
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': namespace,
    ...extra,
  };
  return { namespace, name, role, labels, templateHash, serviceAccount: name, ports: ROLE_PORTS[role], replicas: 0 };
}

function makeWorkloads(o: ClusterOptions, rng: Prng): { namespaces: SimNamespace[]; apps: SimApp[] } {
  const namespaces: SimNamespace[] = [
    { name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system', 'platform': 'true' }, system: true, policyCount: 0 },
    { name: 'ingress-nginx', labels: { 'kubernetes.io/metadata.name': 'ingress-nginx', 'platform': 'true' }, system: true, policyCount: 0 },
    { name: 'monitoring', labels: { 'kubernetes.io/metadata.name': 'monitoring', 'platform': 'true' }, system: true, policyCount: 0 },
  ];
  const dns = makeApp('kube-system', 'coredns', 'dns', rng, { 'k8s-app': 'kube-dns' });
  dns.replicas = Math.max(2, Math.round(o.pods / 1000));
  const ingress = makeApp('ingress-nginx', 'ingress-nginx', 'ingress', rng);
  ingress.replicas = Math.max(1, Math.round(o.pods / 2000));
  const prom = makeApp('monitoring', 'prometheus', 'prometheus', rng);
  prom.replicas = 1;
  const apps: SimApp[] = [dns, ingress, prom];
  const appPods = o.pods - dns.replicas - ingress.replicas - prom.replicas;

  // ~65 pods per namespace; never so many namespaces that a deployment would get no replica.
  const nsCount = Math.max(3, Math.min(Math.round(o.pods / 65), Math.floor(appPods / 5)));
  const appApps: SimApp[] = [];
  for (let i = 0; i < nsCount; i++) {
    const base = PRODUCTS[i % PRODUCTS.length];
    const name = i < PRODUCTS.length ? base : `${base}-${Math.floor(i / PRODUCTS.length) + 1}`;
    const labels: Record<string, string> = {
      'kubernetes.io/metadata.name': name,
      team: rng.pick(TEAMS),
      env: rng.chance(0.8) ? 'prod' : 'staging',
    };
    if (base === 'payments' || base === 'billing' || base === 'checkout') labels.compliance = 'pci';
    namespaces.push({ name, labels, system: false, policyCount: 0 });
    const roles: AppRole[] = ['frontend', 'api', 'postgres'];
    if (rng.chance(0.7)) roles.push('redis');
    if (rng.chance(0.6)) roles.push('worker');
    for (const role of roles) {
      const appName = role === 'postgres' || role === 'redis' ? role : `${name}-${role}`;
      appApps.push(makeApp(name, appName, role, rng));
    }
  }
  // One quarantined workload in bigger clusters, so the security tier's quarantine policy bites.
  if (nsCount >= 4) {
    const w = appApps.find((a) => a.role === 'worker');
    if (w) w.labels.quarantine = 'true';
  }
  distributeReplicas(appApps, appPods);
  apps.push(...appApps);
  return { namespaces, apps };
}

/** Splits `total` replicas by role weight, at least one each, summing exactly to `total`. */
function distributeReplicas(apps: SimApp[], total: number): void {
  const weights = apps.map((a) => ROLE_WEIGHT[a.role] ?? 1);
  const sum = weights.reduce((a, b) => a + b, 0);
  let given = 0;
  apps.forEach((a, i) => {
    a.replicas = Math.max(1, Math.floor((total * weights[i]) / sum));
    given += a.replicas;
  });
  // Hand out (or take back) the rounding remainder, widest deployments first.
  const order = apps.map((_, i) => i).sort((x, y) => weights[y] - weights[x] || x - y);
  for (let k = 0; given !== total; k = (k + 1) % order.length) {
    const a = apps[order[k]];
    if (given < total) {
      a.replicas++;
      given++;
    } else if (a.replicas > 1) {
      a.replicas--;
      given--;
    }
  }
}

function makeExternals(namespaces: SimNamespace[]): SimExternalNet[] {
  const out: SimExternalNet[] = [
    {
      kind: 'GlobalNetworkSet', namespace: '', name: 'threat-feed', labels: { feed: 'threats' }, purpose: 'threats',
      nets: ['198.51.100.0/24', '2001:db8:bad::/48'], sampleIps: ['198.51.100.7', '198.51.100.23', '198.51.100.201', '2001:db8:bad::17'],
    },
    {
      kind: 'GlobalNetworkSet', namespace: '', name: 'saas-apis', labels: { role: 'saas-api' }, purpose: 'saas',
      nets: ['203.0.113.0/24', '2001:db8:5a5::/48'], sampleIps: ['203.0.113.10', '203.0.113.11', '203.0.113.80', '2001:db8:5a5::443'],
    },
    {
      kind: 'GlobalNetworkSet', namespace: '', name: 'admin-vpn', labels: { role: 'admin' }, purpose: 'admin',
      nets: ['192.168.100.0/24'], sampleIps: ['192.168.100.5', '192.168.100.6'],
    },
    { kind: 'Network', namespace: '', name: 'pub', labels: {}, purpose: 'public-clients', nets: ['0.0.0.0/0', '::/0'], sampleIps: PUBLIC_CLIENTS },
    { kind: 'Network', namespace: '', name: 'metadata', labels: {}, purpose: 'metadata', nets: ['169.254.169.254/32'], sampleIps: ['169.254.169.254'] },
  ];
  namespaces
    .filter((n) => !n.system)
    .forEach((n, i) => {
      if (i % 3 !== 0) return;
      // Distinct ranges per namespace: an address must belong to one NetworkSet only.
      const prefix = `172.${20 + Math.floor(i / 256)}.${i % 256}`;
      out.push({
        kind: 'NetworkSet', namespace: n.name, name: 'partner-gateway', labels: { role: 'partner' }, purpose: 'partner',
        nets: [`${prefix}.0/24`], sampleIps: [`${prefix}.10`, `${prefix}.11`],
      });
    });
  return out;
}

function baseManifests(c: SimCluster): Manifest[] {
  const out: Manifest[] = c.namespaces.map(namespaceManifest);
  for (const ns of c.namespaces) out.push(serviceAccountManifest(ns.name, 'default', {}));
  let svc = 0;
  for (const app of c.apps) {
    out.push(serviceAccountManifest(app.namespace, app.serviceAccount, { app: app.labels.app }));
    out.push(deploymentManifest(app));
    svc++;
    out.push(serviceManifest(app, `10.96.${Math.floor(svc / 250)}.${(svc % 250) + 2}`));
  }
  for (const n of c.nodes) out.push(nodeManifest(n), hostEndpointManifest(n));
  out.push(defaultAllowProfile());
  for (const e of c.externals) if (e.kind !== 'Network') out.push(networkSetManifest(e));
  return out;
}
