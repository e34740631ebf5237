import { normalizeResource, Resource } from '../policy/model';

/** One version of one resource: what it was from `validFrom` until the next version of its key. */
export interface InventoryVersion {
  /** The policy model's key: `kind/namespace/name` (canonical policy names, e.g. `tier.name`). */
  key: string;
  kind: string;
  namespace: string;
  name: string;
  /** Identity as written in the manifest, so users can delete by what they applied. */
  manifestKind: string;
  manifestName: string;
  validFrom: number;
  deleted: boolean;
  manifest: unknown;
  source: string;
}

interface Entry {
  version: InventoryVersion;
  resource?: Resource;
}

/**
 * The history of the cluster's resources, in memory: per key, versions sorted by validFrom.
 * `stateAt(t)` rebuilds the inventory as it was at t; `epochAt(t)` numbers the distinct states so
 * callers can cache what they derive from one (a policy snapshot) until the next change.
 */
export class InventoryTimeline {
  private readonly byKey = new Map<string, Entry[]>();
  /** Distinct change instants, sorted: kept so on every add, since epochAt runs per flow record. */
  private readonly changeTimes: number[] = [];
  /** The keys with a version at each change instant: what differs between two states. */
  private readonly keysAt = new Map<number, Set<string>>();
  /**
   * Bumped when a version lands at or before the latest change: earlier states (and epoch numbers)
   * may then differ, so anything cached by epoch must be keyed by generation too.
   */
  generation = 0;

  get size(): number {
    return this.byKey.size;
  }

  add(version: InventoryVersion, resource?: Resource): void {
    let list = this.byKey.get(version.key);
    if (!list) this.byKey.set(version.key, (list = []));
    // Versions mostly arrive in time order; backfills are inserted where they belong.
    let i = list.length;
    while (i > 0 && list[i - 1].version.validFrom > version.validFrom) i--;
    if (i > 0 && list[i - 1].version.validFrom === version.validFrom) {
      list[i - 1] = { version, resource }; // same instant: the later write wins, as in storage
    } else {
      list.splice(i, 0, { version, resource });
    }
    const t = version.validFrom;
    let keys = this.keysAt.get(t);
    if (!keys) this.keysAt.set(t, (keys = new Set()));
    keys.add(version.key);
    const n = this.changeTimes.length;
    if (n === 0 || t > this.changeTimes[n - 1]) {
      this.changeTimes.push(t);
    } else {
      this.generation++;
      const at = countAtOrBefore(this.changeTimes, t);
      if (this.changeTimes[at - 1] !== t) this.changeTimes.splice(at, 0, t);
    }
  }

  /** True when the key already has a version at exactly this instant with this deleted state. */
  hasVersion(key: string, validFrom: number, deleted: boolean): boolean {
    return this.byKey.get(key)?.some((e) => e.version.validFrom === validFrom && e.version.deleted === deleted) ?? false;
  }

  /** The resources that existed at instant t (deleted ones and not-yet-created ones excluded). */
  stateAt(t: number): Resource[] {
    const out: Resource[] = [];
    for (const list of this.byKey.values()) {
      const e = latestAtOrBefore(list, t);
      if (e && !e.version.deleted) out.push(this.resourceOf(e));
    }
    return out;
  }

  /** The resources that existed at instant t, each with the version it came from (when it took effect). */
  versionsAt(t: number): Array<{ version: InventoryVersion; resource: Resource }> {
    const out: Array<{ version: InventoryVersion; resource: Resource }> = [];
    for (const list of this.byKey.values()) {
      const e = latestAtOrBefore(list, t);
      if (e && !e.version.deleted) out.push({ version: e.version, resource: this.resourceOf(e) });
    }
    return out;
  }

  /** Every resource version that existed at some instant of [from, to). */
  resourcesLiveIn(from: number, to: number): Resource[] {
    const out: Resource[] = [];
    for (const list of this.byKey.values()) {
      list.forEach((e, i) => {
        const until = i + 1 < list.length ? list[i + 1].version.validFrom : Infinity;
        if (!e.version.deleted && e.version.validFrom < to && until > from) out.push(this.resourceOf(e));
      });
    }
    return out;
  }

  /** The latest version of every resource that exists now. */
  current(): InventoryVersion[] {
    const out: InventoryVersion[] = [];
    for (const list of this.byKey.values()) {
      const last = list[list.length - 1];
      if (!last.version.deleted) out.push(last.version);
    }
    return out;
  }

  /** The change instants in [from, to), sorted: the points where the inventory differed inside a window. */
  changeTimesIn(from: number, to: number): number[] {
    return this.changeTimes.slice(countAtOrBefore(this.changeTimes, from - 1), countAtOrBefore(this.changeTimes, to - 1));
  }

  /**
   * How the state at `to` differs from the state at `from` (either may be the later): the resources
   * to add or replace and the keys to remove; unchanged resources are the same objects as
   * `stateAt` returns. Undefined when more than `limit` keys changed (rebuilding is then cheaper).
   */
  changesBetween(from: number, to: number, limit = Infinity): { upserts: Resource[]; deletions: string[] } | undefined {
    const lo = countAtOrBefore(this.changeTimes, Math.min(from, to));
    const hi = countAtOrBefore(this.changeTimes, Math.max(from, to));
    const keys = new Set<string>();
    for (let i = lo; i < hi; i++) {
      for (const k of this.keysAt.get(this.changeTimes[i]) ?? []) keys.add(k);
      if (keys.size > limit) return undefined;
    }
    const upserts: Resource[] = [];
    const deletions: string[] = [];
    for (const k of keys) {
      const e = latestAtOrBefore(this.byKey.get(k) ?? [], to);
      if (e && !e.version.deleted) upserts.push(this.resourceOf(e));
      else deletions.push(k);
    }
    return { upserts, deletions };
  }

  /** How many distinct change instants lie at or before t: equal epochs mean equal states. */
  epochAt(t: number): number {
    return countAtOrBefore(this.changeTimes, t);
  }


  /** The live resource a user means by kind/namespace/name: the model's key or the manifest's identity. */
  findLive(kind: string, namespace: string, name: string): InventoryVersion | undefined {
    const direct = this.byKey.get(`${kind}/${namespace}/${name}`);
    const last = direct?.[direct.length - 1];
    if (last && !last.version.deleted) return last.version;
    for (const list of this.byKey.values()) {
      const v = list[list.length - 1].version;
      if (!v.deleted && v.manifestKind === kind && v.namespace === namespace && v.manifestName === name) return v;
    }
    return undefined;
  }

  private resourceOf(e: Entry): Resource {
    if (!e.resource) {
      const out = normalizeResource(e.version.manifest);
      if (!('resource' in out)) throw new Error(`inventory version ${e.version.key} is not a policy-model resource`);
      e.resource = out.resource;
    }
    return e.resource;
  }
}

function latestAtOrBefore(list: Entry[], t: number): Entry | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].version.validFrom <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? list[lo - 1] : undefined;
}

/** How many of the sorted values are <= t. */
function countAtOrBefore(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
