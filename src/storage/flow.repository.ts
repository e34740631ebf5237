import { Injectable } from '@nestjs/common';
import { FlowAction, FlowRecord, RecordSource } from '../flows/flow-record';
import { ClickHouseAdapter } from './clickhouse.adapter';

export interface StoredFlow {
  id: string;
  eventTime: string;
  action: FlowAction;
  reporter: string;
  protocol: string;
  srcIp: string;
  srcPort: number;
  srcNamespace: string;
  srcName: string;
  dstIp: string;
  dstPort: number;
  dstNamespace: string;
  dstName: string;
  node: string;
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
  enforcedPolicies: string[];
  pendingPolicies: string[];
}

export interface FlowSearch {
  from: Date;
  to: Date;
  action?: FlowAction;
  /** matches either side of the flow */
  namespace?: string;
  limit: number;
  /** keyset cursor: rows strictly older than this (event time ms, row id) */
  before?: { eventTime: number; id: string };
}

export interface FlowPage {
  items: StoredFlow[];
  next?: { eventTime: number; id: string };
}

/** Row id: unique per Kafka record (and line within it), stable across retries. */
const ROW_ID = `concat(source_topic, '/', toString(source_partition), '/', toString(source_offset), '/', toString(source_index))`;

@Injectable()
export class FlowRepository {
  constructor(private readonly clickhouse: ClickHouseAdapter) {}

  async insert(records: ReadonlyArray<{ record: FlowRecord; source: RecordSource }>, dedupToken: string): Promise<void> {
    const rows = records.map(({ record: r, source: s }) => ({
      event_time: r.eventTime,
      action: r.action,
      reporter: r.reporter,
      protocol: r.protocol,
      src_ip: r.srcIp,
      src_port: r.srcPort,
      dst_ip: r.dstIp,
      dst_port: r.dstPort,
      src_namespace: r.srcNamespace,
      src_name: r.srcName,
      dst_namespace: r.dstNamespace,
      dst_name: r.dstName,
      node: r.node,
      packets_in: r.packetsIn,
      packets_out: r.packetsOut,
      bytes_in: r.bytesIn,
      bytes_out: r.bytesOut,
      enforced_policies: r.enforcedPolicies,
      pending_policies: r.pendingPolicies,
      source_format: s.format,
      source_topic: s.topic,
      source_partition: s.partition,
      source_offset: s.offset,
      source_index: s.index,
    }));
    await this.clickhouse.insert('flows', rows, dedupToken);
  }

  async search(q: FlowSearch): Promise<FlowPage> {
    const where = ['event_time >= fromUnixTimestamp64Milli({from:Int64})', 'event_time < fromUnixTimestamp64Milli({to:Int64})'];
    const params: Record<string, unknown> = { from: q.from.getTime(), to: q.to.getTime(), limit: q.limit + 1 };
    if (q.action) {
      where.push('action = {action:String}');
      params.action = q.action;
    }
    if (q.namespace) {
      where.push('(src_namespace = {ns:String} OR dst_namespace = {ns:String})');
      params.ns = q.namespace;
    }
    if (q.before) {
      where.push(`(event_time, ${ROW_ID}) < (fromUnixTimestamp64Milli({beforeTime:Int64}), {beforeId:String})`);
      params.beforeTime = q.before.eventTime;
      params.beforeId = q.before.id;
    }
    const rows = await this.clickhouse.query<Omit<StoredFlow, 'eventTime'> & { eventTimeMs: number | string }>(
      `SELECT ${ROW_ID} AS id,
              toUnixTimestamp64Milli(event_time) AS eventTimeMs,
              action, reporter, protocol,
              src_ip AS srcIp, src_port AS srcPort, src_namespace AS srcNamespace, src_name AS srcName,
              dst_ip AS dstIp, dst_port AS dstPort, dst_namespace AS dstNamespace, dst_name AS dstName,
              node, packets_in AS packetsIn, packets_out AS packetsOut, bytes_in AS bytesIn, bytes_out AS bytesOut,
              enforced_policies AS enforcedPolicies, pending_policies AS pendingPolicies
       FROM flows
       WHERE ${where.join(' AND ')}
       ORDER BY event_time DESC, id DESC
       LIMIT {limit:UInt32}`,
      params,
    );
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    const items = page.map(({ eventTimeMs, ...flow }) => ({
      ...flow,
      eventTime: new Date(Number(eventTimeMs)).toISOString(),
      packetsIn: Number(flow.packetsIn),
      packetsOut: Number(flow.packetsOut),
      bytesIn: Number(flow.bytesIn),
      bytesOut: Number(flow.bytesOut),
    }));
    const last = page[page.length - 1];
    return { items, next: more && last ? { eventTime: Number(last.eventTimeMs), id: last.id } : undefined };
  }
}
