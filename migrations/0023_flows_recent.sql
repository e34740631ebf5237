-- The newest flows once more, sorted by time. `flows` is sorted by hour, then destination namespace
-- and deciding policy: the newest hundred rows of a busy hour lie one or two per namespace and
-- policy, each in its own granule, and a page reads its ~50 columns from each of those granules
-- (about 60 ms of the newest page at 10 million stored flows). Here the newest rows lie together,
-- and the same page reads a granule or two (about 15 ms).
--
-- Only rows that start within two hours of the moment they are stored are copied, and the TTL drops
-- an hour's part once all its rows started more than three hours ago. So the table holds every
-- stored flow that started in the last two hours, and a reader relies on no more than that: it reads
-- here only rows newer than 105 minutes before the engine's own clock, and goes to `flows` when that
-- does not fill its page (see flow.repository.ts). Copying costs disk for a few hours of flows, not
-- for the whole retention.
--
-- Only the columns a search page shows and filters the newest pages by (the page's columns in
-- flow.repository.ts), with the types of `flows` and the engine's default compression: the traces,
-- service and label columns a page does not show stay out, which keeps the copy's cost on every
-- insert down. A page column added to flows must be added here too (the page's read would fail,
-- and the tests with it).
CREATE TABLE IF NOT EXISTS flows_recent
ENGINE = MergeTree
PARTITION BY toStartOfHour(start_time)
ORDER BY (start_time, source_topic, source_partition, source_offset, source_index, source_incarnation)
TTL toDateTime(start_time) + INTERVAL 3 HOUR
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
EMPTY AS
SELECT end_time, start_time, action, reporter, protocol, node, num_flows, packets_in, packets_out, bytes_in, bytes_out,
       src_ip, src_port, src_type, src_namespace, src_name, src_name_aggr, src_labels_id, src_service_account, src_node, src_owner,
       dst_ip, dst_port, dst_type, dst_namespace, dst_name, dst_name_aggr, dst_labels_id, dst_service_account, dst_node, dst_owner,
       reported_verdict, reported_trace_id, computed_verdict, computed_pending_verdict,
       decision_kind, decision_tier, decision_tier_order, decision_policy, decision_policy_order, decision_rule_index, trace_source,
       verdict_mismatch, unknown_policy, unknown_endpoint, verdict_uncertain,
       source_format, source_topic, source_partition, source_offset, source_index, source_incarnation, has_details
FROM flows;

-- Flows stored before the view existed (migrations run before ingest starts). Only into an empty
-- table, so re-running this file after a failure further down does not add them twice.
INSERT INTO flows_recent
SELECT end_time, start_time, action, reporter, protocol, node, num_flows, packets_in, packets_out, bytes_in, bytes_out,
       src_ip, src_port, src_type, src_namespace, src_name, src_name_aggr, src_labels_id, src_service_account, src_node, src_owner,
       dst_ip, dst_port, dst_type, dst_namespace, dst_name, dst_name_aggr, dst_labels_id, dst_service_account, dst_node, dst_owner,
       reported_verdict, reported_trace_id, computed_verdict, computed_pending_verdict,
       decision_kind, decision_tier, decision_tier_order, decision_policy, decision_policy_order, decision_rule_index, trace_source,
       verdict_mismatch, unknown_policy, unknown_endpoint, verdict_uncertain,
       source_format, source_topic, source_partition, source_offset, source_index, source_incarnation, has_details
FROM flows
WHERE start_time >= now64(3) - INTERVAL 2 HOUR AND (SELECT count() FROM flows_recent) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS flows_recent_mv TO flows_recent AS
SELECT end_time, start_time, action, reporter, protocol, node, num_flows, packets_in, packets_out, bytes_in, bytes_out,
       src_ip, src_port, src_type, src_namespace, src_name, src_name_aggr, src_labels_id, src_service_account, src_node, src_owner,
       dst_ip, dst_port, dst_type, dst_namespace, dst_name, dst_name_aggr, dst_labels_id, dst_service_account, dst_node, dst_owner,
       reported_verdict, reported_trace_id, computed_verdict, computed_pending_verdict,
       decision_kind, decision_tier, decision_tier_order, decision_policy, decision_policy_order, decision_rule_index, trace_source,
       verdict_mismatch, unknown_policy, unknown_endpoint, verdict_uncertain,
       source_format, source_topic, source_partition, source_offset, source_index, source_incarnation, has_details
FROM flows
WHERE start_time >= now64(3) - INTERVAL 2 HOUR;
