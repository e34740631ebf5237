import { SelectorNode } from '../policy';
import { selectorSql } from './selector.sql';
import { WhereBuilder } from './where.builder';

/**
 * A flow's row id (the API's flow id): its Kafka coordinates, `topic/partition/offset/index`, then
 * `@incarnation` for a partition's later incarnations. Offsets restart when a topic is re-created,
 * so without the incarnation two flows could share an id; the first incarnation ('') keeps the
 * short form that ids had before incarnations were tracked.
 */
export const ROW_ID = `concat(source_topic, '/', toString(source_partition), '/', toString(source_offset), '/', toString(source_index), if(source_incarnation = '', '', concat('@', source_incarnation)))`;

/** An exact address, or a CIDR given as its first and last address. */
export type IpMatch = { ip: string } | { family: 4 | 6; first: string; last: string };

export interface EndpointFilter {
  namespace?: string;
  /** the endpoint's name or its aggregated name */
  name?: string;
  selector?: SelectorNode;
  ip?: IpMatch;
  port?: number;
}

/** Every filter flow search, exports and stats accept (the HTTP layer validates and converts). */
export interface FlowFilter {
  from: Date;
  to: Date;
  action?: string;
  /** either side */
  namespace?: string;
  /** either side */
  ip?: IpMatch;
  src?: EndpointFilter;
  dst?: EndpointFilter;
  protocol?: string;
  reporter?: string;
  /** deciding policy (inventory key) */
  policy?: string;
  tier?: string;
  ruleIndex?: number;
  decisionKind?: string;
  verdictMismatch?: boolean;
  /** with staged policies enforced the engine's verdict would differ from today's */
  pendingVerdictDiffers?: boolean;
  unknownEndpoint?: boolean;
  /** The caller's namespace scope (null = all namespaces). */
  scope: readonly string[] | null;
}

/** Filters the per-minute decision rollup can answer; any other one needs the raw flows. */
const ROLLUP_FIELDS = new Set(['from', 'to', 'action', 'namespace', 'policy', 'tier', 'ruleIndex', 'decisionKind', 'reporter', 'scope']);

export function rollupCanAnswer(f: FlowFilter): boolean {
  const sideOk = (s?: EndpointFilter) => !s || Object.entries(s).every(([k, v]) => v === undefined || k === 'namespace');
  return (
    sideOk(f.src) &&
    sideOk(f.dst) &&
    Object.entries(f).every(([k, v]) => v === undefined || ROLLUP_FIELDS.has(k) || k === 'src' || k === 'dst')
  );
}

function ipSql(column: string, m: IpMatch, bind: (v: unknown, type: string) => string): string {
  if ('ip' in m) return `${column} = ${bind(m.ip, 'String')}`;
  // Range compare: isIPAddressInRange throws on the empty IP an aggregated record stores.
  const to = m.family === 4 ? 'toIPv4OrNull' : 'toIPv6OrNull';
  const family = m.family === 4 ? `position(${column}, ':') = 0` : `position(${column}, ':') > 0`;
  return `(${family} AND ${to}(${column}) BETWEEN ${to}(${bind(m.first, 'String')}) AND ${to}(${bind(m.last, 'String')}))`;
}

/** Which of a filter's IP conditions go through the per-address table (see ipAccess in ip-index.ts). */
export interface IpAccess {
  either?: boolean;
  src?: boolean;
  dst?: boolean;
}

/**
 * The time range on the flows table's first sort key column, the hour: the engine does not derive
 * it from the range on start_time and would otherwise consider every granule of the day. Hours in
 * UTC, as the column's (in a server time zone with a half-hour offset, local hours would cut off
 * rows). Columns named through the table: an output column of the same name must not stand in.
 */
const HOURS = "toStartOfHour(flows.start_time) >= toStartOfHour(fromUnixTimestamp64Milli({from:Int64}, 'UTC')) AND toStartOfHour(flows.start_time) <= toStartOfHour(fromUnixTimestamp64Milli({to:Int64}, 'UTC'))";

/** The flows table's sort key, which flow_ips rows carry: an IN on it lets the engine skip granules. */
const SORT_KEY = 'toStartOfHour(start_time), dst_namespace, decision_policy, start_time';

