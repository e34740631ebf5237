import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/config.loader';
import { FlowIngestConsumer, INVENTORY_WAIT_MS } from '../../../src/ingest/flow-ingest.consumer';
import { InventoryIngestConsumer } from '../../../src/ingest/inventory-ingest.consumer';
import { IngestMetrics } from '../../../src/metrics/ingest.metrics';

/** The consumer with an inventory that records which time each batch waits for, and is caught up at once. */
function consumer() {
  const asked: number[] = [];
  const inventory = { caughtUpTo: async (time: number) => (asked.push(time), true) } as unknown as InventoryIngestConsumer;
  const metrics = new IngestMetrics();
  const c = new FlowIngestConsumer(loadConfig({}), {} as never, {} as never, {} as never, metrics, inventory, {} as never, {} as never);
  const waitWritten = (writtenAt: number, ...startTimes: number[]) =>
    (c as unknown as { awaitInventory(d: unknown[], ours: () => boolean, hb: () => Promise<void>): Promise<void> }).awaitInventory(
      [{ message: { timestamp: String(writtenAt) }, records: startTimes.map((startTime) => ({ startTime })) }], () => true, async () => undefined);
  // Written to Kafka long ago: only the flows' own times count.
  const wait = (...startTimes: number[]) => waitWritten(0, ...startTimes);
  const futureDated = async () => (await metrics.futureDatedBatches.get()).values[0]?.value ?? 0;
  return { asked, wait, waitWritten, futureDated };
}

describe('a flow batch waiting for the inventory', () => {
  it('waits for its newest flow\'s time', async () => {
    const { asked, wait, futureDated } = consumer();
    const t = Date.now() - 5000;
    await wait(t - 100, t, t - 2000);
    assert.deepEqual(asked, [t]);
    assert.equal(await futureDated(), 0);
  });

  it('flows dated long ago but written to Kafka just now wait for the inventory written before them', async () => {
    const { asked, waitWritten } = consumer();
    const written = Date.now() - 50;
    await waitWritten(written, written - 7 * 86_400_000, written - 6 * 86_400_000);
    assert.deepEqual(asked, [written]);
  });

  it('a clock a little ahead is waited for (the time is kept)', async () => {
    const { asked, wait, futureDated } = consumer();
    const t = Date.now() + 2000;
    await wait(t);
    assert.deepEqual(asked, [t]);
    assert.equal(await futureDated(), 0);
  });

  it('a clock further ahead than the bound is not: the batch waits for now, and is counted', async () => {
    const { asked, wait, futureDated } = consumer();
    const before = Date.now();
    await wait(before - 1000, before + INVENTORY_WAIT_MS + 3_600_000);
    assert.equal(asked.length, 1);
    assert.ok(asked[0] >= before && asked[0] <= Date.now(), `waited for ${asked[0]}, not the flow's future time`);
    assert.equal(await futureDated(), 1);
  });
});
