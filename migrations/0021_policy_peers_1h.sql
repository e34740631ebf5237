-- A policy's busiest peers ("who does this rule let in?") were counted from the stored flows: every
-- flow of the range was read to find the ones the policy decided or traced (no sort key covers
-- "decided, staged-decided or traced by"), then grouped by endpoint pair. At 10 million stored flows
-- that took about 40 ms of every policy page. This rollup holds, per policy and hour, the records
-- per endpoint pair, sorted by policy: a page's whole hours read only that policy's rows here, and
-- only the partial hours at the range's ends still read flows (see policy-activity.repository.ts).
--
-- A flow counts once for each policy it relates to: the deciding one, the one deciding with staged
-- policies enforced, and every policy in its trace (the flows the peers were always counted from).
-- An endpoint is named by its name, else its aggregated name, else its address. `action` is kept so
-- the flows' retention (allowed and denied flows apart) can apply here too; the deduplication window
-- keeps a retried batch from adding its rows twice.
CREATE TABLE IF NOT EXISTS policy_peers_1h
(
    policy        LowCardinality(String),
    hour          DateTime('UTC'),
    src_namespace LowCardinality(String),
    src           String,
    dst_namespace LowCardinality(String),
    dst           String,
    action        LowCardinality(String),
    records       UInt64,
    flows         UInt64,
    last_seen     SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = SummingMergeTree
PARTITION BY toDate(hour)
ORDER BY (policy, hour, src_namespace, src, dst_namespace, dst, action)
SETTINGS non_replicated_deduplication_window = 10000;

-- Flows stored before the view existed (migrations run before ingest starts). Only into an empty
-- table, so re-running this file after a failure further down does not add them twice.
INSERT INTO policy_peers_1h
SELECT policy, toStartOfHour(start_time) AS hour,
       src_namespace, if(src_name != '', src_name, if(src_name_aggr != '', src_name_aggr, src_ip)) AS src,
       dst_namespace, if(dst_name != '', dst_name, if(dst_name_aggr != '', dst_name_aggr, dst_ip)) AS dst,
       action, count() AS records, sum(num_flows) AS flows, max(start_time) AS last_seen
FROM flows
ARRAY JOIN arrayDistinct(arrayFilter(p -> p != '', arrayConcat([decision_policy, pending_decision_policy], trace_policies))) AS policy
WHERE (SELECT count() FROM policy_peers_1h) = 0
GROUP BY policy, hour, src_namespace, src, dst_namespace, dst, action;

CREATE MATERIALIZED VIEW IF NOT EXISTS policy_peers_mv TO policy_peers_1h AS
SELECT policy, toStartOfHour(start_time) AS hour,
       src_namespace, if(src_name != '', src_name, if(src_name_aggr != '', src_name_aggr, src_ip)) AS src,
       dst_namespace, if(dst_name != '', dst_name, if(dst_name_aggr != '', dst_name_aggr, dst_ip)) AS dst,
       action, count() AS records, sum(num_flows) AS flows, max(start_time) AS last_seen
FROM flows
ARRAY JOIN arrayDistinct(arrayFilter(p -> p != '', arrayConcat([decision_policy, pending_decision_policy], trace_policies))) AS policy
GROUP BY policy, hour, src_namespace, src, dst_namespace, dst, action;
