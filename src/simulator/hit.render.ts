import { g3Identity, HitKind, PolicyHit, PROFILE_TIER } from '../policy';

/** Which generation of policy-hit string a dataplane writes (see flow-formats.md section 2). */
export type HitGeneration = 'g1' | 'g2' | 'g3';


const STAGED: ReadonlySet<HitKind> = new Set(['StagedGlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedKubernetesNetworkPolicy']);

/** A hit as the dataplane names it in G1/G2 strings: staged marker and namespace folded into the name. */
function legacyName(h: Pick<PolicyHit, 'kind' | 'namespace' | 'name'>): string {
  if (h.kind === 'Profile') return `${PROFILE_TIER}.${h.name}`;
  const name = STAGED.has(h.kind) ? `staged:${h.name}` : h.name;
  return h.namespace ? `${h.namespace}/${name}` : name;
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
      return `${index}|${h.tier}|${g3Identity(h)}|${action}|${h.ruleIndex}`;
  }
}

export function renderTrace(hits: readonly PolicyHit[], gen: HitGeneration): string[] {
  return hits.map((h, i) => renderHit(h, i, h.action, gen));
}
