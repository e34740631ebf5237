import { Logger } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import { IngestMetrics } from '../metrics/ingest.metrics';

/** The consumers of this service, as named in metrics and readiness. */
export type ConsumerName = 'flows' | 'inventory';

/**
 * Makes a consumer's crash visible. kafkajs restarts a crashed consumer by itself when the error is
 * retriable (a broker restart, a lost connection); after any other error (a refused authorization,
 * say) it stops for good, and without this the service would go on answering its API while
 * consuming nothing, with no sign of it. Such a stop sets `flowscope_ingest_consumer_stopped` to 1,
 * which fails readiness, and is logged as an error with its cause; a restart is counted.
 */
export function watchCrashes(consumer: Consumer, name: ConsumerName, metrics: IngestMetrics, logger: Logger): void {
  metrics.consumerStopped.set({ consumer: name }, 0);
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    const reason = payload.error instanceof Error ? `${payload.error.name}: ${payload.error.message}` : String(payload.error);
    if (payload.restart) {
      metrics.consumerRestarts.inc({ consumer: name });
      // Debug only: kafkajs's own crash line already says it, through KafkaAdapter, which keeps the
      // routine ones (a fresh broker's coordinator still loading) out of a newcomer's first run.
      logger.debug(`${name} consumer failed (${reason}); Kafka's client restarts it`);
      return;
    }
    metrics.consumerStopped.set({ consumer: name }, 1);
    logger.error(`${name} consumer stopped for good (${reason}): nothing more is consumed until the service is restarted`);
  });
  // Back in a group: consuming again.
  consumer.on(consumer.events.GROUP_JOIN, () => metrics.consumerStopped.set({ consumer: name }, 0));
}
