import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { KafkaAdapter } from '../kafka/kafka.adapter';
import { ClickHouseAdapter } from '../storage/clickhouse.adapter';

@Injectable()
export class DependencyHealth {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly clickhouse: ClickHouseAdapter,
    private readonly kafka: KafkaAdapter,
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
}
