import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { KafkaAdapter } from '../kafka/kafka.adapter';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { ClickHouseAdapter } from '../storage/clickhouse.adapter';

@Injectable()
export class DependencyHealth {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly clickhouse: ClickHouseAdapter,
    private readonly kafka: KafkaAdapter,
    private readonly ingest: IngestMetrics,
  ) {}

  async clickhouseReady() {
    const check = this.indicator.check('clickhouse');
    try {
      return (await this.clickhouse.ping()) ? check.up({ engine: this.clickhouse.embedded ? 'chdb' : 'server' }) : check.down({ message: 'not connected' });
    } catch (err) {
      return check.down({ message: (err as Error).message });
    }
  }

  async kafkaReady() {
    const check = this.indicator.check('kafka');
    return (await this.kafka.isReachable()) ? check.up() : check.down({ message: 'no broker answered' });
  }

  /**
   * Down while a partition waits for its batch's writes to succeed (retried, nothing committed): a
   * ping still answers when the disk is full or read-only, so readiness asks the ingest pipeline
   * whether writes go through.
   */
  async storageWritable() {
    const check = this.indicator.check('storage');
    const paused = (await this.ingest.paused.get()).values.filter((v) => v.value > 0).length;
    return paused === 0 ? check.up() : check.down({ message: `batches fail to be stored, ${paused} partition${paused === 1 ? '' : 's'} paused and retrying` });
  }

  /** Down when a Kafka consumer stopped for good (see watchCrashes): the API answers, ingest does not. */
  async consuming() {
    const check = this.indicator.check('ingest');
    const stopped = (await this.ingest.consumerStopped.get()).values.filter((v) => v.value > 0).map((v) => String(v.labels.consumer));
    return stopped.length === 0 ? check.up() : check.down({ message: `the ${stopped.join(' and ')} consumer stopped after an error it does not recover from; see the error log, then restart the service` });
  }
}
