/**
 * Labels that differ pod by pod or rollout by rollout by design: a selector on them would match one
 * pod or one revision, never the workload.
 */
const VOLATILE_LABELS = new Set([
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'job-name',
  'batch.kubernetes.io/job-name',
  'batch.kubernetes.io/job-completion-index',
]);

/** Labels every observed label set of a workload carried with the same value (volatile ones left out), sorted. */
export function stableLabels(labelSets: ReadonlyArray<Readonly<Record<string, string>>>): Array<[string, string]> {
  if (labelSets.length === 0) return [];
  const [first, ...rest] = labelSets;
  return Object.entries(first)
    .filter(([k, v]) => !VOLATILE_LABELS.has(k) && rest.every((s) => s[k] === v))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A Calico selector for the label pairs (all must hold); `all()` when there are none. */
export function selectorFor(labels: ReadonlyArray<[string, string]>): string {
  return labels.length ? labels.map(([k, v]) => `${k} == '${v.replace(/'/g, "\\'")}'`).join(' && ') : 'all()';
}

/** The workload's display name: the owner's name without its kind (`ReplicaSet/web-abc` -> `web-abc`). */
export function workloadName(workload: string): string {
  const slash = workload.lastIndexOf('/');
  return slash >= 0 ? workload.slice(slash + 1) : workload;
}
