/**
 * Seeded random clusters with feature-rich policies (every rule field, staged actions, profiles
 * with Log/Pass, host endpoints, network sets, IPv4 and IPv6, Kubernetes policies), as manifests.
 */
import { Prng } from '../../../src/simulator/prng.util';

/** The simulator's seeded mulberry32, as a plain function: runs and failures reproduce. */
export function prng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

export type Obj = Record<string, unknown>;

export function randomClusterManifests(seed: number): { raw: Obj[]; ips: string[]; rnd: () => number } {
  const rnd = prng(seed);
  const int = (k: number) => Math.floor(rnd() * k);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const maybe = (p = 0.3) => rnd() < p;
  const nss = ['a', 'b', 'c'];
  const apps = ['x', 'y', 'z', 'w'];
  const raw: Obj[] = [];
  const ips: string[] = [];
  for (const n of nss) raw.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n, labels: { env: pick(['p', 'd']) } } });
  raw.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa1', namespace: 'a', labels: { trust: 'hi' } } });
  for (let i = 0; i < 12; i++) {
    const ip4 = `10.0.0.${i + 1}`;
    const ip6 = `fd00::${i + 1}`;
    ips.push(ip4, ip6);
    raw.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p${i}`, namespace: pick(nss), labels: { app: pick(apps), ...(maybe() ? { tier: 'fe' } : {}) } },
      spec: {
        serviceAccountName: pick(['sa1', 'default']),
        containers: [{ name: 'c', ports: [{ name: 'http', containerPort: pick([80, 8080]) }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }],
      },
      status: { podIP: ip4, podIPs: [{ ip: ip4 }, { ip: ip6 }] },
    });
  }
  for (let h = 0; h < 2; h++) {
    ips.push(`192.168.0.${h + 1}`);
    raw.push({
      apiVersion: 'projectcalico.org/v3',
      kind: 'HostEndpoint',
      metadata: { name: `h${h}`, labels: { role: 'node' } },
      spec: {
        node: `n${h}`,
        interfaceName: 'eth0',
        expectedIPs: [`192.168.0.${h + 1}`],
        profiles: maybe(0.5) ? ['projectcalico-default-allow'] : maybe() ? ['prof1'] : [],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    });
  }
  raw.push({
    apiVersion: 'projectcalico.org/v3',
    kind: 'Profile',
    metadata: { name: 'prof1' },
    spec: {
      ingress: [{ action: 'Log' }, { action: pick(['Allow', 'Deny', 'Pass']), protocol: 'TCP', destination: { ports: [22] } }, { action: 'Allow', source: { selector: "app == 'x'" } }],
      egress: [{ action: 'Allow' }],
    },
  });
  raw.push({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'g1', labels: { zone: 'z1' } }, spec: { nets: ['10.0.0.0/29', '172.16.0.0/12'] } });
  raw.push({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', metadata: { name: 'n1', namespace: 'a', labels: { zone: 'z2' } }, spec: { nets: ['203.0.113.0/24', '10.0.0.4/30'] } });
  ips.push('172.16.1.1', '203.0.113.5', '8.8.8.8', '2001:db8::1');
  raw.push({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 't1' }, spec: { order: 10, defaultAction: pick(['Deny', 'Pass']) } });
  const sels = ["app == 'x'", "app in {'y','z'}", 'has(tier)', '!has(tier)', "app != 'w'", "zone == 'z1'", "zone == 'z2'", 'all()', "trust == 'hi'", "env == 'p'", 'global()', "role == 'node'"];
  const entity = (): Obj => {
    const e: Obj = {};
    if (maybe(0.25)) e.nets = [pick(['10.0.0.0/30', '172.16.0.0/16', 'fd00::/120', '0.0.0.0/0', '203.0.113.0/25'])];
    if (maybe(0.15)) e.notNets = [pick(['10.0.0.0/30', 'fd00::/126'])];
    if (maybe(0.35)) e.selector = pick(sels);
    if (maybe(0.15)) e.notSelector = pick(sels);
    if (maybe(0.15)) e.namespaceSelector = pick(["env == 'p'", 'all()', 'global()']);
    if (maybe(0.1)) e.serviceAccounts = maybe() ? { names: ['sa1'] } : { selector: "trust == 'hi'" };
    return e;
  };
  const rule = (ingress = false): Obj => {
    const proto = pick([undefined, 'TCP', 'UDP', 'ICMP', undefined]);
    const src = entity();
    const dst = entity();
    const r: Obj = { action: pick(['Allow', 'Deny', 'Pass', 'Log', 'Allow', 'Deny']), source: src, destination: dst };
    if (proto) r.protocol = proto;
    if (maybe(0.1)) r.notProtocol = pick(['UDP', 'TCP']);
    if (maybe(0.1)) r.ipVersion = pick([4, 6]);
    if (proto === 'ICMP' && maybe(0.5)) r.icmp = { type: 8, ...(maybe() ? { code: 0 } : {}) };
    if (proto === 'ICMP' && maybe(0.2)) r.notICMP = { type: 0 };
    if (proto === 'TCP' || proto === 'UDP') {
      if (maybe(0.5)) dst.ports = [pick([80, 'http', '8000:9000', 'dns', 53])];
      if (maybe(0.2)) dst.notPorts = [pick([22, 'http'])];
      if (maybe(0.15)) src.ports = [pick(['30000:40000', 'http'])];
    } else if (maybe(0.2)) dst.ports = ['http'];
    if (maybe(0.05)) dst.services = { name: 'svc', namespace: 'a' };
    // HTTP criteria are valid on ingress only.
    if (ingress && maybe(0.1)) r.http = { ...(maybe(0.7) ? { methods: [pick(['GET', 'POST'])] } : {}), ...(maybe(0.7) ? { paths: [pick([{ exact: '/a' }, { prefix: '/b' }])] } : {}) };
    return r;
  };
  const n = 4 + int(8);
  for (let k = 0; k < n; k++) {
    const global = maybe(0.5);
    const staged = maybe(0.2);
    const spec: Obj = {
      tier: pick(['default', 't1']),
      selector: pick([...sels.slice(0, 5), 'all()']),
      ingress: Array.from({ length: int(4) }, () => rule(true)),
      egress: Array.from({ length: int(3) }, () => rule()),
    };
    if (maybe(0.7)) spec.order = int(5);
    if (maybe(0.3)) spec.types = pick([['Ingress'], ['Egress'], ['Ingress', 'Egress']]);
    if (staged && maybe(0.5)) spec.stagedAction = pick(['Set', 'Delete', 'Ignore', 'Learn']);
    if (global && maybe(0.2)) spec.namespaceSelector = "env == 'p'";
    const kind = `${staged ? 'Staged' : ''}${global ? 'GlobalNetworkPolicy' : 'NetworkPolicy'}`;
    raw.push({ apiVersion: 'projectcalico.org/v3', kind, metadata: { name: `pol${k}`, ...(global ? {} : { namespace: pick(nss) }) }, spec });
    if (maybe(0.2)) {
      raw.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `k${k}`, namespace: pick(nss) },
        spec: {
          podSelector: { matchLabels: { app: pick(apps) } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { app: pick(apps) } } }, { namespaceSelector: {} }], ports: [{ port: 'http' }, { port: 53, protocol: 'UDP' }] }],
          egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24', except: ['10.0.0.0/30'] } }] }],
        },
      });
    }
  }
  // Random rules are sometimes invalid (e.g. numeric ports without protocol): a lenient load drops those.
  return { raw, ips, rnd };
}

