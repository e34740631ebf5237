import { Injectable } from '@nestjs/common';
import { FlowGroup } from '../suggest/flow-group';
import { ClickHouseAdapter } from './clickhouse.adapter';
import { ROW_ID } from './flow-filter';
import { labelsOf } from './shared-values.sql';
import { WhereBuilder } from './where.builder';

export interface AnalysisWindow {
  from: Date;
  to: Date;
}

/** Namespace scope of the caller (null = every namespace), applied where the SQL is built. */
export type NamespaceScope = readonly string[] | null;

/** Hits of one rule (or end of tier, -1) of one policy in one direction. */
export interface RuleUse {
  policy: string;
  direction: 'ingress' | 'egress';
  ruleIndex: number;
  /** Hits inside the window, of the enforced trace, of Log rules and of staged (pending) decisions. */
  hits: number;
  /** Last hit inside the window (ms), or null. */
  lastHit: number | null;
  /** Last hit before the window (ms), whatever version of the policy was then in force. */
  lastHitBefore: number | null;
}

/**
 * Traffic of one local endpoint with one peer on one port, as seen from the side that decided it:
 * the destination for ingress, the source for egress.
 */
export interface TrafficEdge {
  /** What decided: a policy key for rule decisions, the profile otherwise. */
  policy: string;
  ruleIndex: number;
  decisionKind: string;
  direction: 'ingress' | 'egress';
  localNamespace: string;
  localWorkload: string;
  peerType: string;
  peerNamespace: string;
  peerWorkload: string;
  /** The peer's address when it is not a workload (networks), else ''. */
  peerIp: string;
  protocol: string;
  port: number;
  records: number;
  flows: number;
  bytes: number;
  firstSeen: number;
  lastSeen: number;
  sampleIds: string[];
}

/** Labels a workload's pods carried over the window: one entry per distinct label set seen. */
export interface WorkloadLabels {
  namespace: string;
  workload: string;
  labelSets: Array<Record<string, string>>;
}

// A workload: its controller (owner) when it has one, else the aggregated or plain name.
const WORKLOAD = (side: 'src' | 'dst') => `if(${side}_owner != '', ${side}_owner, if(${side}_name_aggr != '' AND ${side}_name_aggr != '-', ${side}_name_aggr, ${side}_name))`;
const LOCAL = (col: string) => `if(reporter = 'src', src_${col}, dst_${col})`;
const PEER = (col: string) => `if(reporter = 'src', dst_${col}, src_${col})`;

function flowWindow(w: AnalysisWindow, scope: NamespaceScope, namespace?: string): WhereBuilder {
  return new WhereBuilder()
    .addAll('start_time >= fromUnixTimestamp64Milli({from:Int64}) AND start_time < fromUnixTimestamp64Milli({to:Int64})', { from: w.from.getTime(), to: w.to.getTime() })
    .add('(src_namespace IN {scope:Array(String)} OR dst_namespace IN {scope:Array(String)})', 'scope', scope ?? undefined)
    .add('(src_namespace = {ns:String} OR dst_namespace = {ns:String})', 'ns', namespace);
}

/** The SQL behind findings, suggestions and replays: grouped aggregates, never raw rows. */
@Injectable()
export class SuggestRepository {
  constructor(private readonly clickhouse: ClickHouseAdapter) {}

