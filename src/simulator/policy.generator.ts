import { Manifest, SimCluster, SimNamespace } from './cluster.types';

/**
 * Tiers and policies for a generated cluster, shaped like a real multi-team setup: a security
 * tier (order 100, Pass by default), a platform tier (order 500, Deny) that allows shared
 * services and passes app traffic on, and per-namespace policies in the default tier. Some
 * rules are deliberately over-broad, unused or shadowed, and some policies are staged, so the
 * analytics downstream have something to find.
 */

const CALICO = 'projectcalico.org/v3';
const PRIVATE_NETS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fd00::/8'];

function gnp(tier: string, name: string, order: number, spec: Record<string, unknown>, staged = false): Manifest {
  return {
    apiVersion: CALICO,
    kind: staged ? 'StagedGlobalNetworkPolicy' : 'GlobalNetworkPolicy',
    metadata: { name: `${tier}.${name}` },
    spec: { tier, order, ...spec },
  };
}

export function calicoNp(ns: string, name: string, order: number, spec: Record<string, unknown>, staged = false): Manifest {
  return {
    apiVersion: CALICO,
    kind: staged ? 'StagedNetworkPolicy' : 'NetworkPolicy',
    metadata: { name: `default.${name}`, namespace: ns },
    spec: { tier: 'default', order, ...spec },
  };
}

export function k8sNp(ns: string, name: string, spec: Record<string, unknown>, staged = false): Manifest {
  return staged
    ? { apiVersion: CALICO, kind: 'StagedKubernetesNetworkPolicy', metadata: { name, namespace: ns }, spec: { stagedAction: 'Set', ...spec } }
    : { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

function tier(name: string, order: number, defaultAction: 'Deny' | 'Pass'): Manifest {
  return { apiVersion: CALICO, kind: 'Tier', metadata: { name }, spec: { order, defaultAction } };
}

const dnsPeer = { selector: "k8s-app == 'kube-dns'", namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'" };

/** In inclusion order: when the budget is smaller than the list, the most load-bearing come first. */
function globalPolicies(): Manifest[] {
  return [
    gnp('platform', 'pass-to-app-tiers', 1000, { selector: 'has(app)', types: ['Ingress', 'Egress'], ingress: [{ action: 'Pass' }], egress: [{ action: 'Pass' }] }),
    gnp('platform', 'allow-dns', 100, {
      selector: 'all()',
      types: ['Egress'],
      egress: [
        { action: 'Allow', protocol: 'UDP', destination: { ...dnsPeer, ports: [53] } },
        // Shadowed on purpose: rule 0 already allows exactly this traffic.
        { action: 'Allow', protocol: 'UDP', destination: { selector: "k8s-app == 'kube-dns'", ports: ['dns'] } },
        { action: 'Allow', protocol: 'TCP', destination: { ...dnsPeer, ports: [53] } },
      ],
    }),
    gnp('security', 'block-threat-feeds', 10, {
      selector: 'all()',
      types: ['Ingress', 'Egress'],
      ingress: [{ action: 'Deny', source: { selector: "feed == 'threats'", namespaceSelector: 'global()' } }],
      egress: [{ action: 'Deny', destination: { selector: "feed == 'threats'", namespaceSelector: 'global()' } }],
    }),
    // Over-broad on purpose: any port, where only the metrics ports were needed.
    gnp('platform', 'allow-monitoring', 200, {
      selector: 'has(app)',
      types: ['Ingress'],
      ingress: [{ action: 'Allow', source: { selector: "app == 'prometheus'", namespaceSelector: "kubernetes.io/metadata.name == 'monitoring'" } }],
    }),
    gnp('platform', 'host-protection', 300, {
      selector: "host-endpoint == 'true'",
      types: ['Ingress', 'Egress'],
      ingress: [
        { action: 'Allow', protocol: 'TCP', source: { nets: ['10.0.0.0/16'] }, destination: { ports: ['kubelet'] } },
        { action: 'Allow', protocol: 'TCP', source: { selector: "role == 'admin'", namespaceSelector: 'global()' }, destination: { ports: [22] } },
      ],
      egress: [{ action: 'Allow', destination: { nets: ['10.0.0.0/16', '10.244.0.0/16'] } }],
    }),
    gnp('security', 'log-external-egress', 20, {
      selector: 'has(app)',
      types: ['Egress'],
      egress: [{ action: 'Log', destination: { notNets: PRIVATE_NETS } }],
    }),
    gnp('platform', 'allow-ingress-from-internet', 150, {
      selector: "app == 'ingress-nginx'",
      types: ['Ingress'],
      ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [80, 443] } }],
    }),
    gnp(
      'security',
      'deny-egress-to-internet',
      40,
      { selector: "has(app) && app != 'ingress-nginx'", types: ['Egress'], egress: [{ action: 'Deny', destination: { notNets: PRIVATE_NETS } }] },
      true,
    ),
    gnp('security', 'quarantine', 30, { selector: "quarantine == 'true'", types: ['Ingress', 'Egress'], ingress: [{ action: 'Deny' }], egress: [{ action: 'Deny' }] }),
    // Unused on purpose: no workload carries this label.
    gnp('platform', 'allow-legacy-ftp', 400, {
      selector: "app == 'legacy-ftp'",
      ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [20, 21] } }],
    }),
  ];
}

