/**
 * Expands the macros of Grafana's ClickHouse data source the way the plugin does, so a dashboard's
 * SQL can run as-is on the embedded engine. Anything left starting with `$` is an unknown macro or
 * variable, and an error: a dashboard must not depend on something the test cannot check.
 */
export function expandClickHouseMacros(sql: string, range: { from: Date; to: Date; intervalSeconds: number }): string {
  const from = Math.floor(range.from.getTime() / 1000);
  const to = Math.floor(range.to.getTime() / 1000);
  const expanded = sql
    .replace(/\$__timeFilter_ms\(([^)]+)\)/g, (_, c: string) => `${c} >= fromUnixTimestamp64Milli(${range.from.getTime()}) AND ${c} <= fromUnixTimestamp64Milli(${range.to.getTime()})`)
    .replace(/\$__timeFilter\(([^)]+)\)/g, (_, c: string) => `${c} >= toDateTime(${from}) AND ${c} <= toDateTime(${to})`)
    .replace(/\$__timeInterval\(([^)]+)\)/g, (_, c: string) => `toStartOfInterval(toDateTime(${c}), INTERVAL ${range.intervalSeconds} second)`)
    .replace(/\$__fromTime/g, `toDateTime(${from})`)
    .replace(/\$__toTime/g, `toDateTime(${to})`)
    .replace(/\$__interval_s/g, String(range.intervalSeconds));
  const left = /\$[A-Za-z_{][\w}]*/.exec(expanded);
  if (left) throw new Error(`unexpanded macro or variable ${left[0]} in: ${sql}`);
  return expanded;
}
