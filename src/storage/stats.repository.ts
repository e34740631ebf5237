import { Injectable } from '@nestjs/common';
import { ClickHouseAdapter } from './clickhouse.adapter';
import { FlowFilter, flowWhere, rollupCanAnswer } from './flow-filter';
import { ipAccess } from './ip-index';
import { HITS_BY_KIND } from './policy-activity.repository';
import { WhereBuilder } from './where.builder';

/** Dimensions a decision count can be grouped by; each maps to a rollup column (never user SQL). */
export const DECISION_DIMENSIONS = {
  tier: 'decision_tier',
  policy: 'decision_policy',
  rule: 'decision_rule_index',
  kind: 'decision_kind',
  action: 'action',
  reporter: 'reporter',
  srcNamespace: 'src_namespace',
  dstNamespace: 'dst_namespace',
} as const;
export type DecisionDimension = keyof typeof DECISION_DIMENSIONS;

export const HIT_DIMENSIONS = { tier: 'tier', policy: 'policy', rule: 'rule_index', action: 'hit_action', reporter: 'reporter' } as const;
export type HitDimension = keyof typeof HIT_DIMENSIONS;

export interface StatsWindow {
  from: Date;
  to: Date;
}

export interface Counts {
  records: number;
  flows: number;
  bytes: number;
  packets: number;
  mismatches: number;
}

const COUNT_COLUMNS = 'sum(records) AS records, sum(flows) AS flows, sum(bytes) AS bytes, sum(packets) AS packets, sum(mismatches) AS mismatches';
const RAW_COUNT_COLUMNS = 'count() AS records, sum(num_flows) AS flows, sum(bytes_in + bytes_out) AS bytes, sum(packets_in + packets_out) AS packets, sum(verdict_mismatch) AS mismatches';

/** Where a count comes from: the per-minute rollup when it has every filtered column, else raw flows. */
interface CountSource {
  table: string;
  where: WhereBuilder;
  counts: string;
  minute: string;
  /** The rollup counts whole minutes: the range was widened to them. */
  roundedToMinutes: boolean;
}

async function countSource(clickhouse: ClickHouseAdapter, f: FlowFilter): Promise<CountSource> {
  if (rollupCanAnswer(f)) {
    return { table: 'flow_decisions_1m', where: flowWhere(f, { rollup: true }), counts: COUNT_COLUMNS, minute: 'minute', roundedToMinutes: true };
  }
  const where = flowWhere(f, { ip: await ipAccess(clickhouse, f) });
  return { table: 'flows', where, counts: RAW_COUNT_COLUMNS, minute: 'toStartOfMinute(start_time)', roundedToMinutes: false };
}

const MINUTE_MS = 60_000;

/** The range a count actually covers: whole minutes from the rollup, exact from raw flows. */
export interface CoveredRange {
  from: string;
  to: string;
  roundedToMinutes: boolean;
}

function covered(f: FlowFilter, roundedToMinutes: boolean): CoveredRange {
  const from = roundedToMinutes ? Math.floor(f.from.getTime() / MINUTE_MS) * MINUTE_MS : f.from.getTime();
  const to = roundedToMinutes ? Math.ceil(f.to.getTime() / MINUTE_MS) * MINUTE_MS : f.to.getTime();
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), roundedToMinutes };
}

function window(w: StatsWindow): WhereBuilder {
  return new WhereBuilder().addAll('minute >= toStartOfMinute(fromUnixTimestamp64Milli({from:Int64})) AND minute < fromUnixTimestamp64Milli({to:Int64})', {
    from: w.from.getTime(),
    to: w.to.getTime(),
  });
}

function toCounts(r: Record<string, unknown>): Counts {
  return { records: Number(r.records), flows: Number(r.flows), bytes: Number(r.bytes), packets: Number(r.packets), mismatches: Number(r.mismatches) };
}

/**
 * Dashboard questions, answered from the per-minute rollups only (never from raw flows). Rollup
 * rows are summed by key at read time, since SummingMergeTree folds them only as parts merge.
 */
@Injectable()
export class StatsRepository {
  constructor(private readonly clickhouse: ClickHouseAdapter) {}

