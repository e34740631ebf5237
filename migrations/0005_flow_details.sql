-- What some flow records carry besides the flow (process, domains, original source IPs, NAT ports,
-- TCP socket statistics, HTTP counts, a forwarded flow's transit trace), one row per record that
-- carries any of it, kept off the flows row so the hot insert stays narrow. Keyed by the flow's row
-- id (its Kafka coordinates); `details` is the JSON object the API returns as is.
--
-- Written before the batch's flows row insert, with the same deduplication token (a retried insert
-- is dropped). A batch redelivered cut differently after a crash between the two inserts may write
-- a row again: ReplacingMergeTree folds it on merge and readers take one row per id (LIMIT 1 BY).
-- start_time and action let retention apply the flows table's TTL here too.
CREATE TABLE IF NOT EXISTS flow_details
(
    start_time        DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    action            LowCardinality(String),
    source_topic      LowCardinality(String),
    source_partition  UInt32,
    source_offset     UInt64,
    source_index      UInt32,
    details           String CODEC(ZSTD(3))
)
ENGINE = ReplacingMergeTree
PARTITION BY toDate(start_time)
ORDER BY (source_topic, source_partition, source_offset, source_index)
SETTINGS non_replicated_deduplication_window = 10000;
