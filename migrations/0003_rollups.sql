-- Per-minute rollups kept by materialized views, so dashboards never scan raw flows.
-- SummingMergeTree adds up rows with the same key as parts merge; readers still sum() by key.
-- A retried batch is counted once here too: the target tables keep their own deduplication window
-- (ClickHouse deduplicates each view's block by the same token; without a window on the target, a
-- retry deduplicated on flows would still be added here).

-- What decided each flow: tier / policy / rule / action / namespaces.
CREATE TABLE IF NOT EXISTS flow_decisions_1m
(
    minute            DateTime('UTC'),
    decision_tier     LowCardinality(String),
    decision_policy   LowCardinality(String),
    decision_rule_index Int32,
    decision_kind     LowCardinality(String),
    action            LowCardinality(String),
    reporter          LowCardinality(String),
    src_namespace     LowCardinality(String),
    dst_namespace     LowCardinality(String),
    records           UInt64,
    flows             UInt64,
    bytes             UInt64,
    packets           UInt64,
    mismatches        UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toDate(minute)
ORDER BY (minute, decision_tier, decision_policy, decision_rule_index, decision_kind, action, reporter, src_namespace, dst_namespace)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS flow_decisions_1m_mv TO flow_decisions_1m AS
SELECT
    toStartOfMinute(start_time) AS minute,
    decision_tier, decision_policy, decision_rule_index, decision_kind, action, reporter,
    src_namespace, dst_namespace,
    count() AS records,
    sum(num_flows) AS flows,
    sum(bytes_in + bytes_out) AS bytes,
    sum(packets_in + packets_out) AS packets,
    sum(verdict_mismatch) AS mismatches
FROM flows
GROUP BY minute, decision_tier, decision_policy, decision_rule_index, decision_kind, action, reporter, src_namespace, dst_namespace;

-- Every hit of every attributed trace (Pass and end-of-tier hits included): per-policy and per-rule
-- hit counts, including policies that never decide a flow.
CREATE TABLE IF NOT EXISTS policy_hits_1m
(
    minute       DateTime('UTC'),
    tier         LowCardinality(String),
    policy       LowCardinality(String),
    rule_index   Int32,
    hit_action   LowCardinality(String),
    reporter     LowCardinality(String),
    hits         UInt64,
    flows        UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toDate(minute)
ORDER BY (minute, tier, policy, rule_index, hit_action, reporter)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS policy_hits_1m_mv TO policy_hits_1m AS
SELECT
    toStartOfMinute(start_time) AS minute,
    tier, policy, rule_index, hit_action, reporter,
    count() AS hits,
    sum(num_flows) AS flows
FROM flows
ARRAY JOIN trace_tiers AS tier, trace_policies AS policy, trace_rules AS rule_index, trace_actions AS hit_action
GROUP BY minute, tier, policy, rule_index, hit_action, reporter;