  /**
   * Distinct flows of the window: one group per inventory epoch (the number of `changeTimes` at or
   * before the flow's start), addresses, protocol, destination port and, with `bySourcePort`, source
   * port. Log events are not verdicts and are left out. At most `limit` groups, oldest epoch first.
   */
  async flowGroups(w: AnalysisWindow, changeTimes: readonly number[], scope: NamespaceScope, opts: { namespace?: string; limit: number; bySourcePort?: boolean }): Promise<FlowGroup[]> {
    const where = flowWindow(w, scope, opts.namespace).addAll("action != 'log'", {});
    const rows = await this.clickhouse.query<Record<string, unknown>>(
      `SELECT arrayCount(x -> x <= toUnixTimestamp64Milli(start_time), {changes:Array(Int64)}) AS epoch,
              src_ip, dst_ip, protocol, dst_port, ${opts.bySourcePort ? 'src_port' : '0'} AS sport,
              argMin(src_namespace, start_time) AS src_ns, argMin(src_name, start_time) AS src_name,
              argMin(dst_namespace, start_time) AS dst_ns, argMin(dst_name, start_time) AS dst_name,
              toUnixTimestamp64Milli(min(start_time)) AS first, toUnixTimestamp64Milli(max(start_time)) AS last,
              count() AS records, sum(num_flows) AS flows, sum(bytes_in + bytes_out) AS bytes,
              groupArraySorted(3)(${ROW_ID}) AS samples
       FROM flows WHERE ${where.sql}
       GROUP BY epoch, src_ip, dst_ip, protocol, dst_port, sport
       ORDER BY epoch, src_ip, dst_ip, protocol, dst_port, sport
       LIMIT {limit:UInt32}`,
      { ...where.params, changes: [...changeTimes], limit: opts.limit },
    );
    return rows.map((r) => ({
      time: Number(r.first),
      srcIp: String(r.src_ip),
      dstIp: String(r.dst_ip),
      protocol: String(r.protocol),
      dstPort: Number(r.dst_port),
      // 0: the format reported none (or the flows were not told apart by it).
      srcPort: Number(r.sport) || null,
      srcNamespace: String(r.src_ns),
      srcName: String(r.src_name),
      dstNamespace: String(r.dst_ns),
      dstName: String(r.dst_name),
      ...evidence(r),
    }));
  }

  /**
   * Use of every rule that was hit: trace hits (rollup), Log rule events (rollup) and staged
   * policies' pending decisions (flows), up to the end of the window; hits before the window only
   * give `lastHitBefore`. Scoped callers see policies of their namespaces only.
   */
  async ruleUse(w: AnalysisWindow, scope: NamespaceScope): Promise<RuleUse[]> {
    const params: Record<string, unknown> = { from: w.from.getTime(), to: w.to.getTime() };
    if (scope) params.scope = [...scope];
    const scoped = (col: string) => (scope ? ` AND splitByChar('/', ${col})[2] IN {scope:Array(String)}` : '');
    const rows = await this.clickhouse.query<Record<string, unknown>>(
      `SELECT policy, reporter, rule,
              sumIf(n, t >= fromUnixTimestamp64Milli({from:Int64})) AS hits,
              toUnixTimestamp64Milli(toDateTime64(maxIf(t, t >= fromUnixTimestamp64Milli({from:Int64})), 3)) AS last_in,
              toUnixTimestamp64Milli(toDateTime64(maxIf(t, t < fromUnixTimestamp64Milli({from:Int64})), 3)) AS last_before
       FROM (
         SELECT policy, reporter, rule_index AS rule, minute AS t, hits AS n FROM policy_hits_1m
         WHERE minute < fromUnixTimestamp64Milli({to:Int64}) AND policy != ''${scoped('policy')}
         UNION ALL
         SELECT decision_policy, reporter, decision_rule_index, minute, records FROM flow_decisions_1m
         WHERE decision_kind = 'log' AND minute < fromUnixTimestamp64Milli({to:Int64}) AND decision_policy != ''${scoped('decision_policy')}
         UNION ALL
         SELECT pending_decision_policy, reporter, pending_decision_rule_index, toStartOfMinute(start_time), 1 FROM flows
         WHERE start_time < fromUnixTimestamp64Milli({to:Int64}) AND pending_decision_policy != ''${scoped('pending_decision_policy')}
       )
       GROUP BY policy, reporter, rule
       ORDER BY policy, reporter, rule`,
      params,
    );
    return rows.map((r) => ({
      policy: String(r.policy),
      direction: r.reporter === 'src' ? ('egress' as const) : ('ingress' as const),
      ruleIndex: Number(r.rule),
      hits: Number(r.hits),
      lastHit: Number(r.hits) > 0 ? Number(r.last_in) : null,
      lastHitBefore: Number(r.last_before) > 0 ? Number(r.last_before) : null,
    }));
  }

