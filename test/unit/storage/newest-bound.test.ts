import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hourPlan, newestBound, newestHourFrom, probeWindow, startOfHour } from '../../../src/storage/newest-bound';

const M = 60_000;
const H = 3_600_000;
const T = Date.parse('2026-11-26T06:00:00Z');

describe('the newest page bound: which minutes the rollup is asked about', () => {
  it('counts whole minutes before the one holding the upper end, going back the given minutes', () => {
    assert.deepEqual(probeWindow(T - 600 * M, T + 30_500, 60), { from: T - 60 * M, to: T });
    assert.deepEqual(probeWindow(T - 600 * M, T, 60), { from: T - 60 * M, to: T }, 'an upper end on a minute excludes that minute');
  });

  it('never counts a minute that starts before the range does', () => {
    assert.deepEqual(probeWindow(T - 10 * M + 1, T + 5, 60), { from: T - 9 * M, to: T }, 'the partial first minute is left out');
    assert.deepEqual(probeWindow(T - 10 * M, T, 60), { from: T - 10 * M, to: T });
  });

  it('has no window when no whole minute fits between the range start and the upper end', () => {
    assert.equal(probeWindow(T + 1, T + 59_000, 60), undefined);
    assert.equal(probeWindow(T - 1, T + 59_000, 60), undefined, 'only the upper end minute, which is not counted');
    assert.deepEqual(probeWindow(T - M, T, 60), { from: T - M, to: T }, 'one whole minute fits');
  });
});

describe('the newest page bound: the newest minute from which on a page is held', () => {
  it('accumulates minutes newest first, in whatever order they come', () => {
    const counts = [
      { startMs: T - 3 * M, records: 50 },
      { startMs: T - M, records: 30 },
      { startMs: T - 2 * M, records: 30 },
    ];
    assert.equal(newestBound(counts, 30), T - M);
    assert.equal(newestBound(counts, 31), T - 2 * M);
    assert.equal(newestBound(counts, 60), T - 2 * M, 'exactly enough stops there');
    assert.equal(newestBound(counts, 61), T - 3 * M);
    assert.equal(newestBound(counts, 110), T - 3 * M);
  });

  it('has no bound when the minutes hold fewer rows than the page needs, or there are none', () => {
    assert.equal(newestBound([{ startMs: T, records: 100 }], 101), undefined);
    assert.equal(newestBound([], 1), undefined);
  });

  it('agrees with counting the records at or after each candidate minute (random cases)', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let c = 0; c < 500; c++) {
      const minutes = [...new Set(Array.from({ length: rand(8) }, () => rand(30)))];
      const counts = minutes.map((m) => ({ startMs: T - m * M, records: rand(40) }));
      const rows = 1 + rand(120);
      const held = (from: number) => counts.filter((x) => x.startMs >= from).reduce((s, x) => s + x.records, 0);
      const expected = counts.map((x) => x.startMs).filter((m) => held(m) >= rows).sort((a, b) => b - a)[0];
      assert.equal(newestBound(counts, rows), expected, JSON.stringify({ counts, rows }));
    }
  });
});

describe('the older hours a filtered page reads', () => {
  it('hours start on the hour, UTC', () => {
    assert.equal(startOfHour(T + 59 * M + 59_999), T);
    assert.equal(startOfHour(T), T);
  });

  it('bounds the read by the newest hours that hold the rows asked for, and reads only those with records', () => {
    const counts = [
      { startMs: T - H, records: 40 },
      { startMs: T - 2 * H, records: 0 },
      { startMs: T - 3 * H, records: 70 },
      { startMs: T - 5 * H, records: 9 },
    ];
    assert.deepEqual(hourPlan(counts, 101, T - 10 * H), { fromMs: T - 3 * H, hours: [T - H, T - 3 * H], promisesFullPage: true });
    assert.deepEqual(hourPlan(counts, 40, T - 10 * H), { fromMs: T - H, hours: [T - H], promisesFullPage: true });
    assert.deepEqual(hourPlan(counts, 110, T - 3 * H), { fromMs: undefined, hours: [T - H, T - 3 * H], promisesFullPage: true }, 'a bound at the range start bounds nothing');
  });

  it('reads only the hours with records, promising nothing, when they hold less than asked for', () => {
    const counts = [{ startMs: T - 2 * H, records: 3 }, { startMs: T - 7 * H, records: 0 }, { startMs: T - 9 * H, records: 5 }];
    assert.deepEqual(hourPlan(counts, 101, T - 10 * H), { fromMs: undefined, hours: [T - 2 * H, T - 9 * H], promisesFullPage: false });
    assert.deepEqual(hourPlan([], 101, T - 10 * H), { fromMs: undefined, hours: [], promisesFullPage: false }, 'nothing matches: nothing to read');
  });
});

describe('where a filtered page reads its newest hour', () => {
  // The hour holding the upper end T + 40.5 min; the probe counted minutes T - 20 min to T + 40 min.
  const upper = T + 40 * M + 30_000;
  const window = probeWindow(T - 10 * H, upper, 60)!;

  it('reads only the minute the probe leaves out when the probe counts no match in the hour', () => {
    assert.deepEqual(window, { from: T - 20 * M, to: T + 40 * M });
    const before = [{ startMs: T - 5 * M, records: 7 }, { startMs: T + 3 * M, records: 0 }];
    assert.equal(newestHourFrom(T, T - 10 * H, window, before), T + 40 * M);
    assert.equal(newestHourFrom(T, T - 10 * H, window, []), T + 40 * M);
  });

  it('reads the whole hour when the probe counts a match in it', () => {
    assert.equal(newestHourFrom(T, T - 10 * H, window, [{ startMs: T, records: 1 }]), T);
    assert.equal(newestHourFrom(T, T - 10 * H, window, [{ startMs: T + 39 * M, records: 2 }]), T);
  });

  it('reads the whole hour when the probe does not reach back to its start, or there was none', () => {
    const short = probeWindow(T - 10 * H, upper, 30)!;
    assert.equal(newestHourFrom(T, T - 10 * H, short, []), T);
    assert.equal(newestHourFrom(T, T - 10 * H, undefined, []), T);
  });

  it('reads the whole hour when the range starts within it off the minute (that piece is not counted)', () => {
    const from = T + 10 * M + 500;
    const w = probeWindow(from, upper, 60)!;
    assert.equal(w.from, T + 11 * M);
    assert.equal(newestHourFrom(T, from, w, []), T);
    const onMinute = probeWindow(T + 10 * M, upper, 60)!;
    assert.equal(newestHourFrom(T, T + 10 * M, onMinute, []), T + 40 * M);
  });
});
