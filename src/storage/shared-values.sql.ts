/**
 * SQL turning the ids a flows row keeps back into the values (migrations/0011): an O(1) look-up in
 * the in-memory Join tables, so a streamed export keeps its on-disk order (no JOIN step). An id
 * whose value is unknown reads as the empty value.
 */
export const labelsOf = (idColumn: string) => `joinGet('label_sets_by_id', 'labels', ${idColumn})`;

export const ruleTextOf = (idColumn: string) => `joinGet('rule_texts_by_id', 'text', ${idColumn})`;

export const reportedOf = (part: 'enforced' | 'pending', idColumn: string) => `joinGet('reported_traces_by_id', '${part}', ${idColumn})`;

/** The wide columns of earlier versions, under their old names, for a query over flows rows. */
export const WIDE_COLUMNS = [
  `${labelsOf('src_labels_id')} AS src_labels`,
  `${labelsOf('dst_labels_id')} AS dst_labels`,
  `${reportedOf('enforced', 'reported_trace_id')} AS reported_enforced`,
  `${reportedOf('pending', 'reported_trace_id')} AS reported_pending`,
].join(', ');

/** A condition on one label set (the `labels` column of label_sets) as a condition on a flows row. */
export const labelSetWhere = (idColumn: string, condition: string) => `${idColumn} IN (SELECT id FROM label_sets WHERE ${condition})`;
