import { Injectable } from '@nestjs/common';
import { AttributedFlow } from '../attribution/attributed-flow';
import { FlowDetails, hasDetails } from '../flows/flow-details';
import { FlowAction } from '../flows/flow-record';
import { Clock } from '../clock/clock';
import { FlowFilter, flowWhere, onlyTimeRange, readsNewestKeys, rollupCanAnswer, ROW_ID } from './flow-filter';
import { BucketCount, hourPlan, NEWEST_PROBE_MINUTES, newestBound, newestHourFrom, probeWindow, startOfHour } from './newest-bound';
import { ClickHouseAdapter } from './clickhouse.adapter';
import { ruleTextOf, WIDE_COLUMNS } from './shared-values.sql';
import { FLOW_COLUMNS } from './flow-row.encoder';
import { encodeFlowBlock } from './flow-row.native';
import { SHARED_TABLES, SharedTable, SharedValues } from './shared-values';
import { ipAccess } from './ip-index';
import { encodeTsvRow, tsvTime, TsvValue } from './tsv.encoder';
import { WhereBuilder } from './where.builder';

export interface StoredEndpoint {
  ip: string;
  port: number;
  type: string;
  namespace: string;
  name: string;
  aggregatedName: string;
  labels: Record<string, string>;
  serviceAccount: string;
  node: string;
  owner: string;
}

export interface StoredFlow {
  id: string;
  startTime: string;
  endTime: string;
  action: FlowAction;
  reporter: string;
  protocol: string;
  src: StoredEndpoint;
  dst: StoredEndpoint;
  node: string;
  numFlows: number;
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  reported: { verdict: string; enforced: string[]; pending: string[] };
  computed: { verdict: string; pendingVerdict: string };
  decision: { kind: string; tier: string; tierOrder: number | null; policy: string; policyOrder: number | null; ruleIndex: number; source: string };
  flags: { verdictMismatch: boolean; unknownPolicy: boolean; unknownEndpoint: boolean; verdictUncertain: boolean };
  source: { format: string; topic: string; partition: number; offset: string };
  /** Extras the record carried (process, domains, TCP / HTTP statistics...), only when it had any. */
  details?: FlowDetails;
}

export interface FlowSearch extends FlowFilter {
  limit: number;
  /** keyset cursor: rows strictly older than this (start time ms, row id) */
  before?: { startTime: number; id: string };
}

export interface FlowPage {
  items: StoredFlow[];
  next?: { startTime: number; id: string };
}

/**
 * The views on `flows` (rollups, policy activity, the IP look-up, stored offsets) each take the
 * inserted block on their own thread instead of one after the other (bench/insert-formats.ts: 1.0 to 1.2
 * times the insert rate of sequential views in two runs on 2 cores, with Native blocks).
 */
export const FLOWS_INSERT_SETTINGS = { parallel_view_processing: 1 };

/**
 * Newest first, ties broken by the row's Kafka coordinates (the row id's parts, compared as
 * numbers). Leading with the hour, the table's first sort key (the same order, since the hour only
 * grows with the time), lets the engine read hours newest first and stop once a page is full.
 */
const NEWEST_FIRST = 'toStartOfHour(start_time) DESC, start_time DESC, source_topic DESC, source_partition DESC, source_offset DESC, source_index DESC, source_incarnation DESC';

/** The same order on `flows_recent`, whose sort key it reverses (time, then the row's coordinates). */
const NEWEST_FIRST_RECENT = 'start_time DESC, source_topic DESC, source_partition DESC, source_offset DESC, source_index DESC, source_incarnation DESC';

/**
 * How far back `flows_recent` is read, by the engine's clock: it holds every flow that started
 * within a day of being stored (migrations/0023_flows_recent.sql, 0025_flows_recent_day.sql); the
 * quarter of an hour between covers inserts still running when a read starts.
 */
export const RECENT_READ_MINUTES = 24 * 60 - 15;

