import { isPolicy, PolicyResource, Resource, resourceKey } from '../policy';

/**
 * A what-if change to the inventory: resources added or replaced (by key) and keys removed.
 * It is laid over the inventory of every instant replayed, as if it had been applied throughout.
 */
export interface Candidate {
  readonly upserts: readonly Resource[];
  readonly deletions: readonly string[];
}

export const NO_CHANGE: Candidate = Object.freeze({ upserts: [], deletions: [] });

/**
 * A staged policy stands for the change it would make when promoted: `Set` becomes its enforced
 * twin (same canonical name), `Delete` removes the twin. Replays compare enforced verdicts, so a
 * candidate written in the staged form is judged by what applying it would do.
 */
export function promoteStaged(c: Candidate): Candidate {
  const upserts: Resource[] = [];
  const deletions = [...c.deletions];
  for (const r of c.upserts) {
    if (!isPolicy(r) || !r.staged) {
      upserts.push(r);
      continue;
    }
    const key = resourceKey(r.enforcedKind, r.namespace, r.name);
    if (r.stagedAction === 'Delete') deletions.push(key);
    else if (r.stagedAction === undefined || r.stagedAction === 'Set') upserts.push(enforcedTwin(r, key));
    // Learn / Ignore change nothing when promoted.
  }
  return { upserts, deletions };
}

function enforcedTwin(r: PolicyResource, key: string): PolicyResource {
  return { ...r, key, kind: r.enforcedKind, staged: false, stagedAction: undefined };
}

/** The resources of `state` with the candidate laid over (replacements keep no trace of the old version). */
export function applyCandidate(state: readonly Resource[], c: Candidate): Resource[] {
  if (c.upserts.length === 0 && c.deletions.length === 0) return [...state];
  const gone = new Set(c.deletions);
  for (const r of c.upserts) gone.add(r.key);
  return [...state.filter((r) => !gone.has(r.key)), ...c.upserts];
}
