/**
 * Where a newest-first page reads. The flows table is sorted by hour, then destination namespace
 * and deciding policy, then time: a newest-first page reads hour after hour, newest first, each
 * hour whole. Unbounded, that costs the whole newest hour (10 million flows in one hour made the
 * newest page take 0.6 s on two cores) and, for a filter that matches little, every hour of the
 * range. The per-minute decision rollup (the counts the stats show) tells which minutes and hours
 * hold matching records: a page reads only from the newest minutes that hold it, and a filter that
 * does not fill its page there reads its newest hour (none of it but the last minute when the
 * counts show no match in it), then only the older hours that hold a match.
 *
 * A bound that the counts promise holds the rows asked for is a hint: the read after it is kept
 * only when it came back full, so counts higher than what flows holds (rows past retention) cost a
 * second read, never a row. Skipping an hour, or the part of the newest hour the counts show empty,
 * relies on the counts covering every stored flow, which the rollup's view does for every insert
 * into flows (a retried batch fills it in together with the table, as the per-address table that
 * IP search reads).
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * How far back the rollup is asked, minute by minute, for the minutes holding a page without a
 * filter. A range quieter than a page per hour is read as it is: its newest hours are small.
 */
export const NEWEST_PROBE_MINUTES = 60;

/** The start of the hour holding `ms` (UTC). */
export function startOfHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

export interface BucketCount {
  /** The minute's or hour's start, ms since the epoch. */
  startMs: number;
  records: number;
}

/** Which older hours a page reads, from the rollup's counts per hour. */
export interface HourPlan {
  /** Only rows starting at or after this time (ms). */
  fromMs?: number;
  /** Only rows in these hours (their starts, ms, newest first); empty: there is nothing to read. */
  hours: number[];
  /** The counts promise the rows asked for within the plan: a short read means they were off. */
  promisesFullPage: boolean;
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
 * The start of the newest bucket from which on the counted buckets hold at least `rows` records
 * (`counts` in any order, one entry per bucket); undefined when together they hold fewer.
 */
export function newestBound(counts: readonly BucketCount[], rows: number): number | undefined {
  let held = 0;
  for (const c of [...counts].sort((a, b) => b.startMs - a.startMs)) {
    held += c.records;
    if (held >= rows) return c.startMs;
  }
  return undefined;
}

/**
 * The plan from the counts per hour of the hours a page reads after its newest one (those with no
 * record may be left out): the newest hours that hold `rows` records bound the read; without such a
 * bound those hours hold fewer, and only the ones that hold records are read.
 */
export function hourPlan(counts: readonly BucketCount[], rows: number, fromMs: number): HourPlan {
  const bound = newestBound(counts, rows);
  const hours = counts.filter((c) => c.records > 0 && (bound === undefined || c.startMs >= bound)).map((c) => c.startMs).sort((a, b) => b - a);
  return { fromMs: bound !== undefined && bound > fromMs ? bound : undefined, hours, promisesFullPage: bound !== undefined };
}

/**
 * Where a filtered page's read of its newest hour starts (`hourStart`, the hour holding the page's
 * upper end): when the probe's minutes (`window`, counts per minute) cover that hour from its start
 * (or the range's, when later) and count no match there, only the minute the probe leaves out (the
 * one holding the upper end, from `window.to`) can hold one; otherwise the whole hour is read.
 */
export function newestHourFrom(hourStart: number, fromMs: number, window: { from: number; to: number } | undefined, minutes: readonly BucketCount[]): number {
  if (!window || window.from > Math.max(hourStart, fromMs)) return hourStart;
  const counted = minutes.some((c) => c.startMs >= hourStart && c.records > 0);
  return counted ? hourStart : Math.max(hourStart, window.to);
}