/**
 * How much of a range the copy is read for first. The copy has a part or more per hour, and a
 * newest-first read of a range reads the top of every part it spans before it can sort: at 10
 * million stored flows the newest page of a day took 52 ms from the copy, of its last hour 19 ms.
 */
const COPY_FIRST_WINDOW_MS = 3_600_000;

/**
 * The flows columns a search page shows (see toStoredFlow), the ids its labels and reported trace
 * are looked up by, and the sort columns. Each page row is read from its own granule, column by
 * column, so a column left out here (the traces, the service, ingest time...) is work saved on
 * every row of every page; flow detail by id reads them all.
 */
const PAGE_COLUMNS = [
  'start_time', 'action', 'reporter', 'protocol', 'node', 'num_flows', 'packets_in', 'packets_out', 'bytes_in', 'bytes_out',
  ...['src', 'dst'].flatMap((side) => ['ip', 'port', 'type', 'namespace', 'name', 'name_aggr', 'labels_id', 'service_account', 'node', 'owner'].map((c) => `${side}_${c}`)),
  'reported_verdict', 'reported_trace_id', 'computed_verdict', 'computed_pending_verdict',
  'decision_kind', 'decision_tier', 'decision_tier_order', 'decision_policy', 'decision_policy_order', 'decision_rule_index', 'trace_source',
  'verdict_mismatch', 'unknown_policy', 'unknown_endpoint', 'verdict_uncertain',
  'source_format', 'source_topic', 'source_partition', 'source_offset', 'source_index', 'source_incarnation', 'has_details',
].join(', ');

@Injectable()
export class FlowRepository {
  constructor(
    private readonly clickhouse: ClickHouseAdapter,
    private readonly clock: Clock = new Clock(),
  ) {}

  /** What this process already stored in the small tables flows rows point into. */
  private readonly shared = new SharedValues();

  /**
   * One insert per batch into `flows`, after the label sets, rule texts and reported traces it
   * names that this process has not stored yet and the records' details (when any has some), so a
   * reader never meets an id whose value is missing. Every insert carries the batch's token, which
   * makes a retry of the same batch a no-op. A crash between the inserts leaves the batch
   * uncommitted and unstored in `flows`, so it is redelivered and written again (the small tables
   * and the details table fold repeated rows). Errors propagate. `incarnation` names the
   * incarnation of the Kafka partition the rows came from (see PartitionIncarnations); '' is the
   * first one. The flows rows go as one Native block (the engine's columnar form, LowCardinality
   * columns as dictionaries: no rows to parse, see bench/insert-formats.ts) and the views on
   * `flows` run in parallel; the small tables and the details go as TabSeparated.
   */
  async insert(flows: readonly AttributedFlow[], dedupToken: string, incarnation = ''): Promise<void> {
    const batch = this.shared.batch();
    const rows = encodeFlowBlock(flows, batch, incarnation);
    for (const table of Object.keys(SHARED_TABLES) as SharedTable[]) {
      if (batch.lines[table].length > 0) await this.clickhouse.insertTsv(table, SHARED_TABLES[table], batch.lines[table], dedupToken);
    }
    batch.stored();
    const details: string[] = [];
    for (const f of flows) if (hasDetails(f.record.details)) details.push(encodeTsvRow(detailValues(f, incarnation)));
    if (details.length > 0) await this.clickhouse.insertTsv('flow_details', DETAIL_COLUMNS, details, dedupToken);
    await this.clickhouse.insertBytes('flows', FLOW_COLUMNS, 'Native', rows, dedupToken, FLOWS_INSERT_SETTINGS);
  }

