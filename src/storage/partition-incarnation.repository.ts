import { Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { ClickHouseAdapter } from './clickhouse.adapter';

export interface PartitionIncarnation {
  incarnation: string;
  clusterId: string;
}

/** The incarnations of Kafka partitions seen by the flow consumer; the newest one per partition is current. */
@Injectable()
export class PartitionIncarnationRepository {
  constructor(
    private readonly clickhouse: ClickHouseAdapter,
    private readonly clock: Clock,
  ) {}

  async current(topic: string, partition: number): Promise<PartitionIncarnation | undefined> {
    const [row] = await this.clickhouse.query<{ incarnation: string; cluster_id: string }>(
      `SELECT incarnation, cluster_id FROM kafka_partition_incarnations
       WHERE source_topic = {topic:String} AND source_partition = {partition:UInt32}
       ORDER BY recorded_at DESC LIMIT 1`,
      { topic, partition },
    );
    return row ? { incarnation: row.incarnation, clusterId: row.cluster_id } : undefined;
  }

  async record(topic: string, partition: number, value: PartitionIncarnation, reason: string): Promise<void> {
    await this.clickhouse.insert('kafka_partition_incarnations', [
      { source_topic: topic, source_partition: partition, incarnation: value.incarnation, cluster_id: value.clusterId, recorded_at: this.clock.now().getTime(), reason },
    ]);
  }
}
