-- A Kafka partition's offsets identify a record only within one incarnation of that partition: a
-- topic deleted and re-created, or a cluster replaced, starts again at offset 0. Rows remember the
-- incarnation they came from, the replay check compares offsets within the current incarnation
-- only, and the incarnations seen so far are recorded per partition (newest wins).
-- Rows stored before this migration belong to the incarnation '' (the first one).
ALTER TABLE flows ADD COLUMN IF NOT EXISTS source_incarnation LowCardinality(String) DEFAULT '';

CREATE TABLE IF NOT EXISTS ingest_offsets_by_incarnation
(
    source_topic       LowCardinality(String),
    source_partition   UInt32,
    source_incarnation LowCardinality(String),
    stored_offset      UInt64
)
ENGINE = ReplacingMergeTree(stored_offset)
ORDER BY (source_topic, source_partition, source_incarnation);

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_offsets_by_incarnation_mv TO ingest_offsets_by_incarnation AS
SELECT source_topic, source_partition, source_incarnation, max(source_offset) AS stored_offset
FROM flows
GROUP BY source_topic, source_partition, source_incarnation;

-- What was stored before incarnations were tracked; re-running it adds nothing new (max per key).
INSERT INTO ingest_offsets_by_incarnation (source_topic, source_partition, source_incarnation, stored_offset)
SELECT source_topic, source_partition, '', max(stored_offset) FROM ingest_offsets GROUP BY source_topic, source_partition;

CREATE TABLE IF NOT EXISTS kafka_partition_incarnations
(
    source_topic      LowCardinality(String),
    source_partition  UInt32,
    incarnation       String,
    cluster_id        String,
    recorded_at       DateTime64(3, 'UTC'),
    reason            String
)
ENGINE = MergeTree
ORDER BY (source_topic, source_partition, recorded_at);
