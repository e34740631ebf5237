import { Injectable } from '@nestjs/common';
import { ClickHouseAdapter } from './clickhouse.adapter';
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

export interface DecisionFilter {
  action?: string;
  tier?: string;
  policy?: string;
  namespace?: string;
  /** The caller's namespace scope (null = all namespaces). */
  scope: readonly string[] | null;
}

export interface Counts {
  records: number;
  flows: number;
  bytes: number;
  packets: number;
  mismatches: number;
}

const COUNT_COLUMNS = 'sum(records) AS records, sum(flows) AS flows, sum(bytes) AS bytes, sum(packets) AS packets, sum(mismatches) AS mismatches';

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

  private where(w: StatsWindow, f: DecisionFilter): WhereBuilder {
    return window(w)
      .add('action = {action:String}', 'action', f.action)
      .add('decision_tier = {tier:String}', 'tier', f.tier)
      .add('decision_policy = {policy:String}', 'policy', f.policy)
      .add('(src_namespace = {ns:String} OR dst_namespace = {ns:String})', 'ns', f.namespace)
      .scope(f.scope);
  }

  /** Counts grouped by the given dimensions, largest first (top-N with a limit). */
  async decisions(w: StatsWindow, f: DecisionFilter, groupBy: DecisionDimension[], limit: number): Promise<Array<{ key: Record<string, string | number> } & Counts>> {
    const cols = groupBy.map((d) => `${DECISION_DIMENSIONS[d]} AS ${d}`);
    const { sql, params } = this.where(w, f);
    const rows = await this.clickhouse.query<Record<string, unknown>>(
      `SELECT ${[...cols, COUNT_COLUMNS].join(', ')}
       FROM flow_decisions_1m WHERE ${sql}
       ${groupBy.length ? `GROUP BY ${groupBy.join(', ')}` : ''}
       ORDER BY records DESC${groupBy.length ? `, ${groupBy.join(', ')}` : ''}
       LIMIT {limit:UInt32}`,
      { ...params, limit },
    );
    return rows.map((r) => ({ key: Object.fromEntries(groupBy.map((d) => [d, d === 'rule' ? Number(r[d]) : String(r[d])])), ...toCounts(r) }));
  }

  /** Counts per time bucket (a multiple of the one-minute rollup), oldest first, gaps filled with zero. */
  async timeSeries(w: StatsWindow, f: DecisionFilter, bucketMinutes: number): Promise<Array<{ time: string } & Counts>> {
    const { sql, params } = this.where(w, f);
    const rows = await this.clickhouse.query<Record<string, unknown>>(
      `SELECT toUnixTimestamp(toStartOfInterval(minute, toIntervalMinute({bucket:UInt32}))) * 1000 AS t, ${COUNT_COLUMNS}
       FROM flow_decisions_1m WHERE ${sql}
       GROUP BY t ORDER BY t
       WITH FILL FROM toUnixTimestamp(toStartOfInterval(fromUnixTimestamp64Milli({from:Int64}), toIntervalMinute({bucket:UInt32}))) * 1000
                 TO toUnixTimestamp(fromUnixTimestamp64Milli({to:Int64})) * 1000
                 STEP {bucket:UInt32} * 60000`,
      { ...params, bucket: bucketMinutes },
    );
    return rows.map((r) => ({ time: new Date(Number(r.t)).toISOString(), ...toCounts(r) }));
  }

  /** Hits of every trace entry (Pass and end-of-tier included) per tier / policy / rule. */
  async hits(
    w: StatsWindow,
    f: { tier?: string; policy?: string; scope: readonly string[] | null },
    groupBy: HitDimension[],
    limit: number,
  ): Promise<Array<{ key: Record<string, string | number>; hits: number; flows: number }>> {
    const { sql, params } = window(w).add('tier = {tier:String}', 'tier', f.tier).add('policy = {policy:String}', 'policy', f.policy).scope(f.scope);
    const cols = groupBy.map((d) => `${HIT_DIMENSIONS[d]} AS ${d}`);
    // The per-namespace rollup is larger; only a namespace-limited caller needs it.
    const table = f.scope === null ? 'policy_hits_1m' : 'policy_hits_ns_1m';
    const rows = await this.clickhouse.query<Record<string, unknown>>(
      `SELECT ${[...cols, 'sum(hits) AS hits', 'sum(flows) AS flows'].join(', ')}
       FROM ${table} WHERE ${sql}
       ${groupBy.length ? `GROUP BY ${groupBy.join(', ')}` : ''}
       ORDER BY hits DESC${groupBy.length ? `, ${groupBy.join(', ')}` : ''}
       LIMIT {limit:UInt32}`,
      { ...params, limit },
    );
    return rows.map((r) => ({ key: Object.fromEntries(groupBy.map((d) => [d, d === 'rule' ? Number(r[d]) : String(r[d])])), hits: Number(r.hits), flows: Number(r.flows) }));
  }
}
