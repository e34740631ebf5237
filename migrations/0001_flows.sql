-- One row per flow record reported by a dataplane (one reporter, one export window).
-- Partitioned by day so retention drops whole parts; sorted for per-namespace time-range queries.
-- non_replicated_deduplication_window lets a retried insert with the same deduplication token
-- (derived from the Kafka coordinates of the batch) be dropped instead of stored twice.
CREATE TABLE IF NOT EXISTS flows
(
    event_time         DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    ingest_time        DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, ZSTD(1)),
    action             LowCardinality(String),
    reporter           LowCardinality(String),
    protocol           LowCardinality(String),
    src_ip             String CODEC(ZSTD(1)),
    src_port           UInt16,
    dst_ip             String CODEC(ZSTD(1)),
    dst_port           UInt16,
    src_namespace      LowCardinality(String),
    src_name           String CODEC(ZSTD(1)),
    dst_namespace      LowCardinality(String),
    dst_name           String CODEC(ZSTD(1)),
    node               LowCardinality(String),
    packets_in         UInt64,
    packets_out        UInt64,
    bytes_in           UInt64,
    bytes_out          UInt64,
    enforced_policies  Array(String) CODEC(ZSTD(1)),
    pending_policies   Array(String) CODEC(ZSTD(1)),
    source_format      LowCardinality(String),
    source_topic       LowCardinality(String),
    source_partition   UInt32,
    source_offset      UInt64,
    source_index       UInt32
)
ENGINE = MergeTree
PARTITION BY toDate(event_time)
ORDER BY (dst_namespace, action, event_time)
SETTINGS non_replicated_deduplication_window = 10000;