  /**
   * The details of the given flows (row ids as search returns them), by id; flows without details
   * are absent from the map. Unknown or malformed ids are ignored.
   */
  async detailsOf(ids: readonly string[]): Promise<Map<string, FlowDetails>> {
    const out = new Map<string, FlowDetails>();
    const keys = ids.flatMap((id) => {
      const k = parseRowId(id);
      return k ? [{ id, ...k }] : [];
    });
    if (keys.length === 0) return out;
    const rows = await this.clickhouse.query<{ id: string; details: string }>(
      `SELECT ${ROW_ID} AS id, details
       FROM flow_details
       WHERE source_topic IN {topics:Array(String)} AND source_partition IN {partitions:Array(UInt32)}
         AND source_offset BETWEEN toUInt64({lo:String}) AND toUInt64({hi:String}) AND has(splitByChar(' ', {ids:String}), ${ROW_ID})
       LIMIT 1 BY id`,
      {
        topics: [...new Set(keys.map((k) => k.topic))],
        partitions: [...new Set(keys.map((k) => k.partition))],
        // Offsets are 64-bit: a range of the key prunes, the id comparison is exact.
        lo: keys.reduce((m, k) => (BigInt(k.offset) < m ? BigInt(k.offset) : m), BigInt(keys[0].offset)).toString(),
        hi: keys.reduce((m, k) => (BigInt(k.offset) > m ? BigInt(k.offset) : m), BigInt(keys[0].offset)).toString(),
        // One string rather than an array of a hundred: the engine parses an array literal of that
        // size in about 3 ms, half of this query's time for a page (a row id never holds a space).
        ids: keys.map((k) => k.id).join(' '),
      },
    );
    for (const r of rows) out.set(r.id, JSON.parse(r.details) as FlowDetails);
    return out;
  }

  /**
   * The highest Kafka offset of a partition's incarnation whose rows are stored, or -1. Lets a
   * consumer skip messages redelivered after a commit was lost, whatever the new batch boundaries are.
   */
  async storedHighWater(topic: string, partition: number, incarnation = ''): Promise<bigint> {
    const [row] = await this.clickhouse.query<{ n: number | string; hi: number | string }>(
      `SELECT count() AS n, max(stored_offset) AS hi FROM ingest_offsets_by_incarnation
       WHERE source_topic = {topic:String} AND source_partition = {partition:UInt32} AND source_incarnation = {incarnation:String}`,
      { topic, partition, incarnation },
    );
    return Number(row.n) === 0 ? -1n : BigInt(row.hi);
  }

  /**
   * A newest-first page, read where the per-minute rollup's counts place it when they can count
   * what the filter matches (see newest-bound.ts and plannedRows), else over the whole range.
   */
  async search(q: FlowSearch): Promise<FlowPage> {
    const { limit: _limit, before: _before, ...filter } = q;
    const key = q.before && parseRowId(q.before.id);
    const cursor = q.before && key ? { startTime: q.before.startTime, key } : undefined;
    const upperMs = Math.min(filter.to.getTime(), cursor?.startTime ?? Infinity);
    const rows = (await this.plannedRows(filter, q.limit, cursor, upperMs)) ?? (await this.newestRows(filter, q.limit, cursor));
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const items = page.map(toStoredFlow);
    // Only rows whose record carried details have a flow_details row: most pages need no look-up.
    const details = await this.detailsOf(page.filter((r) => Number(r.has_details) !== 0).map((r) => r.id));
    for (const f of items) {
      const d = details.get(f.id);
      if (d) f.details = d;
    }
    return { items, next: more && last ? { startTime: Number(last.start_ms), id: last.id } : undefined };
  }

