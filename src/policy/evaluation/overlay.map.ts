/**
 * An immutable map that is cheap to derive with a few changes: a shared base plus a small map of
 * changes (undefined = removed). Snapshots of one cluster differ by a pod or two, and copying a
 * 10,000-entry map per change would cost more than the change itself; the base is only copied
 * (flattened) once the changes grow past a share of it, so each update costs O(changes) amortised.
 */
export class OverlayMap<K, V> {
  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly delta: ReadonlyMap<K, V | undefined>,
  ) {}

  static of<K, V>(base: ReadonlyMap<K, V>): OverlayMap<K, V> {
    return new OverlayMap(base, new Map());
  }

  get(k: K): V | undefined {
    if (this.delta.size !== 0) {
      const d = this.delta.get(k);
      if (d !== undefined || this.delta.has(k)) return d;
    }
    return this.base.get(k);
  }

  has(k: K): boolean {
    return this.get(k) !== undefined;
  }

  /** This map with `changes` applied (undefined removes a key). */
  with(changes: ReadonlyMap<K, V | undefined>): OverlayMap<K, V> {
    if (changes.size === 0) return this;
    const delta = new Map(this.delta);
    for (const [k, v] of changes) delta.set(k, v);
    // Flattening costs O(base); doing it once the changes reach 1/16 of the base keeps both the
    // amortised update cost and the lookups' second probe small.
    if (delta.size <= 64 + (this.base.size >> 4)) return new OverlayMap(this.base, delta);
    const flat = new Map(this.base);
    for (const [k, v] of delta) {
      if (v === undefined) flat.delete(k);
      else flat.set(k, v);
    }
    return new OverlayMap(flat, new Map());
  }

  *entries(): IterableIterator<[K, V]> {
    for (const e of this.base) if (!this.delta.has(e[0])) yield e;
    for (const [k, v] of this.delta) if (v !== undefined) yield [k, v];
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }
}
