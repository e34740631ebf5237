-- Trace hits per minute with the namespaces on both sides, so hit counts can be limited to the
-- namespaces an API key may see (policy_hits_1m has no namespace). The same deduplication window
-- as the other rollups keeps a retried batch counted once.
CREATE TABLE IF NOT EXISTS policy_hits_ns_1m
(
    minute        DateTime('UTC'),
    tier          LowCardinality(String),
    policy        LowCardinality(String),
    rule_index    Int32,
    hit_action    LowCardinality(String),
    reporter      LowCardinality(String),
    src_namespace LowCardinality(String),
    dst_namespace LowCardinality(String),
    hits          UInt64,
    flows         UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toDate(minute)
ORDER BY (minute, policy, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS policy_hits_ns_1m_mv TO policy_hits_ns_1m AS
SELECT
    toStartOfMinute(start_time) AS minute,
    tier, policy, rule_index, hit_action, reporter, src_namespace, dst_namespace,
    count() AS hits,
    sum(num_flows) AS flows
FROM flows
ARRAY JOIN trace_tiers AS tier, trace_policies AS policy, trace_rules AS rule_index, trace_actions AS hit_action
GROUP BY minute, tier, policy, rule_index, hit_action, reporter, src_namespace, dst_namespace;

-- Flows stored before this view existed (migrations run before ingest starts).
INSERT INTO policy_hits_ns_1m
SELECT
    toStartOfMinute(start_time) AS minute,
    tier, policy, rule_index, hit_action, reporter, src_namespace, dst_namespace,
    count() AS hits,
    sum(num_flows) AS flows
FROM flows
ARRAY JOIN trace_tiers AS tier, trace_policies AS policy, trace_rules AS rule_index, trace_actions AS hit_action
GROUP BY minute, tier, policy, rule_index, hit_action, reporter, src_namespace, dst_namespace;
