/**
 * Records shaped as Felix and Calico Enterprise emit them, built from Calico's public sources:
 * goldmane/proto/methods.go and methods_test.go (hit strings <-> PolicyHit, end-of-tier hits with a
 * trigger and no name), felix/collector/goldmane/client.go (num_flows in num_connections_live, `-`
 * for "none") and the Calico Enterprise flow-log data types (extras, transit_policies).
 */

/**
 * Felix's emitter line for a denied flow: a Go-JSON proto.Flow with integer enums and omitempty.
 * The enforced trace is `0|tier1|web/tier1.policy1|pass|0` then the default tier's end-of-tier deny
 * `1|default|web/knp.default.allow-nginx|deny|-1` as HitFromString builds it: kind EndOfTier (10),
 * tier, action, rule_index -1, and the trigger (the policy that selected the endpoint) without a name
 * of its own. The source is outside the cluster and the flow has no service, so Felix sends `-`.
 */
export const FELIX_EOT_DENY = {
  Key: {
    source_name: 'pvt', source_namespace: '-', source_type: 4,
    dest_name: 'nginx-86c57db685-*', dest_namespace: 'web', dest_type: 1, dest_port: 8080,
    dest_service_name: '-', dest_service_namespace: '-', dest_service_port_name: '-',
    proto: 'tcp', reporter: 2, action: 2,
    policies: {
      enforced_policies: [
        { kind: 1, namespace: 'web', name: 'tier1.policy1', tier: 'tier1', action: 3 },
        {
          kind: 10, tier: 'default', action: 2, policy_index: 1, rule_index: -1,
          trigger: { kind: 6, namespace: 'web', name: 'allow-nginx', tier: 'default' },
        },
      ],
    },
  },
  start_time: 1741600000, end_time: 1741600015, dest_labels: ['app=nginx'],
  packets_in: 3, bytes_in: 180,
  num_connections_started: 3, num_connections_live: 3,
};

/** A global default deny at the end of the `security` tier (`2|security|security.default-deny|deny|-1`). */
export const FELIX_GNP_EOT = {
  kind: 10, tier: 'security', action: 2, policy_index: 2, rule_index: -1,
  trigger: { kind: 2, name: 'security.default-deny', tier: 'security' },
};

/** A staged policy's end-of-tier in the pending trace (`0|tier2|default/tier2.staged:np2-1|deny|-1`). */
export const FELIX_STAGED_EOT = {
  kind: 10, tier: 'tier2', action: 2, rule_index: -1,
  trigger: { kind: 3, namespace: 'default', name: 'np2-1', tier: 'tier2' },
};

/** Calico Enterprise record reported by a forwarding host endpoint: only transit_policies. */
export const CALICO_FWD = {
  start_time: 1700000300, end_time: 1700000600, host: 'gw-1', action: 'deny', reporter: 'fwd', proto: 'tcp',
  source_ip: '203.0.113.7', source_port: null, source_name: '-', source_name_aggr: 'pub', source_namespace: '-',
  source_type: 'net', source_labels: '-', dest_ip: '10.0.2.9', dest_port: 22, dest_name: '-', dest_name_aggr: 'db-*',
  dest_namespace: 'data', dest_type: 'wep', dest_labels: '-',
  dest_service_name: '-', dest_service_namespace: '-', dest_service_port: '-', dest_service_port_num: null,
  policies: { enforced_policies: [], pending_policies: [], transit_policies: ['0|host|host.block-ssh-forward|deny|0'] },
  packets_in: 2, packets_out: 0, bytes_in: 120, bytes_out: 0, num_flows: 1, num_flows_started: 1, num_flows_completed: 0,
};

/** Calico Enterprise record with the extras users ask about: process, domains, NAT, TCP, HTTP. */
export const CALICO_EXTRAS = {
  start_time: 1700000000, end_time: 1700000300, host: 'node-1', action: 'allow', reporter: 'src', proto: 'tcp',
  source_ip: '10.0.1.5', source_port: 43512, source_name: 'frontend-7d4b9c8f6-x2x7q', source_name_aggr: 'frontend-7d4b9c8f6-*',
  source_namespace: 'shop', source_type: 'wep', source_labels: { labels: ['app=frontend'] },
  dest_ip: '93.184.216.34', dest_port: 443, dest_name: '-', dest_name_aggr: 'pub', dest_namespace: '-', dest_type: 'net',
  dest_labels: '-', dest_service_name: '-', dest_service_namespace: '-', dest_service_port: '-', dest_service_port_num: null,
  dest_domains: ['example.com', 'www.example.com'],
  policies: { enforced_policies: ['0|default|shop/knp.default.allow-egress|allow|0'], pending_policies: [] },
  packets_in: 10, packets_out: 12, bytes_in: 5000, bytes_out: 1200, num_flows: 1, num_flows_started: 1, num_flows_completed: 1,
  process_name: '/usr/bin/curl', num_process_names: 1, process_id: '4242', num_process_ids: 1,
  process_args: ['-s', 'https://example.com/'], num_process_args: 2,
  original_source_ips: ['198.51.100.4'], num_original_source_ips: 1, nat_outgoing_ports: [61000, 61001],
  tcp_mean_send_congestion_window: 10, tcp_min_send_congestion_window: 10, tcp_mean_smooth_rtt: 2100, tcp_max_smooth_rtt: 3900,
  tcp_mean_min_rtt: 1800, tcp_max_min_rtt: 2000, tcp_mean_mss: 1448, tcp_min_mss: 1448, tcp_total_retransmissions: 2,
  tcp_lost_packets: 0, tcp_unrecovered_to: 0,
  http_requests_allowed_in: 0, http_requests_denied_in: 0,
};
