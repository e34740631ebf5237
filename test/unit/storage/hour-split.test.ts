import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MsRange, splitAtHours } from '../../../src/storage/hour-split';

const H = 3_600_000;
const T = Date.parse('2026-11-26T05:00:00Z');

describe('splitAtHours', () => {
  it('keeps whole hours apart from the pieces at the ends', () => {
    assert.deepEqual(splitAtHours(T, T + 4 * H), { hours: { fromMs: T, toMs: T + 4 * H }, edges: [] });
    assert.deepEqual(splitAtHours(T + 1000, T + 3 * H + 5), {
      hours: { fromMs: T + H, toMs: T + 3 * H },
      edges: [{ fromMs: T + 1000, toMs: T + H }, { fromMs: T + 3 * H, toMs: T + 3 * H + 5 }],
    });
    assert.deepEqual(splitAtHours(T, T + H + 1), { hours: { fromMs: T, toMs: T + H }, edges: [{ fromMs: T + H, toMs: T + H + 1 }] });
  });

  it('has no whole hour for a range within an hour or across one boundary', () => {
    assert.deepEqual(splitAtHours(T + 10, T + 20), { edges: [{ fromMs: T + 10, toMs: T + 20 }] });
    assert.deepEqual(splitAtHours(T, T + H - 1), { edges: [{ fromMs: T, toMs: T + H - 1 }] });
    assert.deepEqual(splitAtHours(T + H / 2, T + H + 5), { edges: [{ fromMs: T + H / 2, toMs: T + H }, { fromMs: T + H, toMs: T + H + 5 }] });
  });

  it('gives nothing for an empty or reversed range', () => {
    assert.deepEqual(splitAtHours(T, T), { edges: [] });
    assert.deepEqual(splitAtHours(T + 5, T), { edges: [] });
  });

  it('covers any range exactly once, each edge within one hour, the hours aligned (random ranges)', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let k = 0; k < 2000; k++) {
      // Ends on, next to, or far from hour boundaries.
      const end = (base: number) => [base, base + 1, base - 1, base + rand(H)][rand(4)];
      const fromMs = end(T + rand(5) * H);
      const toMs = fromMs + [0, 1, H, rand(6 * H)][rand(4)];
      const s = splitAtHours(fromMs, toMs);
      const pieces: MsRange[] = [...s.edges, ...(s.hours ? [s.hours] : [])].sort((a, b) => a.fromMs - b.fromMs);
      let at = fromMs;
      for (const p of pieces) {
        assert.equal(p.fromMs, at, `contiguous: ${fromMs}..${toMs}`);
        assert.ok(p.toMs > p.fromMs, 'no empty piece');
        at = p.toMs;
      }
      assert.equal(at, toMs > fromMs ? toMs : fromMs, 'ends at the range end');
      for (const e of s.edges) assert.equal(Math.floor(e.fromMs / H), Math.floor((e.toMs - 1) / H), 'an edge lies within one hour');
      if (s.hours) assert.ok(s.hours.fromMs % H === 0 && s.hours.toMs % H === 0, 'whole hours');
      assert.ok(s.edges.length <= 2);
    }
  });
});