/** The per-address rows of an IP condition within the filter's range (side undefined: either side). */
export function ipIndexSql(m: IpMatch, side: 'src' | 'dst' | undefined, bind: (v: unknown, type: string) => string): string {
  const ip = 'ip' in m ? `ip = toIPv6(${bind(m.ip, 'String')})` : `ip BETWEEN toIPv6(${bind(m.first, 'String')}) AND toIPv6(${bind(m.last, 'String')})`;
  return `${ip}${side ? ` AND side = '${side}'` : ''} AND start_time >= fromUnixTimestamp64Milli({from:Int64}) AND start_time < fromUnixTimestamp64Milli({to:Int64})`;
}

/**
 * The WHERE of a flow filter on the flows table. `rollup` restricts it to the columns the
 * per-minute decision rollup has (callers check rollupCanAnswer first). `ip` names the IP
 * conditions to narrow through the per-address table first: the exact condition stays, the
 * table only lets the engine skip the granules that cannot match.
 */
/**
 * A search page reads only the newest rows: `rows` of them, strictly older than the cursor's time
 * `beforeMs` or at that very time (the cursor's coordinates then decide).
 */
export interface NewestRows {
  rows: number;
  beforeMs?: number;
}

/** True when the filter selects rows by time range (and the caller's scope) only. */
export function onlyTimeRange(f: FlowFilter): boolean {
  const set = (v: unknown) => v !== undefined;
  const sideSet = (e?: EndpointFilter) => e !== undefined && Object.values(e).some(set);
  return !sideSet(f.src) && !sideSet(f.dst) && Object.entries(f).every(([k, v]) => !set(v) || ['from', 'to', 'src', 'dst', 'scope'].includes(k));
}

/**
 * The side of the filter's one exact address ('either' for `ip`) when that address is its only
 * condition besides the time range (and no namespace scope), else undefined.
 */
export function singleAddress(f: FlowFilter): 'either' | 'src' | 'dst' | undefined {
  if (!onlyIp(f)) return undefined;
  const [side, m] = f.ip !== undefined ? ['either' as const, f.ip] : f.src?.ip !== undefined ? ['src' as const, f.src.ip] : ['dst' as const, f.dst?.ip];
  return m !== undefined && 'ip' in m ? side : undefined;
}

/**
 * True when a newest-first page of this filter reads only the flows granules that hold the
 * address's newest rows (flowWhere with `newest`): a few dozen granules at most, which the engine
 * reads faster in one pass and sorts than newest granule first (see FlowRepository.newestRows).
 */
export function readsNewestKeys(f: FlowFilter, ip: IpAccess): boolean {
  return onlyIp(f) && (ip.either === true || ip.src === true || ip.dst === true);
}

/** True when an IP condition is the filter's only condition besides the time range. */
function onlyIp(f: FlowFilter): boolean {
  const set = (v: unknown) => v !== undefined;
  const sides = [f.src, f.dst].filter((e): e is EndpointFilter => e !== undefined && Object.values(e).some(set));
  const ipConditions = (set(f.ip) ? 1 : 0) + sides.filter((e) => set(e.ip)).length;
  const others = Object.entries(f).filter(([k, v]) => set(v) && !['from', 'to', 'ip', 'src', 'dst', 'scope'].includes(k));
  const sideOthers = sides.some((e) => Object.entries(e).some(([k, v]) => set(v) && k !== 'ip'));
  return ipConditions === 1 && others.length === 0 && !sideOthers && f.scope === null;
}

