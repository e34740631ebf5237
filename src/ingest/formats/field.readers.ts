import { MalformedEventError } from '../malformed-event.error';

/**
 * Hand-written type checks for the dataplane formats. They run once per field of every record at up
 * to 100,000 records/s, so they are plain `typeof` tests (no schema engine, no closures) and they
 * name the field in the error, as the flowscope parser's schema errors do.
 */

export type Json = Record<string, unknown>;

export function fail(field: string, reason: string): never {
  throw new MalformedEventError(`${field}: ${reason}`);
}

function shown(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string, or '' when absent or null (Go and Elasticsearch both write null for "nothing"). */
export function optString(o: Json, key: string, field: string = key): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  return fail(field, `expected a string, got ${shown(v)}`);
}

/** Calico writes `-` for "not said"; flowscope stores ''. */
export function optDashString(o: Json, key: string, field: string = key): string {
  const s = optString(o, key, field);
  return s === '-' ? '' : s;
}

export function reqString(o: Json, key: string, field: string = key): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  if (v === undefined) return fail(field, 'is required');
  return fail(field, `expected a string, got ${shown(v)}`);
}

/**
 * A non-negative integer; absent or null = 0. `numericStrings` accepts "123" too, which is how the
 * protobuf JSON mapping writes int64 values (Goldmane only; Calico writes numbers).
 */
export function optCount(o: Json, key: string, field: string = key, numericStrings = false): number {
  const v = o[key];
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= 0) return v;
    return fail(field, v < 0 ? `must not be negative, got ${v}` : `expected an integer, got ${v}`);
  }
  if (v === undefined || v === null) return 0;
  if (numericStrings && typeof v === 'string') return countFromString(v, field);
  return fail(field, `expected a non-negative integer, got ${shown(v)}`);
}

function countFromString(s: string, field: string): number {
  const n = Number(s);
  // Number('') is 0 and Number(' 1') is 1: require plain digits.
  if (s.length > 0 && s.length <= 16 && Number.isSafeInteger(n) && n >= 0 && isDigits(s)) return n;
  if (n < 0) return fail(field, `must not be negative, got ${shown(s)}`);
  return fail(field, `expected a non-negative integer, got ${shown(s)}`);
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function optPort(o: Json, key: string, field: string = key): number {
  const p = optCount(o, key, field);
  if (p > 65535) fail(field, `port out of range: ${p}`);
  return p;
}

/** Unix seconds (integer or fractional) -> epoch milliseconds. */
export function reqUnixSeconds(o: Json, key: string, field: string = key, numericStrings = false): number {
  const v = o[key];
  if (v === undefined || v === null) return fail(field, 'is required');
  let s: number;
  if (typeof v === 'number') s = v;
  else if (numericStrings && typeof v === 'string') s = countFromString(v, field);
  else return fail(field, `expected Unix seconds, got ${shown(v)}`);
  if (!Number.isFinite(s) || s < 0) return fail(field, `expected Unix seconds, got ${shown(v)}`);
  // Milliseconds would read as a date ~50,000 years away: catch the unit mix-up here.
  if (s > 1e11) return fail(field, `${s} is not Unix seconds (milliseconds?)`);
  return Math.round(s * 1000);
}

export function optStringArray(o: Json, key: string, field: string = key): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return fail(field, `expected an array of strings, got ${shown(v)}`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') fail(`${field}[${i}]`, `expected a string, got ${shown(v[i])}`);
  }
  return v as string[];
}

export function optObject(o: Json, key: string, field: string = key): Json | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (isObject(v)) return v;
  return fail(field, `expected an object, got ${shown(v)}`);
}

/** The key present in `o`: Go-JSON snake_case, else protojson lowerCamelCase. */
export function k(o: Json, snake: string, camel: string): string {
  return o[snake] === undefined && o[camel] !== undefined ? camel : snake;
}

export { shown };
