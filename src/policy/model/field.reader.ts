import { parseSelector, Selector, SelectorParseError } from '../selector';
import { parseCidr } from '../rules/ip.util';
import { ResourceValidationError } from './model.errors';

export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Typed access to untrusted manifest fields. Every failure becomes a ResourceValidationError that
 * names the resource and the exact field path, which is the contract the API layer relies on.
 */
export class FieldReader {
  constructor(
    readonly kind: string,
    readonly namespace: string,
    readonly name: string,
    readonly documentIndex?: number,
  ) {}

  fail(path: string, detail: string): never {
    throw new ResourceValidationError(this.kind, this.namespace, this.name, path, detail, this.documentIndex);
  }

  obj(v: unknown, path: string): Obj | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) this.fail(path, `must be an object, got ${describe(v)}`);
    return v;
  }

  arr(v: unknown, path: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(path, `must be a list, got ${describe(v)}`);
    return v;
  }

  str(v: unknown, path: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(path, `must be a string, got ${describe(v)}`);
    return v;
  }

  reqStr(v: unknown, path: string): string {
    const s = this.str(v, path);
    if (s === undefined || s === '') this.fail(path, 'is required');
    return s;
  }

  strList(v: unknown, path: string): string[] {
    return this.arr(v, path).map((x, i) => {
      if (typeof x !== 'string') this.fail(at(path, i), `must be a string, got ${describe(x)}`);
      return x;
    });
  }

  num(v: unknown, path: string): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, `must be a number, got ${describe(v)}`);
    return v;
  }

  int(v: unknown, path: string, min: number, max: number): number | undefined {
    const n = this.num(v, path);
    if (n === undefined) return undefined;
    if (!Number.isInteger(n) || n < min || n > max) this.fail(path, `must be an integer in ${min}-${max}, got ${n}`);
    return n;
  }

  bool(v: unknown, path: string): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(path, `must be true or false, got ${describe(v)}`);
    return v;
  }

  labels(v: unknown, path: string): Record<string, string> {
    const o = this.obj(v, path);
    // Null prototype: label lookups in compiled selectors can never hit Object.prototype members.
    const out: Record<string, string> = Object.create(null);
    if (!o) return out;
    for (const [k, val] of Object.entries(o)) {
      if (typeof val !== 'string') this.fail(at(path, k), `label value must be a string, got ${describe(val)}`);
      out[k] = val;
    }
    return out;
  }

  selector(v: unknown, path: string): Selector | undefined {
    const s = this.str(v, path);
    if (s === undefined) return undefined;
    try {
      return parseSelector(s);
    } catch (e) {
      if (e instanceof SelectorParseError) this.fail(path, e.message);
      throw e;
    }
  }

  cidrs(v: unknown, path: string): string[] {
    return this.strList(v, path).map((s, i) => {
      const c = parseCidr(s);
      if (!c) this.fail(at(path, i), `invalid CIDR ${JSON.stringify(s)}`);
      return c.text;
    });
  }

  /** Rejects fields this engine does not know so typos do not silently change semantics. */
  onlyKeys(o: Obj, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.fail(at(path, k), `unknown field (expected one of: ${allowed.join(', ')})`);
  }
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}
