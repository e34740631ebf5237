import { ContentId, labelSetId, RecentIds, reportedTraceId, ruleTextId } from './content-ids';
import { encodeTsvRow } from './tsv.encoder';

/** The small tables (migrations/0011) and the columns a batch writes to them. */
export const SHARED_TABLES = {
  label_sets: ['id', 'labels'],
  rule_texts: ['id', 'text'],
  reported_traces: ['id', 'enforced', 'pending'],
} as const;
export type SharedTable = keyof typeof SHARED_TABLES;

/** Ids remembered per table: about the distinct label sets of a large cluster, a few MB. */
const REMEMBERED_IDS = 200_000;
/** Rule texts and reported traces seen recently, by text, so a repeat costs a map look-up. */
const REMEMBERED_TEXTS = 20_000;

/**
 * Which values shared by many flows (label sets, rule texts, reported traces) this process has
 * already stored, and their ids. Label objects come memoised from enrichment, so their ids are
 * cached by identity; texts by content.
 */
export class SharedValues {
  private readonly labelIds = new WeakMap<object, ContentId>();
  private readonly textIds = new Map<string, ContentId>();
  private readonly stored: Record<SharedTable, RecentIds> = {
    label_sets: new RecentIds(REMEMBERED_IDS),
    rule_texts: new RecentIds(REMEMBERED_IDS),
    reported_traces: new RecentIds(REMEMBERED_IDS),
  };

  /** Collects one batch's new values; call `stored()` once its inserts succeeded. */
  batch(): SharedValuesBatch {
    return new SharedValuesBatch(this);
  }

  labelsId(labels: Readonly<Record<string, string>>): ContentId {
    let id = this.labelIds.get(labels);
    if (id === undefined) {
      id = labelSetId(labels);
      this.labelIds.set(labels, id);
    }
    return id;
  }

  textId(key: string, compute: () => ContentId): ContentId {
    let id = this.textIds.get(key);
    if (id === undefined) {
      id = compute();
      if (this.textIds.size >= REMEMBERED_TEXTS) this.textIds.clear();
      this.textIds.set(key, id);
    }
    return id;
  }

  isStored(table: SharedTable, id: ContentId): boolean {
    return this.stored[table].has(id);
  }

  markStored(table: SharedTable, ids: Iterable<ContentId>): void {
    for (const id of ids) this.stored[table].add(id);
  }
}

/** One batch's values not yet stored by this process, as TSV lines per small table. */
export class SharedValuesBatch {
  readonly lines: Record<SharedTable, string[]> = { label_sets: [], rule_texts: [], reported_traces: [] };
  private readonly fresh: Record<SharedTable, Set<ContentId>> = { label_sets: new Set(), rule_texts: new Set(), reported_traces: new Set() };
  /** Ids this batch already looked at, new or not: the process-wide recency list is asked once per id and batch. */
  private readonly seen: Record<SharedTable, Set<ContentId>> = { label_sets: new Set(), rule_texts: new Set(), reported_traces: new Set() };

  constructor(private readonly values: SharedValues) {}

  labels(labels: Readonly<Record<string, string>>): ContentId {
    const id = this.values.labelsId(labels);
    if (this.isNew('label_sets', id)) this.lines.label_sets.push(encodeTsvRow([id, labels]));
    return id;
  }

  rule(text: string): ContentId {
    if (text === '') return '0';
    const id = this.values.textId(text, () => ruleTextId(text));
    if (this.isNew('rule_texts', id)) this.lines.rule_texts.push(encodeTsvRow([id, text]));
    return id;
  }

  reportedTrace(enforced: readonly string[], pending: readonly string[]): ContentId {
    if (enforced.length === 0 && pending.length === 0) return '0';
    const id = this.values.textId(`${enforced.join('\n')}\x01${pending.join('\n')}\x02`, () => reportedTraceId(enforced, pending));
    if (this.isNew('reported_traces', id)) this.lines.reported_traces.push(encodeTsvRow([id, enforced, pending]));
    return id;
  }

  /** The batch's new values are in their tables: later batches need not write them again. */
  stored(): void {
    for (const table of Object.keys(this.fresh) as SharedTable[]) this.values.markStored(table, this.fresh[table]);
  }

  private isNew(table: SharedTable, id: ContentId): boolean {
    // Id 0 (the empty value) is written by the migration.
    if (id === '0') return false;
    const seen = this.seen[table];
    if (seen.has(id)) return false;
    seen.add(id);
    if (this.values.isStored(table, id)) return false;
    this.fresh[table].add(id);
    return true;
  }
}
