import { parsePolicyHitString } from '../../policy';
import { fail } from './field.readers';

/**
 * Hit strings repeat across records (a cluster has a few thousand distinct policy/rule pairs), and
 * the engine's parser splits and regex-tests each one. Remembering the verdict per distinct string
 * makes validation a Map lookup on the hot path. Bounded: cleared when full, so a flood of distinct
 * (e.g. malicious) strings cannot grow memory.
 */
const MAX_ENTRIES = 20_000;
/** string -> leading index when valid, or the engine's reason when not. */
const verdicts = new Map<string, number | string>();

/** Returns the hit's leading index, or throws MalformedEventError naming `field`. */
export function checkHitString(field: string, hit: string): number {
  let v = verdicts.get(hit);
  if (v === undefined) {
    try {
      v = parsePolicyHitString(hit).index;
    } catch (err) {
      v = (err as Error).message;
    }
    if (verdicts.size >= MAX_ENTRIES) verdicts.clear();
    verdicts.set(hit, v);
  }
  if (typeof v === 'string') return fail(field, v);
  return v;
}

/**
 * Validates every hit and returns them ordered by leading index (records may list them in any
 * order; the verdict is the last enforced hit). The strings themselves are kept as sent.
 */
export function checkHitStrings(field: string, hits: string[]): string[] {
  let sorted = true;
  let prev = -1;
  for (let i = 0; i < hits.length; i++) {
    const index = checkHitString(`${field}[${i}]`, hits[i]);
    if (index < prev) sorted = false;
    prev = index;
  }
  if (sorted) return hits;
  // Rare: decorate with the cached index, stable sort, undecorate.
  return hits
    .map((h, i) => ({ h, i, k: verdicts.get(h) as number }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((e) => e.h);
}
