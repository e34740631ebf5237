/**
 * Shared (reads) / exclusive (writes) access to the embedded engine. chDB's sessions in one process
 * share more state than they should: a read on one session while an insert runs on another was
 * seen to make the insert's materialized views drop blocks (rollup rows missing though the flows
 * rows were stored). Reads still run side by side; a write waits for the reads in flight and runs
 * alone. First come, first served: a waiting write holds back later reads, so a steady stream of
 * reads cannot starve ingest.
 */
export class EngineLock {
  private readers = 0;
  private writing = false;
  private readonly waiting: Array<{ write: boolean; go: () => void }> = [];

  shared<T>(work: () => Promise<T>): Promise<T> {
    return this.run(false, work);
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.run(true, work);
  }

  private async run<T>(write: boolean, work: () => Promise<T>): Promise<T> {
    await this.acquire(write);
    try {
      return await work();
    } finally {
      if (write) this.writing = false;
      else this.readers--;
      this.admit();
    }
  }

  private acquire(write: boolean): Promise<void> {
    if (this.waiting.length === 0 && this.free(write)) {
      this.take(write);
      return Promise.resolve();
    }
    return new Promise((go) => this.waiting.push({ write, go }));
  }

  private free(write: boolean): boolean {
    return !this.writing && (!write || this.readers === 0);
  }

  private take(write: boolean): void {
    if (write) this.writing = true;
    else this.readers++;
  }

  private admit(): void {
    while (this.waiting.length > 0 && this.free(this.waiting[0].write)) {
      const next = this.waiting.shift()!;
      this.take(next.write);
      next.go();
      if (next.write) return;
    }
  }
}