  /**
   * Traffic per (deciding policy and rule, local workload, peer, port), for decisions of the given
   * kinds: `rule` with allow actions (what an Allow rule was used for), or `profile`/`no-profile`
   * (what no policy covered).
   */
  async edges(w: AnalysisWindow, scope: NamespaceScope, opts: { decisionKinds: readonly string[]; action?: string; policy?: string; namespace?: string }): Promise<TrafficEdge[]> {
    const where = flowWindow(w, scope, opts.namespace)
      .addAll('decision_kind IN {kinds:Array(String)}', { kinds: [...opts.decisionKinds] })
      .add('action = {action:String}', 'action', opts.action)
      .add('decision_policy = {policy:String}', 'policy', opts.policy)
      // A scoped caller sees the traffic of its own workloads only, whatever their peers are.
      .add(`${LOCAL('namespace')} IN {scope:Array(String)}`, 'scope', scope ?? undefined);
    const rows = await this.clickhouse.query<Record<string, unknown>>(
      `SELECT decision_policy AS policy, decision_rule_index AS rule, decision_kind AS kind, reporter,
              ${LOCAL('namespace')} AS local_ns, if(reporter = 'src', ${WORKLOAD('src')}, ${WORKLOAD('dst')}) AS local_wl,
              ${PEER('type')} AS peer_type, ${PEER('namespace')} AS peer_ns,
              if(${PEER('type')} IN ('wep', 'hep'), if(reporter = 'src', ${WORKLOAD('dst')}, ${WORKLOAD('src')}), '') AS peer_wl,
              if(${PEER('type')} IN ('wep', 'hep'), '', ${PEER('ip')}) AS peer_ip,
              protocol, dst_port,
              count() AS records, sum(num_flows) AS flows, sum(bytes_in + bytes_out) AS bytes,
              toUnixTimestamp64Milli(min(start_time)) AS first, toUnixTimestamp64Milli(max(start_time)) AS last,
              groupArraySorted(3)(${ROW_ID}) AS samples
       FROM flows WHERE ${where.sql}
       GROUP BY policy, rule, kind, reporter, local_ns, local_wl, peer_type, peer_ns, peer_wl, peer_ip, protocol, dst_port
       ORDER BY policy, rule, kind, reporter, local_ns, local_wl, peer_type, peer_ns, peer_wl, peer_ip, protocol, dst_port`,
      where.params,
    );
    return rows.map((r) => ({
      policy: String(r.policy),
      ruleIndex: Number(r.rule),
      decisionKind: String(r.kind),
      direction: r.reporter === 'src' ? ('egress' as const) : ('ingress' as const),
      ...edgeEnds(r),
    }));
  }

