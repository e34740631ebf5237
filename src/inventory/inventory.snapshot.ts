import { isPolicy, PolicyResource, PolicySnapshot, Resource, Rule } from '../policy';

/**
 * The inventory as it was at one instant: the policy engine's compiled snapshot plus the look-ups
 * enrichment needs (namespace labels, policies by key, tier orders).
 */
export class InventorySnapshot {
  readonly engine: PolicySnapshot;
  private readonly namespaceLabels: Map<string, Readonly<Record<string, string>>>;
  private readonly policies: Map<string, PolicyResource>;
  private readonly tierOrders = new Map<string, number | null>();
  /** False when no rule matches on source ports: the ephemeral source port can then be ignored. */
  readonly usesSourcePorts: boolean;
  private readonly memo = new Map<string, unknown>();

  constructor(resources: readonly Resource[]);
  constructor(resources: readonly Resource[], derived: { engine: PolicySnapshot; from: InventorySnapshot; lookupsChanged: boolean });
  constructor(resources: readonly Resource[], derived?: { engine: PolicySnapshot; from: InventorySnapshot; lookupsChanged: boolean }) {
    this.engine = derived?.engine ?? new PolicySnapshot(resources);
    if (derived && !derived.lookupsChanged) {
      // Endpoint changes only: namespaces and policies are the same objects, share their look-ups.
      this.namespaceLabels = derived.from.namespaceLabels;
      this.policies = derived.from.policies;
    } else {
      this.namespaceLabels = new Map();
      this.policies = new Map();
      for (const r of derived ? derived.engine.resources : resources) {
        // A plain copy, once per snapshot: enriched rows share it (and its label set id) read-only.
        if (r.kind === 'Namespace') this.namespaceLabels.set(r.name, { ...r.labels });
        else if (isPolicy(r)) this.policies.set(r.key, r);
      }
    }
    for (const t of this.engine.tiers) this.tierOrders.set(t.name, t.order);
    this.usesSourcePorts = this.engine.usesSourcePorts;
  }

  /**
   * The inventory with these changes applied, derived from this one: endpoint changes are applied
   * to the compiled snapshot instead of rebuilding it (see PolicySnapshot.withChanges). This one
   * stays valid: flows are decided as of their own time, so several states are in use at once.
   */
  withChanges(upserts: readonly Resource[], deletions: readonly string[]): InventorySnapshot {
    const lookupsChanged =
      upserts.some((r) => r.kind === 'Namespace' || isPolicy(r)) ||
      deletions.some((k) => k.startsWith('Namespace/') || this.policies.has(k));
    return new InventorySnapshot([], { engine: this.engine.withChanges(upserts, deletions), from: this, lookupsChanged });
  }

  /**
   * Memoises what callers derive from this snapshot (attribution: flows repeat, and a snapshot's
   * answers never change). Bounded: cleared when full, so distinct keys cannot grow memory.
   */
  remember<T>(key: string, compute: () => T): T {
    // One look-up per call (attribution makes four per record): `undefined` answers are kept as NONE.
    const known = this.memo.get(key);
    if (known !== undefined) return (known === NONE ? undefined : known) as T;
    const value = compute();
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(key, value === undefined ? NONE : value);
    return value;
  }

  labelsOfNamespace(namespace: string): Readonly<Record<string, string>> {
    return this.namespaceLabels.get(namespace) ?? EMPTY;
  }

  policy(key: string): PolicyResource | undefined {
    return this.policies.get(key);
  }

  /** undefined: no such tier; null: a tier without order. */
  tierOrder(tier: string): number | null | undefined {
    return this.tierOrders.get(tier);
  }

  /** The rule a hit names, in the direction the reporter evaluated (src = egress, dst = ingress). */
  rule(policyKey: string, reporter: string, ruleIndex: number): Rule | undefined {
    const p = this.policies.get(policyKey);
    if (!p || ruleIndex < 0) return undefined;
    return (reporter === 'src' ? p.egress : p.ingress)[ruleIndex];
  }
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
const MEMO_LIMIT = 200_000;
/** A memoised `undefined`. */
const NONE = Symbol('none');
