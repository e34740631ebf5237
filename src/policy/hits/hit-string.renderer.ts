import { HitKind, PolicyHit, PROFILE_TIER } from './hit.types';

/**
 * Renders an engine PolicyHit as the newest (G3, Calico OSS 3.32+) hit string
 * `index|tier|kind:[namespace/]name|action|ruleIndex` (flow-formats.md §2), so Goldmane's
 * structured hits are stored like the strings of every other format and parse back to the same hit.
 */
const G3_PREFIX: Readonly<Record<HitKind, string>> = {
  GlobalNetworkPolicy: 'gnp',
  NetworkPolicy: 'np',
  KubernetesNetworkPolicy: 'knp',
  StagedGlobalNetworkPolicy: 'sgnp',
  StagedNetworkPolicy: 'snp',
  StagedKubernetesNetworkPolicy: 'sknp',
  ClusterNetworkPolicy: 'kcnp',
  Profile: 'pro',
  EndOfTier: 'eot',
};

/** Kinds whose G3 form carries `namespace/` (the engine's parser requires it for these, rejects it for others). */
const NAMESPACED: ReadonlySet<HitKind> = new Set<HitKind>([
  'NetworkPolicy', 'KubernetesNetworkPolicy', 'StagedNetworkPolicy', 'StagedKubernetesNetworkPolicy',
]);

const KNP_PREFIX = 'knp.default.';
const PROFILE_PREFIX = PROFILE_TIER + '.';

/** The `kind:[namespace/]name` field of a G3 string for this hit. */
export function g3Identity(hit: Pick<PolicyHit, 'kind' | 'namespace' | 'name' | 'tier'>): string {
  const prefix = G3_PREFIX[hit.kind];
  if (prefix === undefined) throw new Error(`kind: no G3 form for ${JSON.stringify(hit.kind)}`);
  let name = hit.name;
  // Canonical Kubernetes names are `knp.default.<name>`; G3 writes the bare name (`knp:ns/name`).
  if ((hit.kind === 'KubernetesNetworkPolicy' || hit.kind === 'StagedKubernetesNetworkPolicy') && name.startsWith(KNP_PREFIX)) {
    name = name.slice(KNP_PREFIX.length);
  } else if (hit.kind === 'Profile' && name.startsWith(PROFILE_PREFIX)) {
    // G3 profiles are `pro:kns.<ns>`; the G2-style `__PROFILE__.` prefix is dropped.
    name = name.slice(PROFILE_PREFIX.length);
  }
  let who: string;
  if (NAMESPACED.has(hit.kind)) {
    if (!hit.namespace) throw new Error(`namespace: ${hit.kind} ${JSON.stringify(hit.name)} has no namespace`);
    who = `${prefix}:${hit.namespace}/${name}`;
  } else {
    if (name.indexOf('/') >= 0) throw new Error(`name: ${JSON.stringify(hit.name)} contains '/'`);
    who = `${prefix}:${name}`;
  }
  if (hit.tier.indexOf('|') >= 0 || who.indexOf('|') >= 0) throw new Error(`name: ${JSON.stringify(hit.name)} or tier contains '|'`);
  return who;
}

/**
 * Renders an engine PolicyHit as a G3 string; `action` may be given for flowscope's own `log`
 * hits, which no Calico dataplane writes. Throws (plain Error, with the reason) when the hit cannot
 * be written as a G3 string: a namespaced kind without namespace, or a `|` in a field. Not
 * representable, by design: an end-of-tier hit's `trigger` and a namespace on a cluster-scoped kind.
 */
export function renderPolicyHitG3(hit: PolicyHit, action: string = hit.action): string {
  return `${hit.index}|${hit.tier}|${g3Identity(hit)}|${action}|${hit.ruleIndex}`;
}
