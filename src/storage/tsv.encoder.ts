/**
 * ClickHouse TabSeparated text for inserts: the engine parses it about twice as fast as
 * JSONEachRow for wide rows (measured on the flows table: ~62k vs ~37k rows/s in chDB), which is
 * where ingest spends most of its time.
 */
export type TsvValue = string | number | boolean | null | readonly string[] | readonly number[] | Readonly<Record<string, string>>;

const NEEDS_TSV_ESCAPE = /[\t\n\r\\]/;
const NEEDS_QUOTE_ESCAPE = /['\\\t\n\r]/;
const QUOTE_ESCAPES = /['\\\t\n\r]/g;
const QUOTE_ESCAPE: Record<string, string> = { "'": "\\'", '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function escapeField(s: string): string {
  return NEEDS_TSV_ESCAPE.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
}

/**
 * A string literal inside an Array or Map value. The engine reads such a field's elements as quoted
 * strings straight from the TSV text (there is no second, TSV-level unescaping), so tabs and line
 * breaks are escaped here and backslashes only once.
 */
export function quote(s: string): string {
  return `'${NEEDS_QUOTE_ESCAPE.test(s) ? s.replace(QUOTE_ESCAPES, (c) => QUOTE_ESCAPE[c]) : s}'`;
}

function encodeValue(v: TsvValue): string {
  if (v === null) return '\\N';
  switch (typeof v) {
    case 'string':
      return escapeField(v);
    case 'number':
      return String(v);
    case 'boolean':
      return v ? '1' : '0';
  }
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      if (i) out += ',';
      const x = v[i] as string | number;
      out += typeof x === 'number' ? String(x) : quote(x);
    }
    return `${out}]`;
  }
  let out = '{';
  let first = true;
  for (const k in v as Record<string, string>) {
    if (!first) out += ',';
    first = false;
    out += `${quote(k)}:${quote((v as Record<string, string>)[k])}`;
  }
  return `${out}}`;
}

/** One TabSeparated line (no trailing newline) of values in column order. */
export function encodeTsvRow(values: readonly TsvValue[]): string {
  let line = encodeValue(values[0]);
  for (let i = 1; i < values.length; i++) line += `\t${encodeValue(values[i])}`;
  return line;
}

/**
 * The engine reads a number as Unix seconds only from 9 integer digits up (1973-03-03); shorter
 * ones are refused as malformed dates, so earlier times are written as a date and time.
 */
const FIRST_UNIX_SECONDS_MS = 100_000_000_000;

/** DateTime64(3) from epoch milliseconds, as text formats read it (seconds with a fraction). */
export function tsvTime(ms: number): string {
  if (ms < FIRST_UNIX_SECONDS_MS) return new Date(Math.round(ms)).toISOString().replace('T', ' ').replace('Z', '');
  // Integer milliseconds (every record's) without toFixed, which showed in the ingest profile.
  if (!Number.isSafeInteger(ms)) return (ms / 1000).toFixed(3);
  const frac = ms % 1000;
  return `${(ms - frac) / 1000}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}`;
}
