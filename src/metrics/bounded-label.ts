/**
 * Keeps a label's cardinality bounded: the first `limit` distinct values seen get their own label,
 * every later one folds into `other`. A value, once admitted, keeps its label for the life of the
 * process, so counters stay monotonic (a series is never renamed after Prometheus has scraped it).
 */
export class BoundedLabel {
  static readonly OTHER = 'other';
  private readonly admitted = new Set<string>();

  constructor(private readonly limit: number) {}

  /** The label to use for `value`; admits it while there is room. */
  of(value: string): string {
    if (this.admitted.has(value)) return value;
    if (this.admitted.size < this.limit) {
      this.admitted.add(value);
      return value;
    }
    return BoundedLabel.OTHER;
  }

  get size(): number {
    return this.admitted.size;
  }
}
