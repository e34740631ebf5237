/**
 * Where a newest-first page may start reading. The flows table is sorted by hour, then destination
 * namespace and deciding policy, then time: without a bound, a newest-first page reads and sorts
 * every row of the newest hour, so its cost grows with the ingest rate (10 million flows in one hour
 * made the newest page take 0.6 s on two cores). The per-minute decision rollup says how many
 * records each minute holds; the newest minutes that hold a page's rows give a lower time bound, and
 * the page reads only the rows after it.
 *
 * The bound is a hint: a page read after it is kept only when it came back full, so a rollup that
 * counts more than flows holds (rows past retention, a lost insert) costs a second read, never a row.
 */

const MINUTE_MS = 60_000;

/**
 * How far back the rollup is asked for the minutes holding a page. A range quieter than a page per
 * hour is read without a bound: its newest hour is small anyway.
 */
export const NEWEST_PROBE_MINUTES = 60;

export interface MinuteCount {
  /** The minute's start, ms since the epoch. */
  minuteMs: number;
  records: number;
}

/**
 * The minutes a probe asks about: whole minutes strictly before the one holding `upperMs` (rows in
 * that minute may lie after the page's upper end, where the rollup cannot tell them apart), going
 * `minutes` back but not before `fromMs`. undefined when no whole minute fits.
 */
export function probeWindow(fromMs: number, upperMs: number, minutes: number): { from: number; to: number } | undefined {
  const to = Math.floor(upperMs / MINUTE_MS) * MINUTE_MS;
  const from = Math.max(Math.ceil(fromMs / MINUTE_MS) * MINUTE_MS, to - minutes * MINUTE_MS);
  return from < to ? { from, to } : undefined;
}

/**
 * The start of the newest minute from which on the counted minutes hold at least `rows` records
 * (`counts` in any order, one entry per minute); undefined when together they hold fewer.
 */
export function newestBound(counts: readonly MinuteCount[], rows: number): number | undefined {
  let held = 0;
  for (const c of [...counts].sort((a, b) => b.minuteMs - a.minuteMs)) {
    held += c.records;
    if (held >= rows) return c.minuteMs;
  }
  return undefined;
}
