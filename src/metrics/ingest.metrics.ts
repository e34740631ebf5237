import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of the pipeline. One registry per application instance (tests start several
 * in one process), exposed at GET /metrics.
 */
@Injectable()
export class IngestMetrics {
  readonly registry = new Registry();

  readonly messages = new Counter({ name: 'flowscope_ingest_messages_total', help: 'Kafka messages consumed from the flows topic', labelNames: ['topic'], registers: [this.registry] });
  readonly records = new Counter({ name: 'flowscope_ingest_records_total', help: 'Flow records decoded, by format', labelNames: ['format'], registers: [this.registry] });
  readonly stored = new Counter({ name: 'flowscope_ingest_stored_total', help: 'Flow records stored in ClickHouse', registers: [this.registry] });
  readonly skippedReplays = new Counter({ name: 'flowscope_ingest_replayed_skipped_total', help: 'Messages skipped because their rows were already stored (redelivery after a lost commit)', registers: [this.registry] });
  readonly deadLettered = new Counter({ name: 'flowscope_ingest_dead_lettered_total', help: 'Messages sent to the dead-letter topic', labelNames: ['topic'], registers: [this.registry] });
  readonly batchSize = new Histogram({ name: 'flowscope_ingest_batch_records', help: 'Records per stored batch', buckets: [1, 10, 100, 500, 1000, 5000, 10000, 50000], registers: [this.registry] });
  readonly insertSeconds = new Histogram({ name: 'flowscope_ingest_insert_seconds', help: 'ClickHouse insert latency per batch', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  readonly storeFailures = new Counter({ name: 'flowscope_ingest_store_failures_total', help: 'Failed attempts to store a batch (each is retried)', registers: [this.registry] });
  readonly pauses = new Counter({ name: 'flowscope_ingest_pauses_total', help: 'Times consumption paused because storing failed', registers: [this.registry] });
  readonly paused = new Gauge({ name: 'flowscope_ingest_paused', help: '1 while a partition waits for storage to recover', labelNames: ['topic', 'partition'], registers: [this.registry] });
  readonly consumerStopped = new Gauge({ name: 'flowscope_ingest_consumer_stopped', help: '1 when a Kafka consumer crashed and will not restart by itself (readiness fails); see the error log for the cause', labelNames: ['consumer'], registers: [this.registry] });
  readonly consumerRestarts = new Counter({ name: 'flowscope_ingest_consumer_restarts_total', help: 'Kafka consumer crashes after which the client restarted the consumer', labelNames: ['consumer'], registers: [this.registry] });
  readonly lag = new Gauge({ name: 'flowscope_ingest_lag_messages', help: 'Messages between the last processed offset and the partition high watermark', labelNames: ['topic', 'partition'], registers: [this.registry] });
  readonly unknownEndpoints = new Counter({ name: 'flowscope_attribution_unknown_endpoint_total', help: 'Records whose endpoint is not in the inventory at their time', registers: [this.registry] });
  readonly mismatches = new Counter({ name: 'flowscope_attribution_verdict_mismatch_total', help: 'Records whose reported and computed verdicts disagree', registers: [this.registry] });
  readonly newIncarnations = new Counter({ name: 'flowscope_ingest_partition_new_incarnations_total', help: 'Partitions found re-created (new topic or cluster): their stored offsets no longer mark replays', labelNames: ['topic', 'partition'], registers: [this.registry] });
  readonly inventoryWaits = new Counter({ name: 'flowscope_attribution_inventory_waits_total', help: 'Flow batches that waited for the inventory to catch up to their time', registers: [this.registry] });
  readonly inventoryWaitTimeouts = new Counter({ name: 'flowscope_attribution_inventory_wait_timeouts_total', help: 'Flow batches attributed after the bounded wait although the inventory had not caught up to their time', registers: [this.registry] });
  readonly futureDatedBatches = new Counter({ name: 'flowscope_ingest_future_dated_batches_total', help: 'Flow batches whose newest flow starts further in the future than the inventory wait bound (a dataplane clock ahead of ours); attributed against the inventory as of now', registers: [this.registry] });
  readonly inventoryWaitSeconds = new Histogram({ name: 'flowscope_attribution_inventory_wait_seconds', help: 'Time flow batches waited for the inventory to catch up', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  readonly inventoryVersions = new Counter({ name: 'flowscope_inventory_versions_total', help: 'Inventory versions applied, by source', labelNames: ['source'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'flowscope_' });
  }
}
