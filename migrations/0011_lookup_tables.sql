-- Label sets, namespace label sets, deciding rules' text and the dataplane's reported traces repeat
-- across millions of flows: each distinct one is stored once, in a small table of its own, under a
-- content hash (the first 8 bytes of the MD5 of a canonical encoding, computed the same way by the
-- writer), and `flows` keeps only the ids. Id 0 stands for the empty value.
--
-- The writer inserts a value before the first flows row that names it, with the batch's
-- deduplication token; several writers (or a retry) may insert the same value again:
-- ReplacingMergeTree folds those rows. Each table feeds an in-memory Join table through a view, so
-- readers turn ids back into values with joinGet (an unknown id reads as the empty value).
CREATE TABLE IF NOT EXISTS label_sets
(
    id      UInt64,
    labels  Map(String, String) CODEC(ZSTD(3))
)
ENGINE = ReplacingMergeTree
ORDER BY id
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS rule_texts
(
    id    UInt64,
    text  String CODEC(ZSTD(3))
)
ENGINE = ReplacingMergeTree
ORDER BY id
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS reported_traces
(
    id        UInt64,
    enforced  Array(String) CODEC(ZSTD(3)),
    pending   Array(String) CODEC(ZSTD(3))
)
ENGINE = ReplacingMergeTree
ORDER BY id
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS label_sets_by_id (id UInt64, labels Map(String, String)) ENGINE = Join(ANY, LEFT, id);

CREATE TABLE IF NOT EXISTS rule_texts_by_id (id UInt64, text String) ENGINE = Join(ANY, LEFT, id);

CREATE TABLE IF NOT EXISTS reported_traces_by_id (id UInt64, enforced Array(String), pending Array(String)) ENGINE = Join(ANY, LEFT, id);

CREATE MATERIALIZED VIEW IF NOT EXISTS label_sets_by_id_mv TO label_sets_by_id AS SELECT id, labels FROM label_sets;

CREATE MATERIALIZED VIEW IF NOT EXISTS rule_texts_by_id_mv TO rule_texts_by_id AS SELECT id, text FROM rule_texts;

CREATE MATERIALIZED VIEW IF NOT EXISTS reported_traces_by_id_mv TO reported_traces_by_id AS SELECT id, enforced, pending FROM reported_traces;

-- The empty label set exists as a row so a selector that holds for it (`!has(app)`) finds id 0.
INSERT INTO label_sets (id, labels) VALUES (0, map());

-- Flows stored by earlier versions: ids computed from the wide columns (the defaults below are the
-- writer's hashes), materialised, then the distinct values copied into the small tables. A re-run
-- adds nothing new (same ids, folded).
ALTER TABLE flows
    ADD COLUMN IF NOT EXISTS src_labels_id UInt64 DEFAULT if(empty(src_labels), 0, reinterpretAsUInt64(MD5(arrayStringConcat(arrayMap(k -> concat(k, '\0', src_labels[k]), arraySort(mapKeys(src_labels))), '\0')))),
    ADD COLUMN IF NOT EXISTS src_namespace_labels_id UInt64 DEFAULT if(empty(src_namespace_labels), 0, reinterpretAsUInt64(MD5(arrayStringConcat(arrayMap(k -> concat(k, '\0', src_namespace_labels[k]), arraySort(mapKeys(src_namespace_labels))), '\0')))),
    ADD COLUMN IF NOT EXISTS dst_labels_id UInt64 DEFAULT if(empty(dst_labels), 0, reinterpretAsUInt64(MD5(arrayStringConcat(arrayMap(k -> concat(k, '\0', dst_labels[k]), arraySort(mapKeys(dst_labels))), '\0')))),
    ADD COLUMN IF NOT EXISTS dst_namespace_labels_id UInt64 DEFAULT if(empty(dst_namespace_labels), 0, reinterpretAsUInt64(MD5(arrayStringConcat(arrayMap(k -> concat(k, '\0', dst_namespace_labels[k]), arraySort(mapKeys(dst_namespace_labels))), '\0')))),
    ADD COLUMN IF NOT EXISTS decision_rule_id UInt64 DEFAULT if(decision_rule = '', 0, reinterpretAsUInt64(MD5(decision_rule))),
    ADD COLUMN IF NOT EXISTS reported_trace_id UInt64 DEFAULT if(empty(reported_enforced) AND empty(reported_pending), 0, reinterpretAsUInt64(MD5(concat(arrayStringConcat(reported_enforced, '\n'), '\x01', arrayStringConcat(reported_pending, '\n')))));

ALTER TABLE flows MATERIALIZE COLUMN src_labels_id SETTINGS mutations_sync = 2;

ALTER TABLE flows MATERIALIZE COLUMN src_namespace_labels_id SETTINGS mutations_sync = 2;

ALTER TABLE flows MATERIALIZE COLUMN dst_labels_id SETTINGS mutations_sync = 2;

ALTER TABLE flows MATERIALIZE COLUMN dst_namespace_labels_id SETTINGS mutations_sync = 2;

ALTER TABLE flows MATERIALIZE COLUMN decision_rule_id SETTINGS mutations_sync = 2;

ALTER TABLE flows MATERIALIZE COLUMN reported_trace_id SETTINGS mutations_sync = 2;

INSERT INTO label_sets (id, labels)
SELECT id, any(labels) FROM (
    SELECT src_labels_id AS id, src_labels AS labels FROM flows WHERE src_labels_id != 0
    UNION ALL SELECT src_namespace_labels_id, src_namespace_labels FROM flows WHERE src_namespace_labels_id != 0
    UNION ALL SELECT dst_labels_id, dst_labels FROM flows WHERE dst_labels_id != 0
    UNION ALL SELECT dst_namespace_labels_id, dst_namespace_labels FROM flows WHERE dst_namespace_labels_id != 0
)
GROUP BY id;

INSERT INTO rule_texts (id, text)
SELECT decision_rule_id, any(decision_rule) FROM flows WHERE decision_rule_id != 0 GROUP BY decision_rule_id;

INSERT INTO reported_traces (id, enforced, pending)
SELECT reported_trace_id, any(reported_enforced), any(reported_pending) FROM flows WHERE reported_trace_id != 0 GROUP BY reported_trace_id;
