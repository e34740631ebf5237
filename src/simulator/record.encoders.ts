import { PolicyHit } from '../policy';
import { HitGeneration, renderHit, renderTrace } from './hit.render';
import { Connection, SimEndpoint, SimRecord } from './traffic.types';

export type OutputFormat = 'flowscope' | 'calico' | 'goldmane';

/** Renders one record as one JSON text; null when the format has no such record (log events). */
export type RecordEncoder = (conn: Connection, rec: SimRecord) => string | null;

/** Formats whose Kafka messages may carry several records as NDJSON lines. */
export const NDJSON_FORMATS: ReadonlySet<OutputFormat> = new Set(['flowscope', 'goldmane']);

function logHitString(rec: SimRecord, gen: HitGeneration): string {
  const l = rec.log;
  if (!l) throw new Error('log record without a log hit');
  return renderHit(l, l.afterHit, 'log', gen);
}

/**
 * Rendering the same trace for every record of a deployment pair is most of the encoding cost,
 * so the JSON of a trace is memoised on the engine's (shared, frozen) hit arrays.
 */
function traceJsonCache(gen: HitGeneration): (hits: readonly PolicyHit[]) => string {
  const cache = new WeakMap<readonly PolicyHit[], string>();
  return (hits) => {
    let s = cache.get(hits);
    if (s === undefined) cache.set(hits, (s = JSON.stringify(renderTrace(hits, gen))));
    return s;
  };
}

/** `"srcNamespace":"x","srcName":"y",` for a side, memoised per pod/node (names never need escaping, but stringify anyway). */
function sideFields(prefix: 'src' | 'dst', e: SimEndpoint, cache: WeakMap<object, string>): string {
  const owner = e.pod ?? e.node;
  if (!owner) return '';
  let s = cache.get(owner);
  if (s === undefined) {
    s = e.pod
      ? `"${prefix}Namespace":${JSON.stringify(e.pod.namespace)},"${prefix}Name":${JSON.stringify(e.pod.name)},`
      : `"${prefix}Name":${JSON.stringify(e.node?.name)},`;
    cache.set(owner, s);
  }
  return s;
}

/** flowscope v1 (docs/flow-event.schema.json). Optional fields are omitted when unknown. */
export function flowscopeEncoder(gen: HitGeneration = 'g3'): RecordEncoder {
  const trace = traceJsonCache(gen);
  const srcCache = new WeakMap<object, string>();
  const dstCache = new WeakMap<object, string>();
  return (c, r) => {
    const policies =
      r.action === 'log' ? `{"enforced":[${JSON.stringify(logHitString(r, gen))}]}` : `{"enforced":${trace(r.enforced)},"pending":${trace(r.pending)}}`;
    // Hand-assembled: JSON.stringify of a fresh object per record was a third of the run time.
    return (
      `{"version":1,"time":${c.time},"action":"${r.action}","reporter":"${r.reporter}","protocol":"${c.protocol}",` +
      `"srcIp":${JSON.stringify(c.src.ip)},"srcPort":${c.srcPort},"dstIp":${JSON.stringify(c.dst.ip)},"dstPort":${c.dstPort},` +
      sideFields('src', c.src, srcCache) +
      sideFields('dst', c.dst, dstCache) +
      `"node":${JSON.stringify(r.node)},"packetsIn":${c.packetsIn},"packetsOut":${c.packetsOut},"bytesIn":${c.bytesIn},"bytesOut":${c.bytesOut},` +
      `"policies":${policies}}`
    );
  };
}

const FIVE_MINUTES = 300;

function calicoName(e: SimEndpoint): { name: string; aggr: string; namespace: string; type: string; labels: unknown } {
  if (e.pod) {
    const labels = Object.entries(e.pod.app.labels).map(([k, v]) => `${k}=${v}`);
    return { name: e.pod.name, aggr: `${e.pod.app.name}-${e.pod.app.templateHash}-*`, namespace: e.pod.namespace, type: 'wep', labels: { labels } };
  }
  if (e.node) return { name: e.node.name, aggr: e.node.name, namespace: '-', type: 'hep', labels: { labels: ['host-endpoint=true'] } };
  if (e.net && e.net.kind !== 'Network') {
    const labels = Object.entries(e.net.labels).map(([k, v]) => `${k}=${v}`);
    return { name: '-', aggr: e.net.name, namespace: e.net.namespace || '-', type: 'ns', labels: { labels } };
  }
  return { name: '-', aggr: isPrivate(e.ip) ? 'pvt' : 'pub', namespace: '-', type: 'net', labels: '-' };
}

function isPrivate(ip: string): boolean {
  return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|f[cd])/.test(ip);
}