export const GLOBAL_POLICY_COUNT = globalPolicies().length;

/** The namespaced templates, in inclusion order; `k` >= the list length adds unused extras. */
function namespacePolicy(ns: string, k: number): Manifest {
  const api = `${ns}-api`;
  const worker = `${ns}-worker`;
  switch (k) {
    case 0:
      return k8sNp(ns, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    case 1:
      return calicoNp(ns, 'frontend', 100, {
        selector: "tier == 'frontend'",
        ingress: [
          {
            action: 'Allow',
            protocol: 'TCP',
            source: { selector: "app == 'ingress-nginx'", namespaceSelector: "kubernetes.io/metadata.name == 'ingress-nginx'" },
            destination: { ports: ['http'] },
          },
        ],
        egress: [{ action: 'Allow', protocol: 'TCP', destination: { selector: "tier == 'backend'", ports: ['http'] } }],
      });
    case 2:
      return calicoNp(ns, 'api', 200, {
        selector: `app == '${api}'`,
        ingress: [
          { action: 'Allow', protocol: 'TCP', source: { selector: "tier == 'frontend'" }, destination: { ports: ['http', 'grpc'] } },
          // Shadowed on purpose: the rule above already covers it.
          { action: 'Allow', protocol: 'TCP', source: { selector: `app == '${ns}-frontend'` }, destination: { ports: [8080] } },
        ],
        egress: [
          { action: 'Deny', destination: { nets: ['169.254.169.254/32'] } },
          { action: 'Allow', protocol: 'TCP', destination: { selector: "tier == 'data'", ports: [5432, 6379] } },
          { action: 'Allow', protocol: 'TCP', destination: { selector: "role == 'saas-api'", namespaceSelector: 'global()', ports: [443] } },
          { action: 'Allow', protocol: 'TCP', destination: { selector: "role == 'partner'", ports: [443] } },
        ],
      });
    case 3:
      return k8sNp(ns, 'allow-db-from-backend', {
        podSelector: { matchLabels: { tier: 'data' } },
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { tier: 'backend' } } }],
            ports: [{ protocol: 'TCP', port: 5432 }, { protocol: 'TCP', port: 6379 }],
          },
        ],
      });
    case 4:
      return calicoNp(
        ns,
        'restrict-api-egress',
        150,
        {
          selector: `app == '${api}'`,
          types: ['Egress'],
          egress: [{ action: 'Allow', protocol: 'TCP', destination: { selector: "tier == 'data'", ports: [5432] } }, { action: 'Deny' }],
        },
        true,
      );
    case 5:
      return calicoNp(ns, 'db-audit-log', 50, {
        selector: "tier == 'data'",
        types: ['Ingress'],
        ingress: [{ action: 'Log', source: { notSelector: "tier == 'backend'" } }],
      });
    case 6:
      return calicoNp(ns, 'worker', 300, {
        selector: `app == '${worker}'`,
        types: ['Egress'],
        egress: [{ action: 'Allow', protocol: 'TCP', destination: { selector: "tier == 'data'", ports: ['postgres', 'redis'] } }],
      });
    case 7:
      return k8sNp(
        ns,
        'restrict-worker-egress',
        {
          podSelector: { matchLabels: { app: worker } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: { matchLabels: { app: 'postgres' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
        },
        true,
      );
    case 8:
      // Over-broad on purpose: every pod of the namespace may reach every other on any port.
      return k8sNp(ns, 'allow-same-namespace', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] });
    default:
      return calicoNp(ns, `allow-legacy-${k - 8}`, 900, {
        selector: `app == 'legacy-${k - 8}'`,
        ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [8080] } }],
      });
  }
}

export const NAMESPACE_TEMPLATE_COUNT = 9;

export function generatePolicies(cluster: SimCluster): Manifest[] {
  const total = cluster.options.policies;
  const globals = globalPolicies().slice(0, total);
  const out: Manifest[] = [tier('security', 100, 'Pass'), tier('platform', 500, 'Deny'), tier('default', 1_000_000, 'Deny'), ...globals];
  const appNs = cluster.namespaces.filter((n) => !n.system);
  // Every fourth app namespace is a legacy one with no policy at all (allowed by its profile).
  const withPolicies: SimNamespace[] = appNs.filter((_, i) => i % 4 !== 2 || appNs.length < 3);
  const budget = total - globals.length;
  withPolicies.forEach((ns, i) => {
    ns.policyCount = Math.floor(budget / withPolicies.length) + (i < budget % withPolicies.length ? 1 : 0);
    for (let k = 0; k < ns.policyCount; k++) out.push(namespacePolicy(ns.name, k));
  });
  return out;
}
