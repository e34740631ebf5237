/**
 * Hands each piece of work the next free session, first come, first served. The embedded engine's
 * reader sessions run one query at a time; a query queued on one session behind a long page would
 * wait for it even when another session had finished a short count meanwhile. Here it waits only
 * until any session is free, and a queued query holds no thread while it waits.
 */
export class SessionPool<S> {
  private readonly free: S[];
  private readonly waiting: Array<(session: S) => void> = [];

  constructor(readonly sessions: readonly S[]) {
    if (sessions.length === 0) throw new Error('a session pool needs a session');
    this.free = [...sessions];
  }

  async use<T>(work: (session: S) => Promise<T>): Promise<T> {
    const session = this.free.shift() ?? (await new Promise<S>((take) => this.waiting.push(take)));
    try {
      return await work(session);
    } finally {
      const next = this.waiting.shift();
      if (next) next(session);
      else this.free.push(session);
    }
  }
}
