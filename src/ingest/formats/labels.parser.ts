import { fail, shown } from './field.readers';

/** `["k=v", ...]` -> Record. Split at the first '=' (values may contain '='; keys cannot). */
export function labelsFromPairs(field: string, pairs: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (pairs === undefined || pairs === null) return out;
  if (!Array.isArray(pairs)) return fail(field, `expected an array of "key=value" strings, got ${shown(pairs)}`);
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i];
    if (typeof p !== 'string') fail(`${field}[${i}]`, `expected a "key=value" string, got ${shown(p)}`);
    const eq = p.indexOf('=');
    if (eq <= 0) fail(`${field}[${i}]`, `expected "key=value", got ${shown(p)}`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

/** Calico: `{"labels": ["k=v", ...]}`, or `-` / null / absent when not said. */
export function calicoLabels(field: string, v: unknown): Record<string, string> {
  if (v === undefined || v === null || v === '-') return {};
  if (typeof v === 'object' && !Array.isArray(v)) return labelsFromPairs(`${field}.labels`, (v as Record<string, unknown>).labels);
  return fail(field, `expected {"labels": [...]} or "-", got ${shown(v)}`);
}
