/** Realistic records of each dataplane format, shaped on the public documentation and sources. */

/** felix/collector/flowlog/testdata/flows.log (Calico Enterprise): aggregated, null IPs, `-` names, all_policies. */
export const CALICO_AGGREGATED = {
  start_time: 1577834657, end_time: 1577834965, source_ip: null, source_name: '-',
  source_name_aggr: 'intrusion-detection-controller-5bdcdd9c97-*', source_namespace: 'tigera-intrusion-detection',
  source_port: null, source_type: 'wep',
  source_labels: { labels: ['pod-template-hash=5bdcdd9c97', 'k8s-app=intrusion-detection-controller'] },
  dest_ip: null, dest_name: '-', dest_name_aggr: 'coredns-576cbf47c7-*', dest_namespace: 'kube-system', dest_port: 53,
  dest_type: 'wep', dest_labels: { labels: ['pod-template-hash=576cbf47c7', 'k8s-app=kube-dns'] }, proto: 'udp',
  action: 'allow', reporter: 'dst', policies: { all_policies: ['0|__PROFILE__|__PROFILE__.kns.kube-system|allow'] },
  bytes_in: 4288, bytes_out: 7644, num_flows: 41, num_flows_started: 37, num_flows_completed: 39, packets_in: 37,
  packets_out: 37, http_requests_allowed_in: 0, http_requests_denied_in: 0, original_source_ips: null, num_original_source_ips: 0,
};

/** Enterprise 3.19+ record at aggregation level 0, G2 hit strings (staged pending), a Service, process extras. */
export const CALICO_G2 = {
  start_time: 1700000000, end_time: 1700000300, host: 'node-1', action: 'deny', reporter: 'src', proto: 'tcp',
  source_ip: '10.0.1.5', source_port: 43512, source_name: 'frontend-7d4b9c8f6-x2x7q', source_name_aggr: 'frontend-7d4b9c8f6-*',
  source_namespace: 'shop', source_type: 'wep', source_labels: { labels: ['app=frontend', 'tier=web'] },
  dest_ip: '10.0.2.9', dest_port: 5432, dest_name: 'db-0', dest_name_aggr: 'db-*', dest_namespace: 'data', dest_type: 'wep',
  dest_labels: '-', dest_service_name: 'db', dest_service_namespace: 'data', dest_service_port: 'postgres', dest_service_port_num: 5432,
  policies: {
    enforced_policies: ['1|default|shop/knp.default.deny-db|deny|0', '0|security|security.block-list|pass|-1'],
    pending_policies: ['0|security|security.block-list|pass|-1', '1|default|shop/default.staged:allow-db|allow|2'],
  },
  packets_in: 0, packets_out: 3, bytes_in: 0, bytes_out: 180, num_flows: 1, num_flows_started: 1, num_flows_completed: 0,
  process_name: '/usr/bin/node', process_id: 4242, tcp_mean_send_congestion_window: 10, dest_domains: null,
};

/** Calico OSS 3.32+ style G3 hit strings; a host endpoint to the public network. */
export const CALICO_G3 = {
  start_time: 1700000300, end_time: 1700000600, host: 'node-2', action: 'allow', reporter: 'fwd', proto: 6,
  source_ip: '192.168.0.10', source_port: null, source_name: 'node-2-eth0', source_name_aggr: 'node-2-eth0', source_namespace: '-',
  source_type: 'hep', source_labels: '-', dest_ip: '2001:db8::1', dest_port: 443, dest_name: '-', dest_name_aggr: 'pub',
  dest_namespace: '-', dest_type: 'net', dest_labels: '-', dest_service_name: '-', dest_service_namespace: '-',
  dest_service_port: '-', dest_service_port_num: null,
  policies: {
    enforced_policies: ['0|tier1|np:default/tier1.np1-1|pass|0', '1|kube-admin|kcnp:name|allow|1'],
    pending_policies: ['0|tier2|snp:default/tier2.np2-1|deny|-1'],
  },
  packets_in: 10, packets_out: 12, bytes_in: 5000, bytes_out: 1200, num_flows: 2, num_flows_started: 2, num_flows_completed: 2,
};

/** Goldmane emitter line: Go JSON of the proto structs, `Key` capitalised, integer enums, zero values omitted. */
export const GOLDMANE_INT = {
  Key: {
    source_name: 'client-7f9d8c6b5-*', source_namespace: 'app', source_type: 1,
    dest_name: 'nginx-86c57db685-*', dest_namespace: 'web', dest_type: 1, dest_port: 80,
    dest_service_name: 'nginx', dest_service_namespace: 'web', dest_service_port_name: 'http', dest_service_port: 80,
    proto: 'tcp', reporter: 2, action: 1,
    policies: {
      enforced_policies: [
        { kind: 2, name: 'allow-dns', tier: 'platform', action: 3, rule_index: 1 },
        { kind: 6, namespace: 'web', name: 'allow-nginx', tier: 'default', action: 1, policy_index: 1 },
      ],
      pending_policies: [
        { kind: 5, namespace: 'web', name: 'lockdown', tier: 'default', action: 2, policy_index: 0, rule_index: -1 },
      ],
    },
  },
  start_time: 1741600000, end_time: 1741600015, source_labels: ['app=client'], dest_labels: ['app=nginx', 'pod-template-hash=86c57db685'],
  packets_in: 20, packets_out: 18, bytes_in: 2400, bytes_out: 9100,
  num_connections_started: 3, num_connections_completed: 2, num_connections_live: 1,
};

/** The same flow with enum names (protobuf JSON mapping): equal records expected. */
export const GOLDMANE_NAMES = {
  ...GOLDMANE_INT,
  Key: {
    ...GOLDMANE_INT.Key, source_type: 'WorkloadEndpoint', dest_type: 'WorkloadEndpoint', reporter: 'Dst', action: 'Allow',
    policies: {
      enforced_policies: [
        { kind: 'GlobalNetworkPolicy', name: 'allow-dns', tier: 'platform', action: 'Pass', rule_index: 1 },
        { kind: 'NetworkPolicy', namespace: 'web', name: 'allow-nginx', tier: 'default', action: 'Allow', policy_index: 1 },
      ],
      pending_policies: [
        { kind: 'StagedKubernetesNetworkPolicy', namespace: 'web', name: 'lockdown', tier: 'default', action: 'Deny', policy_index: 0, rule_index: -1 },
      ],
    },
  },
};

/** flowscope's own event format. */
export const FLOWSCOPE = {
  time: '2024-05-01T10:00:00Z', action: 'allow', reporter: 'src', protocol: 'tcp',
  srcIp: '10.0.0.1', srcPort: 40000, dstIp: '10.0.0.2', dstPort: 80,
};

export function buf(...records: unknown[]): Buffer {
  return Buffer.from(records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n'));
}
