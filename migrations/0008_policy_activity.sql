-- Per-policy activity per minute, with the namespaces on both sides (so it can be limited to the
-- namespaces an API key may see) and first / last seen. Three kinds of hit:
--   trace   every hit of the attributed trace (Pass and end-of-tier included)
--   pending the decision with staged policies enforced (how staged policies are seen at all)
--   log     a Log rule that matched (the flow record of a log event names it)
-- The same deduplication window as the other rollups keeps a retried batch counted once.
CREATE TABLE IF NOT EXISTS policy_activity_1m
(
    minute        DateTime('UTC'),
    hit_source    LowCardinality(String),
    policy        LowCardinality(String),
    tier          LowCardinality(String),
    rule_index    Int32,
    hit_action    LowCardinality(String),
    reporter      LowCardinality(String),
    src_namespace LowCardinality(String),
    dst_namespace LowCardinality(String),
    hits          UInt64,
    flows         UInt64,
    first_seen    SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_seen     SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = SummingMergeTree
PARTITION BY toDate(minute)
ORDER BY (minute, policy, hit_source, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS policy_activity_trace_mv TO policy_activity_1m AS
SELECT
    toStartOfMinute(start_time) AS minute, 'trace' AS hit_source,
    policy, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace,
    count() AS hits, sum(num_flows) AS flows, min(start_time) AS first_seen, max(start_time) AS last_seen
FROM flows
ARRAY JOIN trace_tiers AS tier, trace_policies AS policy, trace_rules AS rule_index, trace_actions AS hit_action
GROUP BY minute, policy, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace;

CREATE MATERIALIZED VIEW IF NOT EXISTS policy_activity_pending_mv TO policy_activity_1m AS
SELECT
    toStartOfMinute(start_time) AS minute, 'pending' AS hit_source,
    pending_decision_policy AS policy, '' AS tier, pending_decision_rule_index AS rule_index,
    computed_pending_verdict AS hit_action, reporter, src_namespace, dst_namespace,
    count() AS hits, sum(num_flows) AS flows, min(start_time) AS first_seen, max(start_time) AS last_seen
FROM flows
WHERE pending_decision_policy != ''
GROUP BY minute, policy, rule_index, hit_action, reporter, src_namespace, dst_namespace;

CREATE MATERIALIZED VIEW IF NOT EXISTS policy_activity_log_mv TO policy_activity_1m AS
SELECT
    toStartOfMinute(start_time) AS minute, 'log' AS hit_source,
    decision_policy AS policy, decision_tier AS tier, decision_rule_index AS rule_index,
    'log' AS hit_action, reporter, src_namespace, dst_namespace,
    count() AS hits, sum(num_flows) AS flows, min(start_time) AS first_seen, max(start_time) AS last_seen
FROM flows
WHERE action = 'log' AND decision_policy != ''
GROUP BY minute, policy, tier, rule_index, reporter, src_namespace, dst_namespace;

-- Flows stored before these views existed (migrations run before ingest starts).
INSERT INTO policy_activity_1m
SELECT
    toStartOfMinute(start_time) AS minute, 'trace' AS hit_source,
    policy, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace,
    count() AS hits, sum(num_flows) AS flows, min(start_time) AS first_seen, max(start_time) AS last_seen
FROM flows
ARRAY JOIN trace_tiers AS tier, trace_policies AS policy, trace_rules AS rule_index, trace_actions AS hit_action
GROUP BY minute, policy, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace;

INSERT INTO policy_activity_1m
SELECT
    toStartOfMinute(start_time) AS minute, 'pending' AS hit_source,
    pending_decision_policy AS policy, '' AS tier, pending_decision_rule_index AS rule_index,
    computed_pending_verdict AS hit_action, reporter, src_namespace, dst_namespace,
    count() AS hits, sum(num_flows) AS flows, min(start_time) AS first_seen, max(start_time) AS last_seen
FROM flows
WHERE pending_decision_policy != ''
GROUP BY minute, policy, rule_index, hit_action, reporter, src_namespace, dst_namespace;

INSERT INTO policy_activity_1m
SELECT
    toStartOfMinute(start_time) AS minute, 'log' AS hit_source,
    decision_policy AS policy, decision_tier AS tier, decision_rule_index AS rule_index,
    'log' AS hit_action, reporter, src_namespace, dst_namespace,
    count() AS hits, sum(num_flows) AS flows, min(start_time) AS first_seen, max(start_time) AS last_seen
FROM flows
WHERE action = 'log' AND decision_policy != ''
GROUP BY minute, policy, tier, rule_index, reporter, src_namespace, dst_namespace;