  /**
   * The page's `limit` + 1 rows before `upperMs`, read where the rollup's counts place them;
   * undefined: read the range as it is. The newest minutes that hold the page, when the counts show
   * some (they are not asked for a policy's or destination namespace's page), bound the read:
   * without a filter it would otherwise sort the whole newest hour. A page within the last day
   * (RECENT_READ_MINUTES) reads the time-sorted copy of the newest flows first (a page with no
   * filter before asking the counts: the copy almost always fills it). Otherwise a
   * filter's page reads its newest hour (only the minute the counts leave out when they count no
   * match there), then only the older hours the counts say hold a match (a filter that matches
   * little would otherwise read every hour).
   */
  private async plannedRows(filter: FlowFilter, limit: number, cursor: Cursor | undefined, upperMs: number): Promise<FlowRow[] | undefined> {
    const fromMs = filter.from.getTime();
    const timeOnly = onlyTimeRange(filter);
    if (!timeOnly && !rollupCanAnswer(filter)) return this.newestHourFirst(filter, limit, cursor, upperMs);
    const recentFromMs = this.clock.now().getTime() - RECENT_READ_MINUTES * 60_000;
    // Every flow is a match: the copy, read newest first, fills the page unless the range ends
    // before its reach or the newest flows are fewer than a page. The counts would only bound a read
    // that stops at the page anyway (asking them cost 10 of a newest page's 45 ms, measured on 10
    // million stored flows). Not for a namespace scope, which can match few of the copy's rows.
    const copyFirst = timeOnly && filter.scope === null && upperMs > recentFromMs;
    if (copyFirst) {
      const recent = await this.fullPageFromCopy(filter, limit, cursor);
      if (recent) return recent;
    }
    // A policy's or destination namespace's rows lie together in each hour (the flows table's sort
    // key): their newest hour costs about a granule, less than asking the counts first (a policy's
    // page took 35 ms that way, 48 ms with the counts asked first).
    const sortKeyed = filter.policy !== undefined || filter.dst?.namespace !== undefined;
    const w = sortKeyed ? undefined : probeWindow(fromMs, upperMs, NEWEST_PROBE_MINUTES);
    const minutes = w ? await this.rollupCounts(filter, w.from, w.to, 'minute') : [];
    const bound = newestBound(minutes, limit + 1);
    if (bound !== undefined && bound > fromMs) {
      const bounded = { ...filter, from: new Date(bound) };
      const recent = !copyFirst && bound >= recentFromMs ? await this.fullPageFromCopy(bounded, limit, cursor) : undefined;
      if (recent) return recent;
      const rows = await this.newestRows(bounded, limit, cursor);
      return rows.length > limit ? rows : undefined;
    }
    if (timeOnly) return undefined;
    // The hour of the newest row the page can hold (rows start before upperMs, or at the cursor's time).
    const hourStart = startOfHour(upperMs - 1);
    if (hourStart <= fromMs) return undefined;
    const newestFrom = newestHourFrom(hourStart, fromMs, w, minutes);
    const newest = newestFrom < upperMs || cursor ? await this.newestRows({ ...filter, from: new Date(newestFrom) }, limit, cursor) : [];
    if (newest.length > limit) return newest;
    const rest = limit - newest.length;
    const plan = hourPlan(await this.rollupCounts(filter, fromMs, hourStart, 'toStartOfHour(minute)'), rest + 1, fromMs);
    if (plan.hours.length === 0) return newest;
    const older = await this.newestRows({ ...filter, from: new Date(plan.fromMs ?? fromMs), to: new Date(hourStart) }, rest, cursor, plan.hours);
    if (plan.promisesFullPage && older.length <= rest) return undefined;
    return [...newest, ...older];
  }

  /**
   * The page read from the time-sorted copy of the newest flows, or undefined when the copy cannot
   * fill it: the last hour before its upper end first (COPY_FIRST_WINDOW_MS), then what the page
   * still lacks from the rest of the range.
   */
  private async fullPageFromCopy(filter: FlowFilter, limit: number, cursor: Cursor | undefined): Promise<FlowRow[] | undefined> {
    const windowFromMs = Math.min(filter.to.getTime(), cursor?.startTime ?? Infinity) - COPY_FIRST_WINDOW_MS;
    let rows: FlowRow[] = [];
    let rest = filter;
    if (windowFromMs > filter.from.getTime()) {
      rows = await this.newestRows({ ...filter, from: new Date(windowFromMs) }, limit, cursor, undefined, 'flows_recent');
      if (rows.length > limit) return rows;
      rest = { ...filter, to: new Date(windowFromMs) };
    }
    rows = [...rows, ...(await this.newestRows(rest, limit - rows.length, cursor, undefined, 'flows_recent'))];
    return rows.length > limit ? rows : undefined;
  }