export function flowWhere(f: FlowFilter, opts: { rollup?: boolean; ip?: IpAccess; newest?: NewestRows } = {}): WhereBuilder {
  const where = new WhereBuilder();
  let n = 0;
  const bind = (value: unknown, type: string): string => {
    const name = `f${n++}`;
    where.params[name] = value;
    return `{${name}:${type}}`;
  };
  if (opts.rollup) {
    where.addAll('minute >= toStartOfMinute(fromUnixTimestamp64Milli({from:Int64})) AND minute < fromUnixTimestamp64Milli({to:Int64})', { from: f.from.getTime(), to: f.to.getTime() });
  } else {
    where.addAll('start_time >= fromUnixTimestamp64Milli({from:Int64}) AND start_time < fromUnixTimestamp64Milli({to:Int64})', { from: f.from.getTime(), to: f.to.getTime() });
    where.addAll(HOURS, {});
  }
  const cond = (sql: string) => where.addAll(sql, {});
  if (f.action !== undefined) cond(`action = ${bind(f.action, 'String')}`);
  if (f.namespace !== undefined) {
    const ns = bind(f.namespace, 'String');
    cond(`(src_namespace = ${ns} OR dst_namespace = ${ns})`);
  }
  const newest = opts.newest && onlyIp(f) ? opts.newest : undefined;
  const viaIndex = (m: IpMatch, side?: 'src' | 'dst') => {
    if (!newest) return cond(`(${SORT_KEY}) IN (SELECT ${SORT_KEY} FROM flow_ips WHERE ${ipIndexSql(m, side, bind)})`);
    // Only the newest rows are wanted and the address is the only condition: every flow_ips row
    // stands for a matching flow, so the newest `rows` distinct sort keys (and any key sharing the
    // last one's time) hold the newest `rows` matching flows. Rows at the cursor's own time are all
    // kept: the cursor's coordinates, not the time, decide which of them come next. The keys are
    // taken from the address's newest rows only (twice as many when either side matches: a flow
    // with the address on both sides has two rows), so a busy address costs a sort of its rows'
    // times, not a DISTINCT over all of its rows' keys (measured on 10 million stored flows: a
    // page of an address with a million flows took 50 ms; a DISTINCT over 800,000 rows, 240 ms).
    const older = newest.beforeMs === undefined ? '' : ` AND start_time < fromUnixTimestamp64Milli(${bind(newest.beforeMs, 'Int64')})`;
    const newestRows = `SELECT ${SORT_KEY} FROM flow_ips WHERE ${ipIndexSql(m, side, bind)}${older} ORDER BY start_time DESC LIMIT ${bind(side ? newest.rows : 2 * newest.rows, 'UInt32')} WITH TIES`;
    const newestKeys = `SELECT ${SORT_KEY} FROM (SELECT DISTINCT ${SORT_KEY} FROM (${newestRows}) ORDER BY start_time DESC LIMIT ${bind(newest.rows, 'UInt32')} WITH TIES)`;
    const atCursor = newest.beforeMs === undefined ? '' : ` UNION ALL SELECT ${SORT_KEY} FROM flow_ips WHERE ${ipIndexSql(m, side, bind)} AND start_time = fromUnixTimestamp64Milli(${bind(newest.beforeMs, 'Int64')})`;
    return cond(`(${SORT_KEY}) IN (${newestKeys}${atCursor})`);
  };
  if (f.ip !== undefined) {
    if (opts.ip?.either) viaIndex(f.ip);
    cond(`(${ipSql('src_ip', f.ip, bind)} OR ${ipSql('dst_ip', f.ip, bind)})`);
  }
  for (const side of ['src', 'dst'] as const) {
    const e = f[side];
    if (!e) continue;
    if (e.namespace !== undefined) cond(`${side}_namespace = ${bind(e.namespace, 'String')}`);
    if (e.name !== undefined) {
      const name = bind(e.name, 'String');
      cond(`(${side}_name = ${name} OR ${side}_name_aggr = ${name})`);
    }
    if (e.selector !== undefined) {
      cond(selectorSql(e.selector, { labelsId: `${side}_labels_id`, namespace: `${side}_namespace` }, (v) => bind(v, typeof v === 'string' ? 'String' : 'Array(String)')));
    }
    if (e.ip !== undefined) {
      if (opts.ip?.[side]) viaIndex(e.ip, side);
      cond(ipSql(`${side}_ip`, e.ip, bind));
    }
    if (e.port !== undefined) cond(`${side}_port = ${bind(e.port, 'UInt16')}`);
  }
  if (f.protocol !== undefined) cond(`protocol = ${bind(f.protocol, 'String')}`);
  if (f.reporter !== undefined) cond(`reporter = ${bind(f.reporter, 'String')}`);
  if (f.policy !== undefined) cond(`decision_policy = ${bind(f.policy, 'String')}`);
  if (f.tier !== undefined) cond(`decision_tier = ${bind(f.tier, 'String')}`);
  if (f.ruleIndex !== undefined) cond(`decision_rule_index = ${bind(f.ruleIndex, 'Int32')}`);
  if (f.decisionKind !== undefined) cond(`decision_kind = ${bind(f.decisionKind, 'String')}`);
  if (f.verdictMismatch !== undefined) cond(`verdict_mismatch = ${f.verdictMismatch ? 1 : 0}`);
  if (f.pendingVerdictDiffers !== undefined) {
    const differs = `(computed_pending_verdict != '' AND computed_verdict != '' AND computed_pending_verdict != computed_verdict)`;
    cond(f.pendingVerdictDiffers ? differs : `NOT ${differs}`);
  }
  if (f.unknownEndpoint !== undefined) cond(`unknown_endpoint = ${f.unknownEndpoint ? 1 : 0}`);
  where.scope(f.scope);
  return where;
}
