-- The free-text columns of flows (addresses, names, owners) move from ZSTD(1) to LZ4, the engine's
-- default. Flow search reads these columns for a page of rows scattered over many granules, and
-- the export and the per-policy peers read them for every matching row: decompressing them was the
-- largest single cost of a page (measured on 10 million stored flows: about 6 ms per column for a
-- 100-row page with ZSTD, less than half with LZ4), while the table grew by under 3 %. Parts written
-- before this change keep their codec until merges rewrite them.
ALTER TABLE flows
    MODIFY COLUMN src_ip String CODEC(LZ4),
    MODIFY COLUMN dst_ip String CODEC(LZ4),
    MODIFY COLUMN src_name String CODEC(LZ4),
    MODIFY COLUMN dst_name String CODEC(LZ4),
    MODIFY COLUMN src_name_aggr String CODEC(LZ4),
    MODIFY COLUMN dst_name_aggr String CODEC(LZ4),
    MODIFY COLUMN src_owner String CODEC(LZ4),
    MODIFY COLUMN dst_owner String CODEC(LZ4);
