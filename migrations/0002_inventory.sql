-- Every version of every cluster resource flowscope was told about, with the instant it became
-- valid, so the inventory as of any instant can be rebuilt (pods come and go, IPs are reused,
-- policies change). A deletion is a version with deleted = 1.
-- ReplacingMergeTree folds the duplicates a redelivered Kafka message or a retried API call makes.
CREATE TABLE IF NOT EXISTS inventory_versions
(
    key            String,
    kind           LowCardinality(String),
    namespace      LowCardinality(String),
    name           String,
    manifest_kind  LowCardinality(String),
    manifest_name  String,
    valid_from     DateTime64(3, 'UTC'),
    deleted        UInt8,
    manifest       String CODEC(ZSTD(3)),
    source         LowCardinality(String),
    recorded_at    DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(recorded_at)
ORDER BY (key, valid_from, deleted);
