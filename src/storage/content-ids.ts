import { createHash } from 'node:crypto';

/**
 * Ids of the values flows share through small tables (label sets, rule texts, reported traces; see
 * migrations/0011): the first 8 bytes, little-endian, of the MD5 of a canonical encoding, as the
 * decimal text the TSV row carries; '0' for the empty value. Migration 0011 computes the same ids
 * in SQL for rows stored before, so both name a value the same way. Plain code, no I/O.
 */
export type ContentId = string;

function md5Id(text: string): ContentId {
  return createHash('md5').update(text).digest().readBigUInt64LE(0).toString();
}

/** The engine's arraySort order on strings: by UTF-8 bytes. */
function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** UTF-16 order differs from UTF-8 byte order only from the surrogates up. */
const BEYOND_SURROGATES = /[\uD800-\uFFFF]/;

/** `k1 NUL v1 NUL k2 NUL v2...`, keys in byte order: the same set always encodes the same way. */
export function labelSetId(labels: Readonly<Record<string, string>>): ContentId {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '0';
  if (keys.some((k) => BEYOND_SURROGATES.test(k))) keys.sort(byUtf8);
  else keys.sort();
  let text = '';
  for (let i = 0; i < keys.length; i++) text += `${i ? '\0' : ''}${keys[i]}\0${labels[keys[i]]}`;
  return md5Id(text);
}

export function ruleTextId(text: string): ContentId {
  return text === '' ? '0' : md5Id(text);
}

/** Enforced hits joined by line breaks, SOH, pending hits joined by line breaks. */
export function reportedTraceId(enforced: readonly string[], pending: readonly string[]): ContentId {
  return enforced.length === 0 && pending.length === 0 ? '0' : md5Id(`${enforced.join('\n')}\x01${pending.join('\n')}`);
}

/**
 * A bounded set of ids, least recently used dropped first: which values this process already
 * stored. Forgetting one only costs writing it again (the table folds the repeat).
 */
export class RecentIds {
  private readonly ids = new Map<ContentId, true>();

  constructor(private readonly max: number) {}

  has(id: ContentId): boolean {
    if (!this.ids.has(id)) return false;
    this.ids.delete(id);
    this.ids.set(id, true);
    return true;
  }

  add(id: ContentId): void {
    this.ids.delete(id);
    this.ids.set(id, true);
    if (this.ids.size > this.max) this.ids.delete(this.ids.keys().next().value as ContentId);
  }

  get size(): number {
    return this.ids.size;
  }
}
