/**
 * The simulated cluster: the manifests users have (what the engine and the inventory topic
 * consume) plus the indexes the traffic generator needs to pick realistic peers quickly.
 */

/** A Kubernetes / projectcalico.org/v3 object as `kubectl get -o json` shows it. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller: boolean }>;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** Role of a workload in the generated application graph; drives labels, ports and traffic. */
export type AppRole = 'frontend' | 'api' | 'worker' | 'postgres' | 'redis' | 'dns' | 'ingress' | 'prometheus';

export interface SimPort {
  name: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

export interface SimNamespace {
  name: string;
  labels: Record<string, string>;
  /** App namespaces carry the frontend/api/db stack; system ones carry shared services. */
  system: boolean;
  /** Number of namespaced policies generated for it (0 = a legacy "no policy" namespace). */
  policyCount: number;
}

export interface SimApp {
  namespace: string;
  /** Deployment name, also the `app` label and the service account. */
  name: string;
  role: AppRole;
  /** Pod template labels, including pod-template-hash: every replica carries exactly these. */
  labels: Record<string, string>;
  templateHash: string;
  serviceAccount: string;
  ports: SimPort[];
  replicas: number;
}

export interface SimNode {
  name: string;
  index: number;
  ip: string;
  labels: Record<string, string>;
  controlPlane: boolean;
}

export interface SimPod {
  uid: string;
  name: string;
  namespace: string;
  app: SimApp;
  node: SimNode;
  /** IPv4 first, then IPv6 (dual-stack cluster). */
  ips: string[];
}

/** An outside network the traffic generator draws peers from. */
export interface SimExternalNet {
  /** NetworkSet / GlobalNetworkSet it is declared as, if any (unknown networks have none). */
  kind: 'NetworkSet' | 'GlobalNetworkSet' | 'Network';
  namespace: string;
  name: string;
  labels: Record<string, string>;
  nets: string[];
  /** A bounded set of addresses to use as peers, so verdict caching stays effective. */
  sampleIps: string[];
  purpose: 'threats' | 'saas' | 'partner' | 'public-clients' | 'admin' | 'metadata';
}

export interface ClusterSize {
  pods: number;
  policies: number;
}

export interface ClusterOptions extends ClusterSize {
  seed: number;
  podCidr: string;
  podCidr6: string;
  /** Pods per node: sets the node count. */
  podsPerNode: number;
}

export interface SimCluster {
  options: ClusterOptions;
  namespaces: SimNamespace[];
  apps: SimApp[];
  nodes: SimNode[];
  /** Live pods by `namespace/name`. */
  pods: Map<string, SimPod>;
  externals: SimExternalNet[];
  /** Everything except pods and policies: namespaces, service accounts, deployments, services, nodes, host endpoints, network sets, profiles. */
  baseManifests: Manifest[];
  /** Tiers and every kind of policy, in apply order (tiers first). */
  policyManifests: Manifest[];
}

/** `kind/namespace/name`: the inventory topic's key and the engine's resource key. */
export function manifestKey(m: Manifest): string {
  return `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
}

export const POLICY_KINDS: ReadonlySet<string> = new Set([
  'NetworkPolicy',
  'GlobalNetworkPolicy',
  'StagedNetworkPolicy',
  'StagedGlobalNetworkPolicy',
  'StagedKubernetesNetworkPolicy',
]);
