/**
 * ClickHouse RowBinary, written into one growing buffer: every value little-endian at its type's
 * width, strings and arrays as a LEB128 length then their bytes / elements, Nullable as a 0/1 byte
 * before the value, LowCardinality(String) as a plain String. The engine reads it without any text
 * parsing, which makes it cheaper than TabSeparated for wide rows (see bench/insert-formats.ts).
 * Values are written as given: the caller checks ranges (the record decoder does for counters and
 * ports).
 */
const TWO_32 = 2 ** 32;

export class RowBinaryWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  /** Starts over (the bytes taken with finish() before are overwritten). */
  reset(): void {
    this.pos = 0;
  }

  /** The bytes written so far (a view of the writer's buffer: write nothing more after taking it). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  bool(v: boolean): void {
    this.room(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  // Byte stores rather than Buffer#writeUInt32LE & co., whose range checks showed in the profile.
  u16(v: number): void {
    this.room(2);
    const buf = this.buf;
    const p = this.pos;
    buf[p] = v;
    buf[p + 1] = v >>> 8;
    this.pos = p + 2;
  }

  u32(v: number): void {
    this.room(4);
    this.put32(v);
  }

  i32(v: number): void {
    this.room(4);
    this.put32(v);
  }

  /** The low 32 bits of `v`, little-endian (room already made). */
  private put32(v: number): void {
    const buf = this.buf;
    const p = this.pos;
    buf[p] = v;
    buf[p + 1] = v >>> 8;
    buf[p + 2] = v >>> 16;
    buf[p + 3] = v >>> 24;
    this.pos = p + 4;
  }

  /** A UInt64 / Int64 from an integer number (exact up to 2^53; two's complement when negative). */
  i64(v: number): void {
    this.room(8);
    const hi = Math.floor(v / TWO_32);
    this.put32(v - hi * TWO_32);
    this.put32(hi);
  }

  /** A UInt64 from its decimal text (Kafka offsets, content ids): exact over the whole range. */
  u64Text(s: string): void {
    if (s.length < 16) {
      const n = Number(s);
      if (Number.isSafeInteger(n) && n >= 0) return this.i64(n);
    }
    this.room(8);
    this.pos = this.buf.writeBigUInt64LE(BigInt(s), this.pos);
  }

  f64(v: number): void {
    this.room(8);
    this.pos = this.buf.writeDoubleLE(v, this.pos);
  }

  nullableF64(v: number | null): void {
    if (v === null) return this.u8(1);
    this.u8(0);
    this.f64(v);
  }

  /** An unsigned LEB128 length. */
  varUInt(n: number): void {
    this.room(5);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  string(s: string): void {
    const len = s.length;
    if (len < 43) {
      // At most 126 UTF-8 bytes: a one-byte length. ASCII is copied by hand (most of our strings).
      this.room(1 + len * 3);
      const buf = this.buf;
      const start = this.pos;
      let p = start + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i < len) p = start + 1 + buf.write(s, start + 1, 'utf8');
      buf[start] = p - start - 1;
      this.pos = p;
      return;
    }
    // Long: the bytes go after room for the longest length prefix, then move up if it is shorter.
    const max = len * 3;
    const reserve = lebSize(max);
    this.room(reserve + max);
    const start = this.pos;
    const n = this.buf.write(s, start + reserve, 'utf8');
    const used = lebSize(n);
    if (used < reserve) this.buf.copyWithin(start + used, start + reserve, start + reserve + n);
    this.varUInt(n);
    this.pos = start + used + n;
  }

  stringArray(a: readonly string[]): void {
    this.varUInt(a.length);
    for (let i = 0; i < a.length; i++) this.string(a[i]);
  }

  i32Array(a: readonly number[]): void {
    this.varUInt(a.length);
    for (let i = 0; i < a.length; i++) this.i32(a[i]);
  }

  /** Bytes already in RowBinary (a memoised run of columns). */
  raw(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    if (n < 64) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = b[i];
      this.pos = p;
    } else {
      this.buf.set(b, this.pos);
      this.pos += n;
    }
  }
}

function lebSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n >>>= 7;
    size++;
  }
  return size;
}

/** A writer for short runs of columns, reused: what it writes is copied out at once. */
const scratch = new RowBinaryWriter(1024);

/** Encodes a run of columns once, for memoising the columns many rows share. */
export function rowBinaryBytes(write: (w: RowBinaryWriter) => void): Buffer {
  scratch.reset();
  write(scratch);
  const bytes = scratch.finish();
  const out = Buffer.allocUnsafe(bytes.length);
  bytes.copy(out);
  return out;
}
