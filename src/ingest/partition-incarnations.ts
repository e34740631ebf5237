import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { KafkaAdapter } from '../kafka/kafka.adapter';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { FlowRepository } from '../storage/flow.repository';
import { PartitionIncarnationRepository } from '../storage/partition-incarnation.repository';

/** What the replay check of one partition compares against. */
export interface PartitionState {
  /** The current incarnation of the partition ('' is the first one ever seen). */
  incarnation: string;
  /** Highest offset of this incarnation whose rows are stored, or -1. */
  storedHighWater: bigint;
}

/**
 * Tells which incarnation of a Kafka partition the consumer is reading, so that stored offsets of
 * an earlier incarnation never make it skip new records.
 *
 * Offsets identify a record only within one incarnation: a topic deleted and re-created, or a
 * cluster replaced (a fresh local broker), starts again at offset 0. kafkajs cannot read topic ids
 * (its Metadata requests predate them), so an incarnation is recognised by what can be observed:
 * - the cluster id: a different cluster is a new incarnation;
 * - the high watermark: in one incarnation it only grows, so a high watermark at or below the
 *   highest offset stored means the log was re-created (or truncated) since.
 * A new incarnation gets a fresh id, is recorded, logged as a warning and counted; nothing of it is
 * skipped as a replay, and its rows and deduplication tokens carry the id.
 */
export class PartitionIncarnations {
  constructor(
    private readonly kafka: KafkaAdapter,
    private readonly flows: FlowRepository,
    private readonly incarnations: PartitionIncarnationRepository,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
  ) {}

  async resolve(topic: string, partition: number): Promise<PartitionState> {
    const { clusterId, partitions } = await this.kafka.partitionOffsets(topic);
    const offsets = partitions.find((p) => p.partition === partition);
    if (!offsets) throw new Error(`${topic} has no partition ${partition}`);
    const recorded = await this.incarnations.current(topic, partition);
    // Rows stored before incarnations were recorded belong to '' and are adopted if they fit.
    const incarnation = recorded?.incarnation ?? '';
    const storedHighWater = await this.flows.storedHighWater(topic, partition, incarnation);
    const change = describeChange(recorded?.clusterId, clusterId, offsets.high, storedHighWater);
    if (change === undefined) {
      if (!recorded) await this.incarnations.record(topic, partition, { incarnation, clusterId }, 'first seen');
      return { incarnation, storedHighWater };
    }
    const next = randomUUID();
    await this.incarnations.record(topic, partition, { incarnation: next, clusterId }, change);
    this.metrics.newIncarnations.inc({ topic, partition: String(partition) });
    this.logger.warn(
      `${topic} partition ${partition} is a new incarnation (${change}): offsets start afresh, ` +
        `nothing of it is skipped as already stored (the rows of the previous one stay)`,
    );
    return { incarnation: next, storedHighWater: -1n };
  }
}

/** Why the partition is not the incarnation the stored offsets belong to, or undefined if it is. */
export function describeChange(recordedCluster: string | undefined, cluster: string, highWatermark: bigint, storedHighWater: bigint): string | undefined {
  if (recordedCluster !== undefined && recordedCluster !== cluster) return `cluster id ${recordedCluster} became ${cluster}`;
  if (storedHighWater >= 0n && highWatermark <= storedHighWater) {
    return `high watermark ${highWatermark} is not above offset ${storedHighWater} already stored: the topic was re-created or its log truncated`;
  }
  return undefined;
}

/** The deduplication token of a batch: its coordinates, within its partition's incarnation. */
export function batchToken(topic: string, partition: number, incarnation: string, first: string, last: string): string {
  // The first incarnation keeps the token format rows were stored with before incarnations existed.
  return `${topic}:${partition}:${first}-${last}${incarnation ? `@${incarnation}` : ''}`;
}
