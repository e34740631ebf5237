-- One row per flow record a dataplane reported (one reporter, one export window), enriched with
-- the endpoints valid at its start time and attributed to the tier / policy / rule that decided it.
--
-- Partitioned by day so retention drops whole parts. Sorted by hour, then destination namespace,
-- then deciding policy: time-range queries prune by hour, per-namespace and per-policy questions
-- read contiguous ranges inside each hour. Skipping indexes cover source-side and IP look-ups.
-- non_replicated_deduplication_window lets a retried insert with the same deduplication token
-- (derived from the Kafka coordinates of the batch) be dropped instead of stored twice.
CREATE TABLE IF NOT EXISTS flows
(
    start_time              DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    end_time                DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    ingest_time             DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, ZSTD(1)),
    action                  LowCardinality(String),
    reporter                LowCardinality(String),
    protocol                LowCardinality(String),
    src_ip                  String CODEC(ZSTD(1)),
    src_port                UInt16,
    dst_ip                  String CODEC(ZSTD(1)),
    dst_port                UInt16,

    src_type                LowCardinality(String),
    src_namespace           LowCardinality(String),
    src_name                String CODEC(ZSTD(1)),
    src_name_aggr           String CODEC(ZSTD(1)),
    src_labels              Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    src_namespace_labels    Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    src_service_account     LowCardinality(String),
    src_node                LowCardinality(String),
    src_owner               String CODEC(ZSTD(1)),
    dst_type                LowCardinality(String),
    dst_namespace           LowCardinality(String),
    dst_name                String CODEC(ZSTD(1)),
    dst_name_aggr           String CODEC(ZSTD(1)),
    dst_labels              Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    dst_namespace_labels    Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    dst_service_account     LowCardinality(String),
    dst_node                LowCardinality(String),
    dst_owner               String CODEC(ZSTD(1)),
    dst_service_name        LowCardinality(String),
    dst_service_namespace   LowCardinality(String),
    dst_service_port        UInt16,

    node                    LowCardinality(String),
    num_flows               UInt32,
    num_flows_started       UInt32,
    num_flows_completed     UInt32,
    packets_in              UInt64,
    packets_out             UInt64,
    bytes_in                UInt64,
    bytes_out               UInt64,

    -- The dataplane's own report, as received.
    reported_enforced       Array(String) CODEC(ZSTD(1)),
    reported_pending        Array(String) CODEC(ZSTD(1)),
    reported_verdict        LowCardinality(String),
    -- The engine's verdict for the same flow, from the policies valid at start_time.
    computed_verdict        LowCardinality(String),
    computed_pending_verdict LowCardinality(String),
    -- The attributed trace (the reported one when the record has it, else the computed one):
    -- parallel arrays, one element per hit, for per-policy / per-rule hit counts.
    trace_source            LowCardinality(String),
    trace_tiers             Array(LowCardinality(String)),
    trace_policies          Array(String),
    trace_rules             Array(Int32),
    trace_actions           Array(LowCardinality(String)),
    -- What decided the flow (for a log event: the policy and rule that logged it).
    decision_kind           LowCardinality(String),
    decision_tier           LowCardinality(String),
    decision_tier_order     Nullable(Float64),
    decision_policy         LowCardinality(String),
    decision_policy_order   Nullable(Float64),
    decision_rule_index     Int32,
    decision_rule           String CODEC(ZSTD(3)),
    pending_decision_policy LowCardinality(String),
    pending_decision_rule_index Int32,
    verdict_mismatch        UInt8,
    unknown_policy          UInt8,
    unknown_endpoint        UInt8,

    source_format           LowCardinality(String),
    source_topic            LowCardinality(String),
    source_partition        UInt32,
    source_offset           UInt64,
    source_index            UInt32,

    INDEX idx_src_namespace src_namespace TYPE set(1000) GRANULARITY 4,
    INDEX idx_src_ip src_ip TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_dst_ip dst_ip TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_action action TYPE set(8) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toDate(start_time)
ORDER BY (toStartOfHour(start_time), dst_namespace, decision_policy, start_time)
SETTINGS non_replicated_deduplication_window = 10000;

-- The highest stored Kafka offset per partition, kept small by a view so a consumer that gets a
-- partition (start, rebalance) can skip messages whose rows are already stored, however the
-- redelivered batch is cut. ReplacingMergeTree keeps the largest `stored_offset` per key.
CREATE TABLE IF NOT EXISTS ingest_offsets
(
    source_topic      LowCardinality(String),
    source_partition  UInt32,
    stored_offset     UInt64
)
ENGINE = ReplacingMergeTree(stored_offset)
ORDER BY (source_topic, source_partition)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_offsets_mv TO ingest_offsets AS
SELECT source_topic, source_partition, max(source_offset) AS stored_offset
FROM flows
GROUP BY source_topic, source_partition;
