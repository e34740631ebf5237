import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RowBinaryWriter } from '../../../src/storage/rowbinary.writer';

/** Reads back one LEB128-prefixed string at `at`: [text, next offset]. */
function readString(b: Buffer, at: number): [string, number] {
  let n = 0;
  let shift = 0;
  for (;;) {
    const byte = b[at++];
    n += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) break;
  }
  return [b.toString('utf8', at, at + n), at + n];
}

describe('RowBinary writer', () => {
  it('writes strings of every length class with the right LEB128 prefix, unicode included', () => {
    const samples = ['', 'a', 'x'.repeat(42), 'x'.repeat(43), 'é'.repeat(42), '🦀'.repeat(40), 'x'.repeat(127), 'x'.repeat(128), 'é'.repeat(64), 'y'.repeat(16383), 'y'.repeat(16384), '🦀'.repeat(50_000), 'a\0b\t\n\\\''];
    const w = new RowBinaryWriter(8); // tiny: growth is exercised too
    for (const s of samples) w.string(s);
    const b = w.finish();
    let at = 0;
    for (const s of samples) {
      const [text, next] = readString(b, at);
      assert.equal(text, s);
      const bytes = Buffer.byteLength(s);
      assert.equal(next - at - bytes, bytes < 128 ? 1 : bytes < 16384 ? 2 : 3, `length prefix of ${bytes} bytes`);
      at = next;
    }
    assert.equal(at, b.length);
  });

  it('writes integers little-endian at their width, 64-bit ones exactly from numbers and from decimal text', () => {
    const w = new RowBinaryWriter();
    w.u8(255);
    w.u16(65535);
    w.u32(4294967295);
    w.i32(-1);
    w.i64(Number.MAX_SAFE_INTEGER);
    w.i64(2 ** 32);
    w.i64(-2);
    w.u64Text('18446744073709551615');
    w.u64Text('9007199254740993');
    w.u64Text('2570');
    w.nullableF64(null);
    w.nullableF64(-0.5);
    w.bool(true);
    const b = w.finish();
    assert.equal(b.readUInt8(0), 255);
    assert.equal(b.readUInt16LE(1), 65535);
    assert.equal(b.readUInt32LE(3), 4294967295);
    assert.equal(b.readInt32LE(7), -1);
    assert.equal(b.readBigUInt64LE(11), BigInt(Number.MAX_SAFE_INTEGER));
    assert.equal(b.readBigUInt64LE(19), 2n ** 32n);
    assert.equal(b.readBigInt64LE(27), -2n);
    assert.equal(b.readBigUInt64LE(35), 18446744073709551615n);
    assert.equal(b.readBigUInt64LE(43), 9007199254740993n);
    assert.equal(b.readBigUInt64LE(51), 2570n);
    assert.deepEqual([...b.subarray(59, 61)], [1, 0]);
    assert.equal(b.readDoubleLE(61), -0.5);
    assert.equal(b[69], 1);
    assert.equal(b.length, 70);
  });

  it('writes arrays as a count then the elements', () => {
    const w = new RowBinaryWriter();
    w.stringArray([]);
    w.stringArray(['a', 'bc']);
    w.i32Array([-1, 7]);
    assert.deepEqual([...w.finish()], [0, 2, 1, 97, 2, 98, 99, 2, 255, 255, 255, 255, 7, 0, 0, 0]);
  });
});
