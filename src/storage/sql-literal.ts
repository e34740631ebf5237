import type { QueryParams } from './clickhouse.adapter';

/** A {name:Type} query parameter, as ClickHouse writes them. */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g;

/** A value as a constant expression whose text never carries the value's own characters. */
function literal(v: unknown, at: string): string {
  if (typeof v === 'string') return `unhex('${Buffer.from(v, 'utf8').toString('hex')}')`;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`query parameter ${at}: ${v} is not a finite number`);
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (v === null) return 'NULL';
  if (Array.isArray(v)) return `[${v.map((x, i) => literal(x, `${at}[${i}]`)).join(', ')}]`;
  throw new Error(`query parameter ${at}: unsupported value of type ${typeof v}`);
}

/**
 * The query with every {name:Type} replaced by CAST(value AS Type), for the embedded engine, which
 * runs bound-parameter queries one at a time process-wide (chDB's parameter state is not isolated
 * per session, so its Node binding serializes them) but queries without parameters in parallel.
 * Injection-safe by construction: text travels hex-encoded, numbers are rendered from numbers, and
 * the type comes from the query text itself, never from a value.
 */
export function inlineParams(sql: string, params: QueryParams): string {
  return sql.replace(PLACEHOLDER, (_m, name: string, type: string) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) throw new Error(`query parameter ${name} is not set`);
    return `CAST(${literal(params[name], name)} AS ${type})`;
  });
}
