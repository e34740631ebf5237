import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineLock } from '../../../src/storage/engine-lock';

/** A task that records when it starts and ends, and finishes when told. */
function task(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return {
    work: async () => {
      log.push(`${name}+`);
      await done;
      log.push(`${name}-`);
    },
    finish: () => finish(),
  };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('the embedded engine lock', () => {
  it('lets reads run side by side, and a write wait for them and run alone', async () => {
    const lock = new EngineLock();
    const log: string[] = [];
    const [r1, r2, w, r3] = ['r1', 'r2', 'w', 'r3'].map((n) => task(log, n));
    const runs = [lock.shared(r1.work), lock.shared(r2.work), lock.exclusive(w.work), lock.shared(r3.work)];
    await tick();
    assert.deepEqual(log, ['r1+', 'r2+'], 'the write waits for the reads in flight; a later read waits behind the write');
    r1.finish();
    await tick();
    assert.deepEqual(log, ['r1+', 'r2+', 'r1-']);
    r2.finish();
    await tick();
    assert.deepEqual(log, ['r1+', 'r2+', 'r1-', 'r2-', 'w+']);
    w.finish();
    await tick();
    assert.deepEqual(log.slice(5), ['w-', 'r3+']);
    r3.finish();
    await Promise.all(runs);
  });

  it('runs writes one at a time, in order, and releases on failure', async () => {
    const lock = new EngineLock();
    const log: string[] = [];
    const failing = lock.exclusive(async () => {
      log.push('w1');
      throw new Error('insert failed');
    });
    const second = lock.exclusive(async () => void log.push('w2'));
    await assert.rejects(failing, /insert failed/);
    await second;
    await lock.shared(async () => void log.push('r'));
    assert.deepEqual(log, ['w1', 'w2', 'r']);
  });
});
