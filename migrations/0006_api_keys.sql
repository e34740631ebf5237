-- API keys: only the SHA-256 of each secret is kept (secrets are 32 random bytes, so a fast hash
-- is enough: there is nothing to guess). A revocation is a newer version of the row with
-- revoked_at set; ReplacingMergeTree keeps the newest version per id, readers use FINAL.
-- all_namespaces = 1 means no namespace limit (namespaces is then empty).
CREATE TABLE IF NOT EXISTS api_keys
(
    id              String,
    name            String,
    role            LowCardinality(String),
    all_namespaces  UInt8,
    namespaces      Array(String),
    secret_sha256   String,
    created_at      DateTime64(3, 'UTC'),
    revoked_at      Nullable(DateTime64(3, 'UTC')),
    version         UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id;