  /**
   * A filter the counts cannot count (selectors, ports, names, protocol...): its newest hour first,
   * undefined when that does not fill the page. A newest-first read of the whole range reads every
   * part of the table it spans (a day's partition, and the parts not merged yet) until each yields a
   * block of matches: a selector and port search over the last 24 h read all 10 million stored flows
   * (135 ms) where its newest hour held the page (33 ms). An address is left to the per-address table.
   */
  private async newestHourFirst(filter: FlowFilter, limit: number, cursor: Cursor | undefined, upperMs: number): Promise<FlowRow[] | undefined> {
    if (filter.ip !== undefined || filter.src?.ip !== undefined || filter.dst?.ip !== undefined) return undefined;
    const hourStart = startOfHour(upperMs - 1);
    if (hourStart <= filter.from.getTime()) return undefined;
    const rows = await this.newestRows({ ...filter, from: new Date(hourStart) }, limit, cursor);
    return rows.length > limit ? rows : undefined;
  }

  /** Matching records per minute or hour (`bucket`) in the per-minute rollup, from the minute of `fromMs` to before `toMs`. */
  private async rollupCounts(filter: FlowFilter, fromMs: number, toMs: number, bucket: 'minute' | 'toStartOfHour(minute)'): Promise<BucketCount[]> {
    const where = flowWhere({ ...filter, from: new Date(fromMs), to: new Date(toMs) }, { rollup: true });
    const counts = await this.clickhouse.query<{ t: number | string; n: number | string }>(
      `SELECT toUnixTimestamp(${bucket}) AS t, sum(records) AS n FROM flow_decisions_1m WHERE ${where.sql} GROUP BY t`,
      where.params,
    );
    return counts.map((c) => ({ startMs: Number(c.t) * 1000, records: Number(c.n) }));
  }

  /**
   * The newest `limit` + 1 flows matching the filter, older than the cursor when there is one, and
   * only in the given hours (their starts, ms) when there are some. From `flows_recent`, only rows
   * within its reach are read (see RECENT_READ_MINUTES): a page it cannot fill comes back short.
   */
  private async newestRows(filter: FlowFilter, limit: number, cursor?: Cursor, hours?: readonly number[], table: 'flows' | 'flows_recent' = 'flows'): Promise<FlowRow[]> {
    const newest = { rows: limit + 1, beforeMs: cursor?.startTime };
    const ip = await ipAccess(this.clickhouse, filter, true);
    const where = flowWhere(filter, { ip, newest });
    if (hours) where.addAll('toUnixTimestamp(toStartOfHour(start_time)) IN {hours:Array(UInt32)}', { hours: hours.map((h) => h / 1000) });
    if (table === 'flows_recent') where.addAll(`start_time >= now64(3) - toIntervalMinute(${RECENT_READ_MINUTES})`, {});
    if (cursor) {
      const k = cursor.key;
      where.addAll(
        `(start_time, source_topic, source_partition, source_offset, source_index, source_incarnation) < (fromUnixTimestamp64Milli({beforeTime:Int64}), {beforeTopic:String}, {beforePartition:UInt32}, {beforeOffset:UInt64}, {beforeIndex:UInt32}, {beforeIncarnation:String})`,
        { beforeTime: cursor.startTime, beforeTopic: k.topic, beforePartition: k.partition, beforeOffset: k.offset, beforeIndex: k.index, beforeIncarnation: k.incarnation },
      );
    }
    // The ids are looked up in the same SELECT: the engine reads the page's columns, and runs the
    // look-ups, only for the rows left after the sort and the limit (lazy materialization; functions
    // after sorting on servers without it). A subquery cutting the page first, with the look-ups
    // outside, cost 5 to 10 ms more per page (measured on 10 million stored flows).
    return this.clickhouse.query<FlowRow>(
      `SELECT ${ROW_ID} AS id, toUnixTimestamp64Milli(start_time) AS start_ms, toUnixTimestamp64Milli(end_time) AS end_ms, ${PAGE_COLUMNS}, ${WIDE_COLUMNS}
       FROM ${table} AS flows
       WHERE ${where.sql}
       ORDER BY ${table === 'flows' ? NEWEST_FIRST : NEWEST_FIRST_RECENT}
       LIMIT {limit:UInt32}`,
      { ...where.params, limit: limit + 1 },
      // Read newest first, the ~30 granules an address page needs took 9 ms more than one pass and
      // a sort (57 against 48 ms, measured on 10 million stored flows).
      readsNewestKeys(filter, ip) ? { optimize_read_in_order: 0 } : undefined,
    );
  }

