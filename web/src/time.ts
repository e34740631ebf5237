/** Time ranges the views offer, with a bucket width that keeps charts at a readable number of bars. */
export const RANGES: Array<[string, string, number]> = [
  ['15m', 'Last 15 minutes', 15],
  ['1h', 'Last hour', 60],
  ['6h', 'Last 6 hours', 360],
  ['24h', 'Last 24 hours', 1440],
  ['7d', 'Last 7 days', 10080],
];

export const INTERVALS: Array<[string, string]> = [
  ['1', '1 minute'],
  ['5', '5 minutes'],
  ['15', '15 minutes'],
  ['60', '1 hour'],
  ['1440', '1 day'],
];

export function rangeMinutes(range: string): number {
  return RANGES.find(([k]) => k === range)?.[2] ?? 60;
}

export function defaultInterval(range: string): string {
  const minutes = rangeMinutes(range);
  return minutes <= 60 ? '1' : minutes <= 360 ? '5' : minutes <= 1440 ? '15' : '60';
}

/** The absolute window of a relative range, ending now (rounded up to the next minute so the current minute counts). */
export function windowOf(range: string, now = Date.now()): { from: string; to: string } {
  const to = Math.ceil((now + 1) / 60_000) * 60_000;
  return { from: new Date(to - rangeMinutes(range) * 60_000).toISOString(), to: new Date(to).toISOString() };
}
