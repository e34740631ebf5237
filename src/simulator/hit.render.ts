import { HitKind, PolicyHit, PROFILE_TIER } from '../policy';

/** Which generation of policy-hit string a dataplane writes (see flow-formats.md section 2). */
export type HitGeneration = 'g1' | 'g2' | 'g3';

const G3_KIND: Record<HitKind, string> = {
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

const STAGED: ReadonlySet<HitKind> = new Set(['StagedGlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedKubernetesNetworkPolicy']);

/** A hit as the dataplane names it in G1/G2 strings: staged marker and namespace folded into the name. */
function legacyName(h: Pick<PolicyHit, 'kind' | 'namespace' | 'name'>): string {
  if (h.kind === 'Profile') return `${PROFILE_TIER}.${h.name}`;
  const name = STAGED.has(h.kind) ? `staged:${h.name}` : h.name;
  return h.namespace ? `${h.namespace}/${name}` : name;
}

/** Kubernetes policies are `knp.default.<name>` in the engine; G3 names them by their own name. */
function g3Name(h: Pick<PolicyHit, 'kind' | 'namespace' | 'name'>): string {
  const k8s = h.kind === 'KubernetesNetworkPolicy' || h.kind === 'StagedKubernetesNetworkPolicy';
  const name = k8s && h.name.startsWith('knp.default.') ? h.name.slice('knp.default.'.length) : h.name;
  return `${G3_KIND[h.kind]}:${h.namespace ? h.namespace + '/' : ''}${name}`;
}

/**
 * Renders one hit. `action` may be `log` for the log events flowscope's own format carries; the
 * real dataplanes never write one.
 */
export function renderHit(
  h: Pick<PolicyHit, 'tier' | 'kind' | 'namespace' | 'name' | 'ruleIndex'>,
  index: number,
  action: string,
  gen: HitGeneration,
): string {
  switch (gen) {
    case 'g1':
      return `${index}|${h.tier}|${legacyName(h)}|${action}`;
    case 'g2':
      return `${index}|${h.tier}|${legacyName(h)}|${action}|${h.ruleIndex}`;
    case 'g3':
      return `${index}|${h.tier}|${g3Name(h)}|${action}|${h.ruleIndex}`;
  }
}

export function renderTrace(hits: readonly PolicyHit[], gen: HitGeneration): string[] {
  return hits.map((h, i) => renderHit(h, i, h.action, gen));
}
