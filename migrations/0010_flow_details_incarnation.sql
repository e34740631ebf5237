-- Offsets restart when a Kafka topic is re-created, so a flow's details are keyed by the partition's
-- incarnation too (see 0004), as flow ids are. Rows stored before this belong to the first
-- incarnation (the column's empty default), which is also what their flows rows say. A column added
-- to the sorting key may not have a default expression of its own.
ALTER TABLE flow_details
    ADD COLUMN IF NOT EXISTS source_incarnation LowCardinality(String) AFTER source_index,
    MODIFY ORDER BY (source_topic, source_partition, source_offset, source_index, source_incarnation);