  /**
   * One flow by row id, with the computed trace and the deciding rule's text; undefined when it
   * does not exist or lies outside the caller's namespace scope.
   */
  async byId(id: string, scope: readonly string[] | null): Promise<StoredFlowDetail | undefined> {
    const key = parseRowId(id);
    if (!key) return undefined;
    const where = new WhereBuilder()
      .addAll(
        'source_topic = {topic:String} AND source_partition = {partition:UInt32} AND source_offset = {offset:UInt64} AND source_index = {index:UInt32} AND source_incarnation = {incarnation:String}',
        key,
      )
      .scope(scope);
    const [row] = await this.clickhouse.query<FlowRow>(
      `SELECT ${ROW_ID} AS id, toUnixTimestamp64Milli(start_time) AS start_ms, toUnixTimestamp64Milli(end_time) AS end_ms, *,
              ${WIDE_COLUMNS}, ${ruleTextOf('decision_rule_id')} AS decision_rule
       FROM flows WHERE ${where.sql} LIMIT 1`,
      where.params,
    );
    if (!row) return undefined;
    const r = row as FlowRow & { trace_tiers: string[]; trace_policies: string[]; trace_rules: number[]; trace_actions: string[]; decision_rule: string; pending_decision_policy: string; pending_decision_rule_index: number };
    const flow: StoredFlowDetail = {
      ...toStoredFlow(row),
      trace: {
        source: r.trace_source,
        hits: r.trace_policies.map((policy, i) => ({ tier: r.trace_tiers[i], policy, ruleIndex: Number(r.trace_rules[i]), action: r.trace_actions[i] })),
      },
      decidingRule: r.decision_rule === '' ? null : (JSON.parse(r.decision_rule) as unknown),
      pendingDecision: { policy: r.pending_decision_policy, ruleIndex: Number(r.pending_decision_rule_index) },
    };
    const details = (await this.detailsOf([flow.id])).get(flow.id);
    if (details) flow.details = details;
    return flow;
  }
}

export interface StoredFlowDetail extends StoredFlow {
  /** The attributed trace: the dataplane's when it reported one, else the engine's. */
  trace: { source: string; hits: Array<{ tier: string; policy: string; ruleIndex: number; action: string }> };
  /** The rule that decided, as stored with the policy (null when the policy is unknown). */
  decidingRule: unknown;
  pendingDecision: { policy: string; ruleIndex: number };
}

/** A row's Kafka coordinates, its id's parts (see ROW_ID). */
export type RowKey = {
  topic: string;
  partition: number;
  offset: string;
  index: number;
  incarnation: string;
};

/** A search page's cursor: rows strictly older than this time and row (see NEWEST_FIRST). */
type Cursor = { startTime: number; key: RowKey };

