import { Resource } from '../policy';
import { FlowGroup, InventoryHistory } from './flow-group';
import { replay, ReplayOptions, ReplayResult } from './replay';

export interface ProposedChange {
  /** '' for a cluster-scoped policy: every flow may change. */
  namespace: string;
  resource: Resource;
}

/**
 * One replay per proposal, done jointly: every proposal (one per resource key) is applied at once
 * and replayed once; only a proposal whose flows change in the joint replay (or that shares its
 * key with an earlier one) is replayed alone, to attribute the changes. An unchanged proposal's
 * uncertain count is that of its flows in the joint replay. Sound because a
 * tightening only narrows Allow rules (a flow allowed with all of them applied is allowed with any
 * one), and a new policy for an unprotected workload only decides flows of that workload.
 */
export function replayJointly(changes: readonly ProposedChange[], all: readonly FlowGroup[], history: InventoryHistory, opts: ReplayOptions = {}): ReplayResult[] {
  // One pass over the groups, not one per proposal: hundreds of proposals share a few namespaces.
  const byNamespace = new Map<string, FlowGroup[]>();
  for (const g of all) {
    push(byNamespace, g.srcNamespace, g);
    if (g.dstNamespace !== g.srcNamespace) push(byNamespace, g.dstNamespace, g);
  }
  const relevant = changes.map((c) => (c.namespace === '' ? all : (byNamespace.get(c.namespace) ?? [])));
  const seen = new Set<string>();
  const joint = changes.map((c) => !seen.has(c.resource.key) && !!seen.add(c.resource.key));
  const uncertain = new Set<FlowGroup>();
  const together = replay(all, history, { upserts: changes.filter((_, i) => joint[i]).map((c) => c.resource), deletions: [] }, { ...opts, onUncertain: (g) => uncertain.add(g) });
  const changed = new Set<FlowGroup>([...together.allowToDeny, ...together.denyToAllow].map((c) => c.group));
  return changes.map((c, i) => {
    const groups = relevant[i];
    if (joint[i] && !together.partial && !groups.some((g) => changed.has(g))) {
      return { flowGroups: groups.length, evaluated: groups.length, unchanged: groups.length, changed: 0, allowToDeny: [], denyToAllow: [], unreadable: 0, uncertain: groups.filter((g) => uncertain.has(g)).length, partial: false };
    }
    return replay(groups, history, { upserts: [c.resource], deletions: [] }, opts);
  });
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
