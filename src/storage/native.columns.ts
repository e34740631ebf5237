import { RowBinaryWriter } from './rowbinary.writer';

/**
 * Columns of one block in ClickHouse's Native format, the engine's own columnar layout: a block is
 * its column and row counts, then per column its name, its type and its values, all the rows of one
 * column together. The engine takes such a block without parsing rows (it copies whole columns),
 * and a LowCardinality column arrives as its dictionary and one small index per row, the engine's
 * in-memory form (bench/insert-formats.ts measures it against RowBinary).
 *
 * The values of plain columns are laid out as in RowBinary (little-endian numbers, strings as a
 * LEB128 length and their UTF-8 bytes), so a column writes them with a RowBinaryWriter.
 */
export interface NativeColumn {
  /** The bytes before the values: the state a type announces once per block. */
  prefix(out: RowBinaryWriter): void;
  values(out: RowBinaryWriter): void;
}

/** Numbers and String: each value written by the caller into `w`, as RowBinary would. */
export class PlainColumn implements NativeColumn {
  readonly w: RowBinaryWriter;

  constructor(initialBytes: number) {
    this.w = new RowBinaryWriter(Math.max(64, initialBytes));
  }

  prefix(): void {}

  values(out: RowBinaryWriter): void {
    out.raw(this.w.finish());
  }
}

/** Nullable(Float64): the null map for every row, then a value for every row (0 under a null). */
export class NullableFloat64Column implements NativeColumn {
  private readonly nulls: RowBinaryWriter;
  private readonly numbers: RowBinaryWriter;

  constructor(rows: number) {
    this.nulls = new RowBinaryWriter(Math.max(64, rows));
    this.numbers = new RowBinaryWriter(Math.max(64, rows * 8));
  }

  add(v: number | null): void {
    this.nulls.u8(v === null ? 1 : 0);
    this.numbers.f64(v ?? 0);
  }

  prefix(): void {}

  values(out: RowBinaryWriter): void {
    out.raw(this.nulls.finish());
    out.raw(this.numbers.finish());
  }
}

// SerializationLowCardinality's flags in the index stream's header: the block carries its own keys
// and they replace any dictionary before it (what the engine itself writes for a Native block).
const HAS_ADDITIONAL_KEYS = 1 << 9;
const NEED_UPDATE_DICTIONARY = 1 << 10;
/** The key serialization version every LowCardinality column announces first. */
const SHARED_DICTIONARIES_WITH_ADDITIONAL_KEYS = 1;

/**
 * LowCardinality(String): the distinct values of the block as its dictionary (the empty string, the
 * type's default, first, as the engine writes it), then one index per row, as narrow as the
 * dictionary allows.
 */
export class LowCardinalityColumn implements NativeColumn {
  private readonly ids = new Map<string, number>([['', 0]]);
  private readonly keys: string[] = [''];
  private indexes: Uint32Array;
  private count = 0;

  constructor(rows: number) {
    this.indexes = new Uint32Array(Math.max(16, rows));
  }

  add(s: string): void {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.keys.length;
      this.keys.push(s);
      this.ids.set(s, id);
    }
    if (this.count === this.indexes.length) {
      const next = new Uint32Array(this.indexes.length * 2);
      next.set(this.indexes);
      this.indexes = next;
    }
    this.indexes[this.count++] = id;
  }

  prefix(out: RowBinaryWriter): void {
    out.i64(SHARED_DICTIONARIES_WITH_ADDITIONAL_KEYS);
  }

  values(out: RowBinaryWriter): void {
    // No rows, no dictionary: the engine reads nothing for an empty column (the elements of an
    // Array column whose arrays are all empty).
    if (this.count === 0) return;
    const keys = this.keys;
    const width = keys.length <= 1 << 8 ? 0 : keys.length <= 1 << 16 ? 1 : 2;
    out.i64(width | HAS_ADDITIONAL_KEYS | NEED_UPDATE_DICTIONARY);
    out.i64(keys.length);
    for (let i = 0; i < keys.length; i++) out.string(keys[i]);
    const n = this.count;
    out.i64(n);
    const indexes = this.indexes;
    if (width === 0) for (let i = 0; i < n; i++) out.u8(indexes[i]);
    else if (width === 1) for (let i = 0; i < n; i++) out.u16(indexes[i]);
    else for (let i = 0; i < n; i++) out.u32(indexes[i]);
  }
}

/**
 * Array(T): every row's end offset into the elements (UInt64, cumulative), then all the elements
 * as one column of T. The caller adds a row's elements to `items`, then calls end() with how many.
 */
export class ArrayColumn<T extends NativeColumn> implements NativeColumn {
  private readonly offsets: RowBinaryWriter;
  private total = 0;

  constructor(
    rows: number,
    readonly items: T,
  ) {
    this.offsets = new RowBinaryWriter(Math.max(64, rows * 8));
  }

  end(elements: number): void {
    this.total += elements;
    this.offsets.i64(this.total);
  }

  prefix(out: RowBinaryWriter): void {
    this.items.prefix(out);
  }

  values(out: RowBinaryWriter): void {
    out.raw(this.offsets.finish());
    this.items.values(out);
  }
}

/** One Native block of `rows` rows: the columns in the order given, each with its name and type. */
export function nativeBlock(rows: number, columns: ReadonlyArray<readonly [name: string, type: string, column: NativeColumn]>, initialBytes: number): Buffer {
  const out = new RowBinaryWriter(Math.max(1 << 16, initialBytes));
  out.varUInt(columns.length);
  out.varUInt(rows);
  for (const [name, type, column] of columns) {
    out.string(name);
    out.string(type);
    column.prefix(out);
    column.values(out);
  }
  return out.finish();
}