/** A row id (see ROW_ID) split into its Kafka coordinates, or undefined when it is not one. */
export function parseRowId(id: string): RowKey | undefined {
  // Kafka topic names hold only [a-zA-Z0-9._-], so neither '/' nor '@' is ambiguous.
  const m = /^([a-zA-Z0-9._-]{1,249})\/(\d{1,10})\/(\d{1,20})\/(\d{1,10})(?:@([a-zA-Z0-9-]{1,64}))?$/.exec(id);
  return m ? { topic: m[1], partition: Number(m[2]), offset: m[3], index: Number(m[4]), incarnation: m[5] ?? '' } : undefined;
}

/** A flows row as SELECT returns it (64-bit numbers may arrive as strings). */
type FlowRow = Record<string, unknown> & {
  id: string;
  start_ms: number | string;
  end_ms: number | string;
  action: FlowAction;
  reporter: string;
  protocol: string;
  node: string;
  reported_verdict: string;
  reported_enforced: string[];
  reported_pending: string[];
  computed_verdict: string;
  computed_pending_verdict: string;
  decision_kind: string;
  decision_tier: string;
  decision_tier_order: number | null;
  decision_policy: string;
  decision_policy_order: number | null;
  decision_rule_index: number;
  trace_source: string;
  source_format: string;
  source_topic: string;
  source_partition: number;
  source_offset: string | number;
};

function storedEndpoint(r: FlowRow, side: 'src' | 'dst'): StoredEndpoint {
  const c = r as unknown as Record<string, unknown>;
  return {
    ip: String(c[`${side}_ip`]),
    port: Number(c[`${side}_port`]),
    type: String(c[`${side}_type`]),
    namespace: String(c[`${side}_namespace`]),
    name: String(c[`${side}_name`]),
    aggregatedName: String(c[`${side}_name_aggr`]),
    labels: c[`${side}_labels`] as Record<string, string>,
    serviceAccount: String(c[`${side}_service_account`]),
    node: String(c[`${side}_node`]),
    owner: String(c[`${side}_owner`]),
  };
}

function toStoredFlow(r: FlowRow): StoredFlow {
  return {
    id: r.id,
    startTime: new Date(Number(r.start_ms)).toISOString(),
    endTime: new Date(Number(r.end_ms)).toISOString(),
    action: r.action,
    reporter: r.reporter,
    protocol: r.protocol,
    src: storedEndpoint(r, 'src'),
    dst: storedEndpoint(r, 'dst'),
    node: r.node,
    numFlows: Number(r.num_flows),
    packetsIn: Number(r.packets_in),
    packetsOut: Number(r.packets_out),
    bytesIn: Number(r.bytes_in),
    bytesOut: Number(r.bytes_out),
    reported: { verdict: r.reported_verdict, enforced: r.reported_enforced, pending: r.reported_pending },
    computed: { verdict: r.computed_verdict, pendingVerdict: r.computed_pending_verdict },
    decision: {
      kind: r.decision_kind,
      tier: r.decision_tier,
      tierOrder: r.decision_tier_order === null ? null : Number(r.decision_tier_order),
      policy: r.decision_policy,
      policyOrder: r.decision_policy_order === null ? null : Number(r.decision_policy_order),
      ruleIndex: Number(r.decision_rule_index),
      source: r.trace_source,
    },
    flags: { verdictMismatch: Number(r.verdict_mismatch) === 1, unknownPolicy: Number(r.unknown_policy) === 1, unknownEndpoint: Number(r.unknown_endpoint) === 1, verdictUncertain: Number(r.verdict_uncertain) === 1 },
    source: { format: r.source_format, topic: r.source_topic, partition: Number(r.source_partition), offset: String(r.source_offset) },
  };
}

/** The flow_details columns an insert writes, in the order detailValues() gives them. */
const DETAIL_COLUMNS = ['start_time', 'action', 'source_topic', 'source_partition', 'source_offset', 'source_index', 'source_incarnation', 'details'] as const;

function detailValues({ record: r, source: s }: AttributedFlow, incarnation: string): TsvValue[] {
  return [tsvTime(r.startTime), r.action, s.topic, s.partition, s.offset, s.index, incarnation, JSON.stringify(r.details)];
}
