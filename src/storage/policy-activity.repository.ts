import { Injectable } from '@nestjs/common';
import { ClickHouseAdapter } from './clickhouse.adapter';
import { MsRange, splitAtHours } from './hour-split';
import { WhereBuilder } from './where.builder';

export interface RuleActivityRow {
  /** trace: a hit of the attributed trace; pending: the decision with staged policies enforced; log: a Log rule */
  source: 'trace' | 'pending' | 'log';
  reporter: string;
  ruleIndex: number;
  action: string;
  hits: number;
  flows: number;
  firstSeen: number;
  lastSeen: number;
}

/**
 * The activity rollup's hits summed apart per kind of hit (see RuleActivityRow.source):
 * `trace_hits`, `pending_hits`, `log_hits`, and `trace_flows`, the connections of the trace hits. For any
 * GROUP BY over policy_activity_1m.
 */
export const HITS_BY_KIND = `sumIf(hits, hit_source = 'trace') AS trace_hits, sumIf(hits, hit_source = 'pending') AS pending_hits, sumIf(hits, hit_source = 'log') AS log_hits, sumIf(flows, hit_source = 'trace') AS trace_flows`;

export interface PeerActivityRow {
  srcNamespace: string;
  src: string;
  dstNamespace: string;
  dst: string;
  records: number;
  flows: number;
  lastSeen: number;
}

/**
 * Whether a flow relates to the policy ({policy:String}): it decided the flow, decided it with staged
 * policies enforced, or is in its trace. Written as the expression of the flows' policies index
 * (migrations/0024_flows_policies_index.sql), which the engine uses only for that same expression.
 */
const RELATES_TO_POLICY = 'has(arrayConcat([decision_policy, pending_decision_policy], trace_policies), {policy:String})';

/** An endpoint's name in the peers: its name, else its aggregated name, else its address (as the peers rollup's view names it). */
const PEER_NAME = (side: 'src' | 'dst') => `if(${side}_name != '', ${side}_name, if(${side}_name_aggr != '', ${side}_name_aggr, ${side}_ip))`;

const MINUTE_MS = 60_000;

/** The bounds of a range's edge pieces as parameters edgeFromN / edgeToN. */
const edgeParams = (edges: readonly MsRange[]) => Object.fromEntries(edges.flatMap((e, i) => [[`edgeFrom${i}`, e.fromMs], [`edgeTo${i}`, e.toMs]]));

/**
 * The SELECT of `columns` from an hourly rollup (sorted by policy, then hour) for the policy
 * ({policy:String}) over whole hours, within the caller's scope; its parameters go into `params`.
 */
function wholeHours(table: string, columns: string, hours: MsRange, scope: readonly string[] | null, params: Record<string, unknown>): string {
  const where = new WhereBuilder()
    .addAll('policy = {policy:String} AND hour >= fromUnixTimestamp64Milli({hoursFrom:Int64}) AND hour < fromUnixTimestamp64Milli({hoursTo:Int64})', { hoursFrom: hours.fromMs, hoursTo: hours.toMs })
    .scope(scope);
  Object.assign(params, where.params);
  return `SELECT ${columns} FROM ${table} WHERE ${where.sql}`;
}

export interface ActivityWindow {
  from: Date;
  to: Date;
  scope: readonly string[] | null;
}

@Injectable()
export class PolicyActivityRepository {
  constructor(private readonly clickhouse: ClickHouseAdapter) {}