  /**
   * Allowed traffic of the workloads of some namespaces from their own point of view, whichever
   * side reported it: flows they sent (egress) and flows they received (ingress).
   */
  async workloadTraffic(w: AnalysisWindow, scope: NamespaceScope, namespaces: readonly string[]): Promise<TrafficEdge[]> {
    const where = flowWindow(w, scope).addAll("action = 'allow'", {});
    const side = (direction: 'egress' | 'ingress') => {
      const [l, p] = direction === 'egress' ? (['src', 'dst'] as const) : (['dst', 'src'] as const);
      return `SELECT '${direction}' AS dir, ${l}_namespace AS local_ns, ${WORKLOAD(l)} AS local_wl, ${p}_type AS peer_type, ${p}_namespace AS peer_ns,
                if(${p}_type IN ('wep', 'hep'), ${WORKLOAD(p)}, '') AS peer_wl, if(${p}_type IN ('wep', 'hep'), '', ${p}_ip) AS peer_ip,
                protocol, dst_port, count() AS records, sum(num_flows) AS flows, sum(bytes_in + bytes_out) AS bytes,
                toUnixTimestamp64Milli(min(start_time)) AS first, toUnixTimestamp64Milli(max(start_time)) AS last,
                groupArraySorted(3)(${ROW_ID}) AS samples
         FROM flows WHERE ${where.sql} AND ${l}_type = 'wep' AND ${l}_namespace IN {nss:Array(String)}
         GROUP BY local_ns, local_wl, peer_type, peer_ns, peer_wl, peer_ip, protocol, dst_port`;
    };
    const rows = await this.clickhouse.query<Record<string, unknown>>(
      `SELECT * FROM (${side('egress')} UNION ALL ${side('ingress')})
       ORDER BY local_ns, local_wl, dir, peer_type, peer_ns, peer_wl, peer_ip, protocol, dst_port`,
      { ...where.params, nss: [...namespaces] },
    );
    return rows.map((r) => ({
      policy: '',
      ruleIndex: -1,
      decisionKind: '',
      direction: r.dir === 'egress' ? ('egress' as const) : ('ingress' as const),
      ...edgeEnds(r),
    }));
  }

  /** Every distinct label set each workload's endpoints carried in the window's flows (both sides). */
  async workloadLabels(w: AnalysisWindow, scope: NamespaceScope): Promise<WorkloadLabels[]> {
    const where = flowWindow(w, scope);
    const rows = await this.clickhouse.query<Record<string, unknown>>(
      `SELECT ns, wl, arrayMap(id -> ${labelsOf('id')}, groupUniqArrayArray(sets)) AS label_sets FROM (
         SELECT src_namespace AS ns, ${WORKLOAD('src')} AS wl, groupUniqArray(src_labels_id) AS sets FROM flows
         WHERE ${where.sql} AND src_type IN ('wep', 'hep') GROUP BY ns, wl
         UNION ALL
         SELECT dst_namespace AS ns, ${WORKLOAD('dst')} AS wl, groupUniqArray(dst_labels_id) AS sets FROM flows
         WHERE ${where.sql} AND dst_type IN ('wep', 'hep') GROUP BY ns, wl
       ) GROUP BY ns, wl ORDER BY ns, wl`,
      where.params,
    );
    return rows.map((r) => ({ namespace: String(r.ns), workload: String(r.wl), labelSets: r.label_sets as Array<Record<string, string>> }));
  }

  /** Distinct days (UTC) of the window with at least one stored flow: gaps lower confidence. */
  async daysWithData(w: AnalysisWindow, scope: NamespaceScope): Promise<number> {
    const where = flowWindow(w, scope);
    const rows = await this.clickhouse.query<{ days: string | number }>(`SELECT uniqExact(toDate(start_time)) AS days FROM flows WHERE ${where.sql}`, where.params);
    return Number(rows[0]?.days ?? 0);
  }
}

/** The evidence columns every grouped query selects (records, flows, bytes, first, last, samples). */
function evidence(r: Record<string, unknown>): { records: number; flows: number; bytes: number; firstSeen: number; lastSeen: number; sampleIds: string[] } {
  return {
    records: Number(r.records),
    flows: Number(r.flows),
    bytes: Number(r.bytes),
    firstSeen: Number(r.first),
    lastSeen: Number(r.last),
    sampleIds: (r.samples as string[]).map(String),
  };
}

/** Both ends of a traffic edge, its protocol and port, and its evidence, as the edge queries select them. */
function edgeEnds(r: Record<string, unknown>) {
  return {
    localNamespace: String(r.local_ns),
    localWorkload: String(r.local_wl),
    peerType: String(r.peer_type),
    peerNamespace: String(r.peer_ns),
    peerWorkload: String(r.peer_wl),
    peerIp: String(r.peer_ip),
    protocol: String(r.protocol),
    port: Number(r.dst_port),
    ...evidence(r),
  };
}
