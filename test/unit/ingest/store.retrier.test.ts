import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DependencyHealth } from '../../../src/health/health.indicators';
import { IngestMetrics } from '../../../src/metrics/ingest.metrics';
import { StoreRetrier } from '../../../src/ingest/store.retrier';
import { ClickHouseAdapter } from '../../../src/storage/clickhouse.adapter';
import { KafkaAdapter } from '../../../src/kafka/kafka.adapter';

const labels = { topic: 'flows', partition: '3' };
const paused = async (m: IngestMetrics) => (await m.paused.get()).values.find((v) => v.labels.partition === '3')?.value ?? 0;
const quiet = new Logger('test');
quiet.warn = () => undefined;
quiet.log = () => undefined;

describe('a batch whose writes fail', () => {
  it('pauses its partition while retried, and readiness names storage until the write goes through', async () => {
    const metrics = new IngestMetrics();
    const health = new DependencyHealth(new HealthIndicatorService(), {} as ClickHouseAdapter, {} as KafkaAdapter, metrics);
    const retrier = new StoreRetrier(quiet, metrics);
    let failures = 2;
    const seen: unknown[] = [];
    await retrier.run('store b', labels, () => true, async () => undefined, async () => {
      seen.push(await paused(metrics), await health.storageWritable());
      if (failures-- > 0) throw new Error('Read-only file system');
    });
    assert.equal(seen[2], 1, 'paused during the first retry');
    assert.deepEqual(seen[3], { storage: { status: 'down', message: 'batches fail to be stored, 1 partition paused and retrying' } });
    assert.equal(await paused(metrics), 0, 'resumed once stored');
    assert.deepEqual(await health.storageWritable(), { storage: { status: 'up' } });
  });

  it('is no longer reported paused when its partition goes to another member mid-retry', async () => {
    const metrics = new IngestMetrics();
    const retrier = new StoreRetrier(quiet, metrics);
    let ours = true;
    await assert.rejects(
      retrier.run('store b', labels, () => ours, async () => undefined, async () => {
        if ((await paused(metrics)) === 1) ours = false;
        throw new Error('disk full');
      }),
      /disk full/,
    );
    assert.equal(await paused(metrics), 0);
  });
});
