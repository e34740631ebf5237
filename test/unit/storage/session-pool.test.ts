import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionPool } from '../../../src/storage/session-pool';

/** Work that records which session ran it, and finishes (or fails) when told. */
function work(log: string[], name: string) {
  let finish!: (fail?: Error) => void;
  const done = new Promise<void>((resolve, reject) => (finish = (fail) => (fail ? reject(fail) : resolve())));
  return {
    run: async (session: string) => {
      log.push(`${name}@${session}`);
      await done;
      return name;
    },
    finish: (fail?: Error) => finish(fail),
  };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('the reader session pool', () => {
  it('runs work at once on a free session, one piece per session', async () => {
    const pool = new SessionPool(['s1', 's2']);
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => work(log, n));
    const runs = [pool.use(a.run), pool.use(b.run), pool.use(c.run)];
    await tick();
    assert.deepEqual(log, ['a@s1', 'b@s2'], 'the third waits: both sessions are busy');
    a.finish();
    b.finish();
    await tick();
    assert.deepEqual(log, ['a@s1', 'b@s2', 'c@s1']);
    c.finish();
    assert.deepEqual(await Promise.all(runs), ['a', 'b', 'c']);
  });

  it('gives waiting work the session that frees first, not the one it arrived behind', async () => {
    const pool = new SessionPool(['s1', 's2']);
    const log: string[] = [];
    const [long, short, next] = ['long', 'short', 'next'].map((n) => work(log, n));
    const runs = [pool.use(long.run), pool.use(short.run), pool.use(next.run)];
    await tick();
    short.finish();
    await tick();
    assert.deepEqual(log, ['long@s1', 'short@s2', 'next@s2']);
    next.finish();
    assert.equal(await runs[2], 'next', 'done while the long one still runs');
    long.finish();
    await Promise.all(runs);
  });

  it('serves waiting work in arrival order', async () => {
    const pool = new SessionPool(['s1']);
    const log: string[] = [];
    const ws = ['a', 'b', 'c', 'd'].map((n) => work(log, n));
    const runs = ws.map((w) => pool.use(w.run));
    for (const w of ws) {
      await tick();
      w.finish();
    }
    await Promise.all(runs);
    assert.deepEqual(log, ['a@s1', 'b@s1', 'c@s1', 'd@s1']);
  });

  it('frees the session when the work fails, and passes the failure on', async () => {
    const pool = new SessionPool(['s1']);
    const log: string[] = [];
    const [bad, good] = ['bad', 'good'].map((n) => work(log, n));
    const failed = pool.use(bad.run);
    const after = pool.use(good.run);
    await tick();
    bad.finish(new Error('engine said no'));
    await assert.rejects(failed, /engine said no/);
    await tick();
    good.finish();
    assert.equal(await after, 'good');
    assert.deepEqual(log, ['bad@s1', 'good@s1']);
  });
});
