import { Logger } from '@nestjs/common';
import { IngestMetrics } from '../metrics/ingest.metrics';

const BASE_MS = 200;
const MAX_MS = 10_000;

/**
 * Retries storing a batch with exponential backoff while the partition stays ours: consumption of
 * that partition is paused meanwhile (the batch is not committed and the next one is not fetched),
 * and resumes by itself when storage recovers. Heartbeats keep the group membership alive.
 */
export class StoreRetrier {
  private stopped = false;

  constructor(
    private readonly logger: Logger,
    private readonly metrics: IngestMetrics,
  ) {}

  stop(): void {
    this.stopped = true;
  }

  async run(
    what: string,
    labels: { topic: string; partition: string },
    stillOurs: () => boolean,
    heartbeat: () => Promise<void>,
    work: () => Promise<void>,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await work();
        if (attempt > 0) {
          this.metrics.paused.set(labels, 0);
          this.logger.log(`${what}: stored after ${attempt} retries, consumption resumes`);
        }
        return;
      } catch (err) {
        this.metrics.storeFailures.inc();
        // Given up only when the batch is no longer ours; kafkajs then redelivers it to the owner.
        // The partition is no longer paused here: left at 1, the gauge (and readiness) would report
        // a pause nobody is in.
        if (this.stopped || !stillOurs()) {
          if (attempt > 0) this.metrics.paused.set(labels, 0);
          throw err;
        }
        if (attempt === 0) {
          this.metrics.pauses.inc();
          this.metrics.paused.set(labels, 1);
        }
        const delay = Math.min(MAX_MS, BASE_MS * 2 ** attempt);
        this.logger.warn(`${what} failed (${(err as Error).message}); partition paused, retry in ${delay} ms`);
        await this.sleep(delay, heartbeat);
      }
    }
  }

  /** Sleeps in slices so heartbeats keep going and a shutdown is not held up by a long backoff. */
  private async sleep(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (!this.stopped && Date.now() < until) {
      await new Promise((r) => setTimeout(r, Math.min(1000, until - Date.now())));
      await heartbeat().catch(() => undefined);
    }
  }
}
