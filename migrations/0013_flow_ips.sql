-- An access path for search by IP address or CIDR: one row per endpoint address of every stored flow,
-- sorted by address, holding the flow's sort key (hour, destination namespace, deciding policy,
-- time). A search by IP reads the few rows of an address (or of a CIDR's address range) here, then
-- reads only the flows granules whose sort key is among them, instead of the IP columns of every
-- flow in the range. Addresses are stored as IPv6 (IPv4 as ::ffff:a.b.c.d) so a CIDR of either
-- family is one range of the sort key; a record without an address (aggregated) adds no row.
-- start_time and action let retention apply the flows table's TTL here too; the deduplication
-- window keeps a retried batch from adding its rows twice.
CREATE TABLE IF NOT EXISTS flow_ips
(
    ip               IPv6,
    side             Enum8('src' = 1, 'dst' = 2),
    start_time       DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    action           LowCardinality(String),
    dst_namespace    LowCardinality(String),
    decision_policy  LowCardinality(String)
)
ENGINE = MergeTree
PARTITION BY toDate(start_time)
ORDER BY (ip, start_time)
SETTINGS non_replicated_deduplication_window = 10000;

-- Flows stored before the view existed (migrations run before ingest starts). Only into an empty
-- table, so re-running this file after a failure further down does not add them twice.
INSERT INTO flow_ips
SELECT toIPv6(e.1) AS ip, e.2 AS side, start_time, action, dst_namespace, decision_policy
FROM flows
ARRAY JOIN [(src_ip, 'src'), (dst_ip, 'dst')] AS e
WHERE (isIPv4String(e.1) OR isIPv6String(e.1)) AND (SELECT count() FROM flow_ips) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS flow_ips_mv TO flow_ips AS
SELECT toIPv6(e.1) AS ip, e.2 AS side, start_time, action, dst_namespace, decision_policy
FROM flows
ARRAY JOIN [(src_ip, 'src'), (dst_ip, 'dst')] AS e
WHERE isIPv4String(e.1) OR isIPv6String(e.1);
