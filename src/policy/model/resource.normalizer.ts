import { FieldReader, isObj, Obj } from './field.reader';
import { parseHostEndpoint, parseNamespace, parseNetworkSet, parsePod, parseServiceAccount, parseWorkloadEndpoint } from './endpoint.normalizer';
import { convertK8sNetworkPolicy } from './k8s-policy.converter';
import { ResourceValidationError } from './model.errors';
import { Resource } from './model.types';
import { parseCalicoPolicy, parseProfile, parseTier } from './policy.normalizer';

const CALICO_GROUPS = ['projectcalico.org/v3', 'crd.projectcalico.org/v1'];

const CALICO_NAMESPACED = new Set(['NetworkPolicy', 'StagedNetworkPolicy', 'StagedKubernetesNetworkPolicy', 'NetworkSet', 'WorkloadEndpoint']);
const CALICO_CLUSTER = new Set(['Tier', 'GlobalNetworkPolicy', 'StagedGlobalNetworkPolicy', 'GlobalNetworkSet', 'HostEndpoint', 'Profile']);
const CORE = new Set(['Namespace', 'Pod', 'ServiceAccount']);

/** Every kind the model stores, by model name (KubernetesNetworkPolicy) or manifest name. */
export const MODEL_KINDS: readonly string[] = [...new Set([...CORE, ...CALICO_CLUSTER, ...CALICO_NAMESPACED, 'KubernetesNetworkPolicy'])].sort();

// What the Kubernetes API server accepts: object names are DNS-1123 subdomains, namespaces labels.
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NAME_RULE = 'lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters';
const LABEL_RULE = 'lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters';

/** What a manifest item was, for items this engine does not model (Deployments, Services...). */
export interface SkippedItem {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly documentIndex?: number;
}

export type NormalizeOutcome = { readonly resource: Resource } | { readonly skipped: SkippedItem };

/**
 * Validates and normalises one manifest object. Kinds outside the policy model are reported as
 * skipped rather than rejected: users feed whole `kubectl get -o yaml` dumps.
 */
export function normalizeResource(raw: unknown, documentIndex?: number): NormalizeOutcome {
  if (!isObj(raw)) {
    throw new ResourceValidationError('', '', '', '', 'a resource must be an object', documentIndex);
  }
  const kind = typeof raw.kind === 'string' ? raw.kind : '';
  const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : '';
  const meta = isObj(raw.metadata) ? raw.metadata : {};
  const rawName = typeof meta.name === 'string' ? meta.name : '';
  const rawNs = typeof meta.namespace === 'string' ? meta.namespace : '';
  const family = classify(apiVersion, kind);
  const namespaced = family === 'calico' ? CALICO_NAMESPACED.has(kind) : family === 'k8s-np' || (family === 'core' && kind !== 'Namespace');
  // kubectl semantics: a namespaced object without a namespace goes to `default`.
  const namespace = namespaced ? rawNs || 'default' : '';
  const r = new FieldReader(family === 'k8s-np' ? 'KubernetesNetworkPolicy' : kind, namespace, rawName, documentIndex);
  if (!kind) r.fail('kind', 'is required');
  if (family === 'unknown') return { skipped: { apiVersion, kind, namespace: rawNs, name: rawName, documentIndex } };
  if (raw.metadata !== undefined && !isObj(raw.metadata)) r.fail('metadata', 'must be an object');
  const name = r.reqStr(meta.name, 'metadata.name');
  if (!namespaced && rawNs) r.fail('metadata.namespace', `${kind} is cluster-scoped and takes no namespace`);
  if (namespaced && !DNS_LABEL.test(namespace)) r.fail('metadata.namespace', `invalid namespace ${JSON.stringify(namespace)}: ${LABEL_RULE}`);
  if (kind === 'Namespace' ? !DNS_LABEL.test(name) : !DNS_SUBDOMAIN.test(name)) {
    r.fail('metadata.name', `invalid name ${JSON.stringify(name)}: ${kind === 'Namespace' ? LABEL_RULE : NAME_RULE}`);
  }
  const spec: Obj = r.obj(raw.spec, 'spec') ?? {};
  const status: Obj = r.obj(raw.status, 'status') ?? {};

  switch (family) {
    case 'k8s-np':
      return { resource: convertK8sNetworkPolicy(r, 'KubernetesNetworkPolicy', namespace, name, spec) };
    case 'core':
      if (kind === 'Namespace') return { resource: parseNamespace(r, name, meta) };
      if (kind === 'Pod') return { resource: parsePod(r, namespace, name, meta, spec, status) };
      return { resource: parseServiceAccount(r, namespace, name, meta) };
    case 'calico':
      switch (kind) {
        case 'Tier':
          return { resource: parseTier(r, name, spec) };
        case 'NetworkPolicy':
        case 'GlobalNetworkPolicy':
        case 'StagedNetworkPolicy':
        case 'StagedGlobalNetworkPolicy':
          return { resource: parseCalicoPolicy(r, kind, namespace, name, spec) };
        case 'StagedKubernetesNetworkPolicy':
          return { resource: convertK8sNetworkPolicy(r, 'StagedKubernetesNetworkPolicy', namespace, name, spec) };
        case 'NetworkSet':
        case 'GlobalNetworkSet':
          return { resource: parseNetworkSet(r, kind, namespace, name, meta, spec) };
        case 'HostEndpoint':
          return { resource: parseHostEndpoint(r, name, meta, spec) };
        case 'WorkloadEndpoint':
          return { resource: parseWorkloadEndpoint(r, namespace, name, meta, spec) };
        default:
          return { resource: parseProfile(r, name, spec) };
      }
  }
}

function classify(apiVersion: string, kind: string): 'calico' | 'k8s-np' | 'core' | 'unknown' {
  if (CALICO_GROUPS.includes(apiVersion) && (CALICO_NAMESPACED.has(kind) || CALICO_CLUSTER.has(kind))) return 'calico';
  if (apiVersion === 'networking.k8s.io/v1' && kind === 'NetworkPolicy') return 'k8s-np';
  if (apiVersion === 'v1' && CORE.has(kind)) return 'core';
  return 'unknown';
}
