import { Injectable } from '@nestjs/common';
import { ClickHouseAdapter } from './clickhouse.adapter';
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

export interface ActivityWindow {
  from: Date;
  to: Date;
  scope: readonly string[] | null;
}

@Injectable()
export class PolicyActivityRepository {
  constructor(private readonly clickhouse: ClickHouseAdapter) {}

  /** Hits per rule, direction, action and kind of hit, from the per-minute activity rollup. */
  async rules(policy: string, w: ActivityWindow): Promise<RuleActivityRow[]> {
    const where = new WhereBuilder()
      .addAll('minute >= toStartOfMinute(fromUnixTimestamp64Milli({from:Int64})) AND minute < fromUnixTimestamp64Milli({to:Int64})', { from: w.from.getTime(), to: w.to.getTime() })
      .add('policy = {policy:String}', 'policy', policy)
      .scope(w.scope);
    const rows = await this.clickhouse.query<Record<string, string | number>>(
      `SELECT hit_source, reporter, rule_index, hit_action, sum(hits) AS hits, sum(flows) AS flows,
              toUnixTimestamp64Milli(min(first_seen)) AS first_ms, toUnixTimestamp64Milli(max(last_seen)) AS last_ms
       FROM policy_activity_1m WHERE ${where.sql}
       GROUP BY hit_source, reporter, rule_index, hit_action
       ORDER BY reporter, rule_index, hit_source, hit_action`,
      where.params,
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

  /** The endpoint pairs whose flows the policy decided or traced most, from the stored flows. */
  async topPeers(policy: string, w: ActivityWindow, limit: number): Promise<PeerActivityRow[]> {
    const where = new WhereBuilder()
      .addAll('start_time >= fromUnixTimestamp64Milli({from:Int64}) AND start_time < fromUnixTimestamp64Milli({to:Int64})', { from: w.from.getTime(), to: w.to.getTime() })
      .add('(decision_policy = {policy:String} OR pending_decision_policy = {policy:String} OR has(trace_policies, {policy:String}))', 'policy', policy)
      .scope(w.scope);
    const rows = await this.clickhouse.query<Record<string, string | number>>(
      `SELECT src_namespace, if(src_name != '', src_name, if(src_name_aggr != '', src_name_aggr, src_ip)) AS src,
              dst_namespace, if(dst_name != '', dst_name, if(dst_name_aggr != '', dst_name_aggr, dst_ip)) AS dst,
              count() AS records, sum(num_flows) AS flows, toUnixTimestamp64Milli(max(start_time)) AS last_ms
       FROM flows WHERE ${where.sql}
       GROUP BY src_namespace, src, dst_namespace, dst
       ORDER BY records DESC, src_namespace, src, dst_namespace, dst
       LIMIT {limit:UInt32}`,
      { ...where.params, limit },
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
