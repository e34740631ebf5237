-- One row per export: who asked, when, with which filters and format, how many rows and bytes
-- went out and how it ended. Written when the export starts (status 'running') and again when it
-- ends; ReplacingMergeTree keeps the newer version, readers use FINAL. A process that died
-- mid-export leaves its row at 'running'.
CREATE TABLE IF NOT EXISTS export_log
(
    id              String,
    key_id          String,
    key_name        String,
    started_at      DateTime64(3, 'UTC'),
    finished_at     Nullable(DateTime64(3, 'UTC')),
    filters         String,
    format          LowCardinality(String),
    rows            UInt64,
    bytes           UInt64,
    status          LowCardinality(String),
    body_sha256     String,
    version         UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (started_at, id);