/** Calico Enterprise flow log, aggregation level 0 (one record per connection, as observed). */
export function calicoEncoder(gen: HitGeneration = 'g2'): RecordEncoder {
  return (c, r) => {
    if (r.action === 'log') return null;
    const s = calicoName(c.src);
    const d = calicoName(c.dst);
    const start = Math.floor(c.time / 1000 / FIVE_MINUTES) * FIVE_MINUTES;
    return JSON.stringify({
      start_time: start,
      end_time: start + FIVE_MINUTES,
      action: r.action,
      reporter: r.reporter,
      source_ip: c.src.ip,
      source_port: c.srcPort,
      source_name: s.name,
      source_name_aggr: s.aggr,
      source_namespace: s.namespace,
      source_type: s.type,
      source_labels: s.labels,
      dest_ip: c.dst.ip,
      dest_port: c.dstPort,
      dest_name: d.name,
      dest_name_aggr: d.aggr,
      dest_namespace: d.namespace,
      dest_type: d.type,
      dest_labels: d.labels,
      dest_service_name: c.service?.name ?? '-',
      dest_service_namespace: c.service?.namespace ?? '-',
      dest_service_port: c.service?.portName ?? '-',
      dest_service_port_num: c.service?.port ?? null,
      proto: c.protocol,
      policies: { enforced_policies: renderTrace(r.enforced, gen), pending_policies: renderTrace(r.pending, gen) },
      packets_in: c.packetsIn,
      packets_out: c.packetsOut,
      bytes_in: c.bytesIn,
      bytes_out: c.bytesOut,
      num_flows: 1,
      num_flows_started: 1,
      num_flows_completed: r.action === 'allow' ? 1 : 0,
      host: r.node,
    });
  };
}

export const GOLDMANE_ACTION = { allow: 1, deny: 2, pass: 3 } as const;
export const GOLDMANE_ENDPOINT = { wep: 1, hep: 2, ns: 3, net: 4 } as const;
export const GOLDMANE_REPORTER = { src: 1, dst: 2 } as const;
export const GOLDMANE_KIND: Readonly<Record<PolicyHit['kind'], number>> = {
  NetworkPolicy: 1,
  GlobalNetworkPolicy: 2,
  StagedNetworkPolicy: 3,
  StagedGlobalNetworkPolicy: 4,
  StagedKubernetesNetworkPolicy: 5,
  KubernetesNetworkPolicy: 6,
  Profile: 9,
  EndOfTier: 10,
  ClusterNetworkPolicy: 11,
};

function goldmaneHit(h: PolicyHit, i: number): Record<string, unknown> {
  if (h.ruleIndex === -1 && h.kind !== 'Profile') {
    // As Felix sends it: kind EndOfTier, no name, the policy that selected the endpoint as trigger.
    const trigger: Record<string, unknown> = { kind: GOLDMANE_KIND[h.kind], name: h.name, tier: h.tier };
    if (h.namespace) trigger.namespace = h.namespace;
    return { kind: GOLDMANE_KIND.EndOfTier, tier: h.tier, action: GOLDMANE_ACTION[h.action], policy_index: i, rule_index: -1, trigger };
  }
  const o: Record<string, unknown> = { kind: GOLDMANE_KIND[h.kind], name: h.name, tier: h.tier, action: GOLDMANE_ACTION[h.action], policy_index: i, rule_index: h.ruleIndex };
  if (h.namespace) o.namespace = h.namespace;
  return o;
}

/** Goldmane's HTTP emitter: Go-JSON of Flow, enums as integers, no IPs, no source port. */
export function goldmaneEncoder(): RecordEncoder {
  return (c, r) => {
    if (r.action === 'log') return null;
    const s = calicoName(c.src);
    const d = calicoName(c.dst);
    const start = Math.floor(c.time / 1000 / 15) * 15;
    const key: Record<string, unknown> = {
      source_name: s.aggr,
      source_namespace: s.namespace === '-' ? '' : s.namespace,
      source_type: GOLDMANE_ENDPOINT[s.type as keyof typeof GOLDMANE_ENDPOINT],
      dest_name: d.aggr,
      dest_namespace: d.namespace === '-' ? '' : d.namespace,
      dest_type: GOLDMANE_ENDPOINT[d.type as keyof typeof GOLDMANE_ENDPOINT],
      dest_port: c.dstPort,
      dest_service_name: c.service?.name ?? '',
      dest_service_namespace: c.service?.namespace ?? '',
      dest_service_port_name: c.service?.portName ?? '',
      dest_service_port: c.service?.port ?? 0,
      proto: c.protocol,
      reporter: GOLDMANE_REPORTER[r.reporter],
      action: GOLDMANE_ACTION[r.action],
      policies: { enforced_policies: r.enforced.map(goldmaneHit), pending_policies: r.pending.map(goldmaneHit) },
    };
    return JSON.stringify({
      Key: key,
      start_time: start,
      end_time: start + 15,
      source_labels: typeof s.labels === 'object' ? (s.labels as { labels: string[] }).labels : [],
      dest_labels: typeof d.labels === 'object' ? (d.labels as { labels: string[] }).labels : [],
      packets_in: c.packetsIn,
      packets_out: c.packetsOut,
      bytes_in: c.bytesIn,
      bytes_out: c.bytesOut,
      // Felix sends Calico's num_flows in num_connections_live.
      num_connections_started: 1,
      num_connections_completed: r.action === 'allow' ? 1 : 0,
      num_connections_live: 1,
    });
  };
}

export function encoderFor(format: OutputFormat, gen?: HitGeneration): RecordEncoder {
  switch (format) {
    case 'flowscope':
      return flowscopeEncoder(gen ?? 'g3');
    case 'calico':
      return calicoEncoder(gen ?? 'g2');
    case 'goldmane':
      return goldmaneEncoder();
  }
}