  /** Counts grouped by the given dimensions, largest first (top-N with a limit). */
  async decisions(
    f: FlowFilter,
    groupBy: DecisionDimension[],
    limit: number,
  ): Promise<{ range: CoveredRange; groups: Array<{ key: Record<string, string | number> } & Counts> }> {
    const cols = groupBy.map((d) => `${DECISION_DIMENSIONS[d]} AS ${d}`);
    const src = await countSource(this.clickhouse, f);
    const { sql, params } = src.where;
    const rows = await this.clickhouse.query<Record<string, unknown>>(
      `SELECT ${[...cols, src.counts].join(', ')}
       FROM ${src.table} WHERE ${sql}
       ${groupBy.length ? `GROUP BY ${groupBy.join(', ')}` : ''}
       ORDER BY records DESC${groupBy.length ? `, ${groupBy.join(', ')}` : ''}
       LIMIT {limit:UInt32}`,
      { ...params, limit },
    );
    return {
      range: covered(f, src.roundedToMinutes),
      groups: rows.map((r) => ({ key: Object.fromEntries(groupBy.map((d) => [d, d === 'rule' ? Number(r[d]) : String(r[d])])), ...toCounts(r) })),
    };
  }

  /** Counts per time bucket (a multiple of the one-minute rollup), oldest first, gaps filled with zero. */
  async timeSeries(f: FlowFilter, bucketMinutes: number): Promise<{ range: CoveredRange; buckets: Array<{ time: string } & Counts> }> {
    const src = await countSource(this.clickhouse, f);
    const { sql, params } = src.where;
    const rows = await this.clickhouse.query<Record<string, unknown>>(
      `SELECT toUnixTimestamp(toStartOfInterval(${src.minute}, toIntervalMinute({bucket:UInt32}))) * 1000 AS t, ${src.counts}
       FROM ${src.table} WHERE ${sql}
       GROUP BY t ORDER BY t
       WITH FILL FROM toUnixTimestamp(toStartOfInterval(fromUnixTimestamp64Milli({from:Int64}), toIntervalMinute({bucket:UInt32}))) * 1000
                 TO toUnixTimestamp(fromUnixTimestamp64Milli({to:Int64})) * 1000
                 STEP {bucket:UInt32} * 60000`,
      { ...params, bucket: bucketMinutes },
    );
    return { range: covered(f, src.roundedToMinutes), buckets: rows.map((r) => ({ time: new Date(Number(r.t)).toISOString(), ...toCounts(r) })) };
  }

  /**
   * Hits per tier / policy / rule, by kind (see HITS_BY_KIND): in the attributed traces (Pass and
   * end-of-tier included), of staged policies with them enforced (the pending evaluation, which has
   * no tier: those hits group under tier ''), and of Log rules. From the per-minute activity rollup
   * the per-policy activity reads too, whose namespaces also serve a namespace-limited caller.
   */
  async hits(
    w: StatsWindow,
    f: { tier?: string; policy?: string; scope: readonly string[] | null },
    groupBy: HitDimension[],
    limit: number,
  ): Promise<{ range: CoveredRange; groups: Array<{ key: Record<string, string | number>; hits: number; pendingHits: number; logHits: number; flows: number }> }> {
    const where = window(w).add('tier = {tier:String}', 'tier', f.tier).add('policy = {policy:String}', 'policy', f.policy).scope(f.scope);
    const { sql, params } = where;
    const cols = groupBy.map((d) => `${HIT_DIMENSIONS[d]} AS ${d}`);
    const rows = await this.clickhouse.query<Record<string, unknown>>(
      `SELECT ${[...cols, HITS_BY_KIND].join(', ')}
       FROM policy_activity_1m WHERE ${sql}
       ${groupBy.length ? `GROUP BY ${groupBy.join(', ')}` : ''}
       ORDER BY trace_hits + pending_hits + log_hits DESC${groupBy.length ? `, ${groupBy.join(', ')}` : ''}
       LIMIT {limit:UInt32}`,
      { ...params, limit },
    );
    return {
      range: covered({ ...w, scope: null }, true),
      groups: rows.map((r) => ({
        key: Object.fromEntries(groupBy.map((d) => [d, d === 'rule' ? Number(r[d]) : String(r[d])])),
        hits: Number(r.trace_hits),
        pendingHits: Number(r.pending_hits),
        logHits: Number(r.log_hits),
        flows: Number(r.trace_flows),
      })),
    };
  }
}
