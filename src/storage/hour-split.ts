/**
 * A time range cut at hour boundaries, for reads that take whole hours from an hourly rollup and the
 * partial hours at the range's ends from a finer source (a per-minute rollup, the flows): the answer
 * is the finer source's for any range.
 */

const HOUR_MS = 3_600_000;

export interface MsRange {
  fromMs: number;
  toMs: number;
}

export interface HourSplit {
  /** The whole hours inside the range (start of the first, end of the last); absent when there is none. */
  hours?: MsRange;
  /** The rest of the range: at most two pieces, each within one hour. */
  edges: MsRange[];
}

/** [fromMs, toMs) as its whole hours and the pieces of hours at its ends; an empty range has neither. */
export function splitAtHours(fromMs: number, toMs: number): HourSplit {
  if (!(toMs > fromMs)) return { edges: [] };
  const first = Math.ceil(fromMs / HOUR_MS) * HOUR_MS;
  const end = Math.floor(toMs / HOUR_MS) * HOUR_MS;
  if (first >= end) {
    // No whole hour: the range is within one hour, or crosses one boundary.
    const cut = Math.min(first, toMs);
    return { edges: [{ fromMs, toMs: cut }, { fromMs: cut, toMs }].filter((r) => r.toMs > r.fromMs) };
  }
  return { hours: { fromMs: first, toMs: end }, edges: [{ fromMs, toMs: first }, { fromMs: end, toMs }].filter((r) => r.toMs > r.fromMs) };
}
