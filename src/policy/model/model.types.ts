import { Selector } from '../selector';

export type Direction = 'ingress' | 'egress';
export type RuleAction = 'Allow' | 'Deny' | 'Pass' | 'Log';

/** Inclusive port range; a single port is `min === max`. */
export interface PortRange {
  readonly kind: 'range';
  readonly min: number;
  readonly max: number;
}
/** Resolved against the endpoint that declares it (container port name, WEP/HEP `ports[].name`). */
export interface NamedPortRef {
  readonly kind: 'named';
  readonly name: string;
}
export type PortSpec = PortRange | NamedPortRef;

export interface IcmpMatch {
  readonly type?: number;
  readonly code?: number;
}

export interface ServiceAccountMatch {
  readonly names: readonly string[];
  readonly selector?: Selector;
}

export interface ServiceMatch {
  readonly name: string;
  /** Defaulted to the policy's namespace for namespaced policies. */
  readonly namespace: string;
}

export interface EntityRule {
  /** Canonical CIDR text (host bits cleared). */
  readonly nets: readonly string[];
  readonly notNets: readonly string[];
  readonly selector?: Selector;
  readonly notSelector?: Selector;
  readonly namespaceSelector?: Selector;
  readonly ports: readonly PortSpec[];
  readonly notPorts: readonly PortSpec[];
  readonly serviceAccounts?: ServiceAccountMatch;
  readonly services?: ServiceMatch;
}

/** One `http.paths` entry: exactly one of the two is set. */
export interface HttpPathMatch {
  readonly exact?: string;
  readonly prefix?: string;
}

/** Application-layer criteria (ingress only): empty lists match anything. */
export interface HttpMatch {
  readonly methods: readonly string[];
  readonly paths: readonly HttpPathMatch[];
}

/** Where a rule came from in its manifest, for explanations (Calico's Kubernetes conversion renumbers rules). */
export interface RuleOrigin {
  /** Field path of the rule as written, e.g. `spec.ingress[1]`. */
  readonly path: string;
  /** The rule as written in the manifest (the Kubernetes rule for converted ones). */
  readonly written: unknown;
}

export interface Rule {
  readonly action: RuleAction;
  /** IANA protocol number. */
  readonly protocol?: number;
  readonly notProtocol?: number;
  readonly ipVersion?: 4 | 6;
  readonly icmp?: IcmpMatch;
  readonly notICMP?: IcmpMatch;
  readonly source: EntityRule;
  readonly destination: EntityRule;
  readonly http?: HttpMatch;
  readonly origin?: RuleOrigin;
}

export type PolicyKind =
  | 'NetworkPolicy'
  | 'GlobalNetworkPolicy'
  | 'StagedNetworkPolicy'
  | 'StagedGlobalNetworkPolicy'
  | 'StagedKubernetesNetworkPolicy'
  | 'KubernetesNetworkPolicy';

export type StagedAction = 'Set' | 'Delete' | 'Learn' | 'Ignore';

interface Keyed {
  /** `kind/namespace/name`, namespace empty for cluster-scoped resources. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
}

export interface TierResource extends Keyed {
  readonly kind: 'Tier';
  /** null = no order: sorts after every ordered tier. */
  readonly order: number | null;
  readonly defaultAction: 'Deny' | 'Pass';
}

export interface PolicyResource extends Keyed {
  readonly kind: PolicyKind;
  /**
   * Canonical policy name as Calico's dataplane reports it: tier-prefixed (`tier.name`) for Calico
   * policies, `knp.default.<name>` for Kubernetes ones. `name` is the same value.
   */
  readonly sourceName: string;
  readonly tier: string;
  readonly order: number | null;
  readonly selector: Selector;
  readonly namespaceSelector?: Selector;
  readonly serviceAccountSelector?: Selector;
  readonly types: readonly Direction[];
  readonly ingress: readonly Rule[];
  readonly egress: readonly Rule[];
  readonly staged: boolean;
  /** Staged policies only: what promoting it would do (`Set` default, `Delete` removes the enforced twin). */
  readonly stagedAction?: StagedAction;
  /** The enforced kind a staged policy would become (itself for enforced policies). */
  readonly enforcedKind: PolicyKind;
}

export interface ProfileResource extends Keyed {
  readonly kind: 'Profile';
  readonly labelsToApply: Readonly<Record<string, string>>;
  readonly ingress: readonly Rule[];
  readonly egress: readonly Rule[];
}

export interface NetworkSetResource extends Keyed {
  readonly kind: 'NetworkSet' | 'GlobalNetworkSet';
  readonly labels: Readonly<Record<string, string>>;
  readonly nets: readonly string[];
}

/** A port an endpoint declares by name; `protocol` is an IANA number. */
export interface NamedPortDecl {
  readonly name: string;
  readonly port: number;
  readonly protocol: number;
}

export interface OwnerReference {
  readonly kind: string;
  readonly name: string;
  readonly uid?: string;
  readonly controller?: boolean;
}

export interface PodResource extends Keyed {
  readonly kind: 'Pod';
  readonly labels: Readonly<Record<string, string>>;
  readonly ips: readonly string[];
  readonly node?: string;
  readonly serviceAccount: string;
  readonly ports: readonly NamedPortDecl[];
  readonly ownerReferences: readonly OwnerReference[];
  readonly hostNetwork: boolean;
  readonly phase?: string;
}

export interface WorkloadEndpointResource extends Keyed {
  readonly kind: 'WorkloadEndpoint';
  readonly labels: Readonly<Record<string, string>>;
  readonly ips: readonly string[];
  readonly node?: string;
  readonly pod?: string;
  readonly serviceAccount?: string;
  readonly profiles: readonly string[];
  readonly ports: readonly NamedPortDecl[];
}

export interface HostEndpointResource extends Keyed {
  readonly kind: 'HostEndpoint';
  readonly labels: Readonly<Record<string, string>>;
  readonly ips: readonly string[];
  readonly node?: string;
  readonly interfaceName?: string;
  readonly profiles: readonly string[];
  readonly ports: readonly NamedPortDecl[];
}

export interface NamespaceResource extends Keyed {
  readonly kind: 'Namespace';
  readonly labels: Readonly<Record<string, string>>;
}

export interface ServiceAccountResource extends Keyed {
  readonly kind: 'ServiceAccount';
  readonly labels: Readonly<Record<string, string>>;
}

export type Resource =
  | TierResource
  | PolicyResource
  | ProfileResource
  | NetworkSetResource
  | PodResource
  | WorkloadEndpointResource
  | HostEndpointResource
  | NamespaceResource
  | ServiceAccountResource;

export type ResourceKind = Resource['kind'];

export const STAGED_TO_ENFORCED: Readonly<Record<PolicyKind, PolicyKind>> = {
  NetworkPolicy: 'NetworkPolicy',
  GlobalNetworkPolicy: 'GlobalNetworkPolicy',
  KubernetesNetworkPolicy: 'KubernetesNetworkPolicy',
  StagedNetworkPolicy: 'NetworkPolicy',
  StagedGlobalNetworkPolicy: 'GlobalNetworkPolicy',
  StagedKubernetesNetworkPolicy: 'KubernetesNetworkPolicy',
};

export function isPolicy(r: Resource): r is PolicyResource {
  return r.kind in STAGED_TO_ENFORCED;
}

/** The stable identity the inventory service stores history under. */
export function resourceKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}
