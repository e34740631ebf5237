-- The per-minute activity rollup summed by hour. A policy's page over a day read the policy's rows
-- of 1,440 minutes (8,640 rows, about 10 ms, at 10 million stored flows); its whole hours now come
-- from here (24 hours of rows) and only the minutes at the range's ends from the per-minute rollup,
-- so the answer is the same (see policy-activity.repository.ts).
--
-- It is fed by the per-minute rollup's own inserts (the rows the three views on flows write there
-- for a batch), not by flows again: summing a batch's few activity rows costs ingest next to nothing.
CREATE TABLE IF NOT EXISTS policy_activity_1h
(
    hour          DateTime('UTC'),
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
PARTITION BY toDate(hour)
ORDER BY (policy, hour, hit_source, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace)
SETTINGS non_replicated_deduplication_window = 10000;

-- What the per-minute rollup holds already (migrations run before ingest starts). Only into an
-- empty table, so re-running this file after a failure further down does not add it twice.
INSERT INTO policy_activity_1h
SELECT toStartOfHour(minute) AS hour, hit_source, policy, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace,
       sum(hits) AS hits, sum(flows) AS flows, min(first_seen) AS first_seen, max(last_seen) AS last_seen
FROM policy_activity_1m
WHERE (SELECT count() FROM policy_activity_1h) = 0
GROUP BY hour, hit_source, policy, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace;

CREATE MATERIALIZED VIEW IF NOT EXISTS policy_activity_1h_mv TO policy_activity_1h AS
SELECT toStartOfHour(minute) AS hour, hit_source, policy, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace,
       sum(hits) AS hits, sum(flows) AS flows, min(first_seen) AS first_seen, max(last_seen) AS last_seen
FROM policy_activity_1m
GROUP BY hour, hit_source, policy, tier, rule_index, hit_action, reporter, src_namespace, dst_namespace;
