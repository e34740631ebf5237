import { FlowEvaluation, FlowInput, normalizeResource, PolicySnapshot, Resource } from '../policy';
import { Manifest, manifestKey } from './cluster.types';

/**
 * The simulator's window onto the policy engine. Every trace the simulator emits comes from
 * here, so simulated data can never disagree with the engine (except where a stale trace is
 * injected on purpose).
 *
 * Snapshots are immutable and rebuilding one for 10k pods costs ~200 ms, so pod churn does not
 * rebuild: callers evaluate with the IPs of *representative* pods (any pod of the same
 * deployment that the snapshot knows, see `representatives`), since pods of one deployment share
 * labels, namespace, service account and named ports, hence traces. For the same reason
 * evaluations are cached by a caller-supplied class key. Policy, tier, profile and network-set
 * changes drop the snapshot and the cache; the next evaluation rebuilds with every pod.
 */
export class VerdictOracle {
  private readonly resources = new Map<string, Resource>();
  private readonly resourceKeys = new Map<string, string>();
  private snapshot: PolicySnapshot | null = null;
  private readonly cache = new Map<string, FlowEvaluation>();
  private rebuildCount = 0;
  private evaluationCount = 0;

  constructor(manifests: readonly Manifest[]) {
    for (const m of manifests) this.upsert(m);
  }

  upsert(m: Manifest): void {
    const out = normalizeResource(m);
    if (!('resource' in out)) return;
    // The engine keys policies by canonical name (`tier.name`, `knp.default.name`), the
    // inventory by the manifest's own name: remember the mapping for deletes.
    this.resourceKeys.set(manifestKey(m), out.resource.key);
    this.resources.set(out.resource.key, out.resource);
    this.changed(m.kind);
  }

  /** Deletes by manifest key (`kind/namespace/name`), as the inventory topic's tombstones carry it. */
  remove(key: string): void {
    const rk = this.resourceKeys.get(key);
    if (rk === undefined) return;
    this.resourceKeys.delete(key);
    this.resources.delete(rk);
    this.changed(key.slice(0, key.indexOf('/')));
  }

  private changed(kind: string): void {
    if (kind === 'Pod') return;
    this.snapshot = null;
    this.cache.clear();
  }

  /** The snapshot traces come from. Pods added since it was built are not in it (see above). */
  current(): PolicySnapshot {
    if (!this.snapshot) {
      this.snapshot = new PolicySnapshot([...this.resources.values()]);
      this.rebuildCount++;
      this.generation++;
    }
    return this.snapshot;
  }

  /** Bumped at every rebuild: callers re-pick representative pods when it changes. */
  generation = 0;

  /** Whether the snapshot traces come from knows this pod (by engine key `Pod/ns/name`). */
  knowsPod(namespace: string, name: string): boolean {
    const snap = this.current();
    return snap.findEndpoint({ kind: 'Pod', namespace, name }) !== undefined;
  }

  /** A snapshot of everything the oracle holds now, pods included (for checks, not the hot path). */
  fresh(): PolicySnapshot {
    return new PolicySnapshot([...this.resources.values()]);
  }

  /** `classKey` must identify everything the verdict depends on except the pod itself. */
  evaluate(flow: () => FlowInput, classKey: string): FlowEvaluation {
    let ev = this.cache.get(classKey);
    if (!ev) {
      ev = this.current().evaluateFlow(flow());
      this.evaluationCount++;
      if (this.cache.size > 500_000) this.cache.clear();
      this.cache.set(classKey, ev);
    }
    return ev;
  }

  stats(): { rebuilds: number; evaluations: number; cached: number } {
    return { rebuilds: this.rebuildCount, evaluations: this.evaluationCount, cached: this.cache.size };
  }
}
