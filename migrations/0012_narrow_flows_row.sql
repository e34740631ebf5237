-- The wide columns moved to the small tables (0011): the ids lose their defaults (which read the
-- wide columns; the writer always sets them), then the wide columns go.
ALTER TABLE flows
    MODIFY COLUMN src_labels_id UInt64 DEFAULT 0,
    MODIFY COLUMN src_namespace_labels_id UInt64 DEFAULT 0,
    MODIFY COLUMN dst_labels_id UInt64 DEFAULT 0,
    MODIFY COLUMN dst_namespace_labels_id UInt64 DEFAULT 0,
    MODIFY COLUMN decision_rule_id UInt64 DEFAULT 0,
    MODIFY COLUMN reported_trace_id UInt64 DEFAULT 0;

ALTER TABLE flows
    DROP COLUMN IF EXISTS src_labels,
    DROP COLUMN IF EXISTS src_namespace_labels,
    DROP COLUMN IF EXISTS dst_labels,
    DROP COLUMN IF EXISTS dst_namespace_labels,
    DROP COLUMN IF EXISTS decision_rule,
    DROP COLUMN IF EXISTS reported_enforced,
    DROP COLUMN IF EXISTS reported_pending
    SETTINGS mutations_sync = 2;
