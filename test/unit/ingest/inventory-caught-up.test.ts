import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Clock } from '../../../src/clock/clock';
import { loadConfig } from '../../../src/config/config.loader';
import { InventoryIngestConsumer } from '../../../src/ingest/inventory-ingest.consumer';
import { InventoryService } from '../../../src/inventory/inventory.service';
import { KafkaAdapter } from '../../../src/kafka/kafka.adapter';
import { IngestMetrics } from '../../../src/metrics/ingest.metrics';

type Offsets = Array<{ partition: number; low: bigint; high: bigint }>;

/** The consumer with a fake topic (its high watermarks) and its position set by hand. */
function consumer(offsets: Offsets, ingest = 'true') {
  let looks = 0;
  const kafka = { partitionOffsets: async () => (looks++, { clusterId: 'c', partitions: offsets }) } as unknown as KafkaAdapter;
  const c = new InventoryIngestConsumer(loadConfig({ FLOWSCOPE_INGEST_ENABLED: ingest }), kafka, {} as InventoryService, new IngestMetrics(), new Clock());
  const applied = c['applied'] as Map<number, bigint>;
  return { c, applied, looks: () => looks };
}

describe('the inventory caught up to a flow\'s time', () => {
  it('is caught up once every partition is applied up to the high watermarks seen after the flow\'s time', async () => {
    const { c, applied } = consumer([{ partition: 0, low: 0n, high: 5n }, { partition: 1, low: 2n, high: 9n }]);
    applied.set(0, 5n);
    applied.set(1, 9n);
    assert.equal(await c.caughtUpTo(Date.now() - 1000, 1000), true);
  });

  it('is not while a partition is behind, and is as soon as it is applied', async () => {
    const { c, applied } = consumer([{ partition: 0, low: 0n, high: 5n }, { partition: 1, low: 0n, high: 9n }]);
    applied.set(0, 5n);
    applied.set(1, 8n);
    assert.equal(await c.caughtUpTo(Date.now() - 1000, 50), false, 'partition 1 lacks offset 8');
    const later = c.caughtUpTo(Date.now() - 1000, 30_000);
    applied.set(1, 9n);
    assert.equal(await later, true);
  });

  it('empty partitions (or compacted to nothing) hold nothing back', async () => {
    const { c } = consumer([{ partition: 0, low: 7n, high: 7n }, { partition: 1, low: 0n, high: 0n }]);
    assert.equal(await c.caughtUpTo(Date.now(), 1000), true);
  });

  it('a flow from the future waits for the clock to pass its time, within the bound', async () => {
    const { c } = consumer([{ partition: 0, low: 0n, high: 0n }]);
    assert.equal(await c.caughtUpTo(Date.now() + 60_000, 30), false);
    assert.equal(await c.caughtUpTo(Date.now() + 150, 30_000), true);
  });

  it('flows older than a time already reached need no new look at the topic', async () => {
    const { c, looks } = consumer([{ partition: 0, low: 0n, high: 0n }]);
    assert.equal(await c.caughtUpTo(Date.now(), 1000), true);
    const before = looks();
    assert.equal(await c.caughtUpTo(Date.now() - 5000, 1000), true);
    assert.equal(looks(), before);
  });

  it('with ingest off there is nothing to wait for', async () => {
    const { c, looks } = consumer([{ partition: 0, low: 0n, high: 10n }], 'false');
    assert.equal(await c.caughtUpTo(Date.now(), 1000), true);
    assert.equal(looks(), 0);
  });
});