  /**
   * Hits per rule, direction, action and kind of hit over the range widened to whole minutes: its
   * whole hours from the hourly activity rollup, the minutes at its ends from the per-minute one.
   */
  async rules(policy: string, w: ActivityWindow): Promise<RuleActivityRow[]> {
    const split = splitAtHours(Math.floor(w.from.getTime() / MINUTE_MS) * MINUTE_MS, Math.ceil(w.to.getTime() / MINUTE_MS) * MINUTE_MS);
    const columns = 'hit_source, reporter, rule_index, hit_action, hits, flows, first_seen, last_seen';
    const parts: string[] = [];
    const params: Record<string, unknown> = { policy };
    if (split.hours) parts.push(wholeHours('policy_activity_1h', columns, split.hours, w.scope, params));
    if (split.edges.length > 0) {
      const where = new WhereBuilder()
        .addAll(`policy = {policy:String} AND (${split.edges.map((_, i) => `(minute >= fromUnixTimestamp64Milli({edgeFrom${i}:Int64}) AND minute < fromUnixTimestamp64Milli({edgeTo${i}:Int64}))`).join(' OR ')})`, edgeParams(split.edges))
        .scope(w.scope);
      Object.assign(params, where.params);
      parts.push(`SELECT ${columns} FROM policy_activity_1m WHERE ${where.sql}`);
    }
    if (parts.length === 0) return [];
    const rows = await this.clickhouse.query<Record<string, string | number>>(
      `SELECT hit_source, reporter, rule_index, hit_action, sum(hits) AS hits, sum(flows) AS flows,
              toUnixTimestamp64Milli(min(first_seen)) AS first_ms, toUnixTimestamp64Milli(max(last_seen)) AS last_ms
       FROM (${parts.join(' UNION ALL ')})
       GROUP BY hit_source, reporter, rule_index, hit_action
       ORDER BY reporter, rule_index, hit_source, hit_action`,
      params,
    );
    return rows.map((r) => ({
      source: r.hit_source as RuleActivityRow['source'],
      reporter: String(r.reporter),
      ruleIndex: Number(r.rule_index),
      action: String(r.hit_action),
      hits: Number(r.hits),
      flows: Number(r.flows),
      firstSeen: Number(r.first_ms),
      lastSeen: Number(r.last_ms),
    }));
  }

  /**
   * The endpoint pairs whose flows the policy decided or traced most: the range's whole hours from
   * the hourly peers rollup, the pieces of hours at its ends from the stored flows (see
   * migrations/0021 and hour-split.ts), so the range is exact.
   */
  async topPeers(policy: string, w: ActivityWindow, limit: number): Promise<PeerActivityRow[]> {
    const split = splitAtHours(w.from.getTime(), w.to.getTime());
    const parts: string[] = [];
    const params: Record<string, unknown> = { policy, limit };
    if (split.hours) parts.push(wholeHours('policy_peers_1h', 'src_namespace, src, dst_namespace, dst, records, flows, last_seen', split.hours, w.scope, params));
    if (split.edges.length > 0) {
      // Each piece lies within one hour; naming it lets the flows' first sort key (the hour) prune.
      const pieces = split.edges.map((_, i) =>
        `(toStartOfHour(start_time) = toStartOfHour(fromUnixTimestamp64Milli({edgeFrom${i}:Int64}, 'UTC')) AND start_time >= fromUnixTimestamp64Milli({edgeFrom${i}:Int64}) AND start_time < fromUnixTimestamp64Milli({edgeTo${i}:Int64}))`);
      const where = new WhereBuilder()
        .addAll(`(${pieces.join(' OR ')})`, edgeParams(split.edges))
        .addAll(RELATES_TO_POLICY, {})
        .scope(w.scope);
      Object.assign(params, where.params);
      parts.push(`SELECT src_namespace, ${PEER_NAME('src')} AS src, dst_namespace, ${PEER_NAME('dst')} AS dst,
                toUInt64(1) AS records, toUInt64(num_flows) AS flows, start_time AS last_seen
         FROM flows WHERE ${where.sql}`);
    }
    if (parts.length === 0) return [];
    const rows = await this.clickhouse.query<Record<string, string | number>>(
      `SELECT src_namespace, src, dst_namespace, dst, sum(records) AS records, sum(flows) AS flows, toUnixTimestamp64Milli(max(last_seen)) AS last_ms
       FROM (${parts.join(' UNION ALL ')})
       GROUP BY src_namespace, src, dst_namespace, dst
       ORDER BY records DESC, src_namespace, src, dst_namespace, dst
       LIMIT {limit:UInt32}`,
      params,
    );
    return rows.map((r) => ({
      srcNamespace: String(r.src_namespace),
      src: String(r.src),
      dstNamespace: String(r.dst_namespace),
      dst: String(r.dst),
      records: Number(r.records),
      flows: Number(r.flows),
      lastSeen: Number(r.last_ms),
    }));
  }
}
