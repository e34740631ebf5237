import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Session } from 'chdb';
import { inlineParams } from '../../../src/storage/sql-literal';

const HOSTILE = ["it's", 'back\\slash', "'); DROP TABLE flows; --", '{x:String}', 'tab\tnew\nline\r\0nul', 'ünïcødé ✓', ''];

describe('query parameters inlined as constants (embedded engine)', () => {
  const engine = new Session();
  after(() => engine.cleanup());
  const run = <T>(sql: string, params: Record<string, unknown>) => JSON.parse(engine.query(inlineParams(sql, params), 'JSON')).data as T[];

  it('gives the engine exactly the values given, whatever characters they hold', () => {
    for (const s of HOSTILE) {
      const [row] = run<{ v: string; n: number }>('SELECT {s:String} AS v, length({s:String}) AS n', { s });
      assert.equal(row.v, s);
      assert.equal(Number(row.n), Buffer.byteLength(s));
    }
    const [arr] = run<{ v: string[]; hit: number }>("SELECT {a:Array(String)} AS v, 'it''s' IN {a:Array(String)} AS hit", { a: HOSTILE });
    assert.deepEqual(arr.v, HOSTILE);
    assert.equal(Number(arr.hit), 1);
  });

  it('casts numbers, 64-bit values given as text, flags and empty lists to the declared type', () => {
    const [row] = run<Record<string, unknown>>(
      'SELECT toString({a:Int64}) AS a, toTypeName({a:Int64}) AS at, toString({b:UInt64}) AS b, {c:UInt8} AS c, {d:Array(UInt32)} AS d, {e:Array(String)} AS e, {f:Float64} AS f',
      { a: -1795564800000, b: '18446744073709551615', c: true, d: [1, 2], e: [], f: 0.25 },
    );
    assert.deepEqual(row, { a: '-1795564800000', at: 'Int64', b: '18446744073709551615', c: 1, d: [1, 2], e: [], f: 0.25 });
  });

  it('refuses a missing parameter or a value it cannot render', () => {
    assert.throws(() => inlineParams('SELECT {a:String}', {}), /a is not set/);
    assert.throws(() => inlineParams('SELECT {a:Float64}', { a: Number.NaN }), /finite/);
    assert.throws(() => inlineParams('SELECT {a:String}', { a: { x: 1 } }), /unsupported/);
  });
});
