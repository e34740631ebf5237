import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { parseCliOptions } from '../../src/simulator/cli.options';
import { run } from '../../src/simulator/simulator.runner';
import { testKafka } from '../support/kafka-test-client';
import { TEST_BROKERS } from '../support/test-config';

const SIZES = ['demo', 'small', 'medium', 'large'];
const LINES_PER_MESSAGE = [1, 10, 100];
const RECORDS = 6000;

describe('the simulator at every cluster size and lines-per-message setting', () => {
  const id = randomBytes(4).toString('hex');
  const flowsTopic = `test.sim.flows.${id}`;
  const inventoryTopic = `test.sim.inventory.${id}`;
  const admin = testKafka().admin();

  before(async () => {
    await admin.connect();
    // Created the way flowscope creates them: the broker's default 1 MiB limit per record batch.
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: flowsTopic, numPartitions: 4 }, { topic: inventoryTopic, numPartitions: 4, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
  });
  after(async () => {
    await admin.deleteTopics({ topics: [flowsTopic, inventoryTopic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('produces every message with the default --batch, requests cut by bytes', { timeout: 600_000 }, async () => {
    let flowMessages = 0;
    let inventoryMessages = 0;
    for (const size of SIZES) {
      for (const lines of LINES_PER_MESSAGE) {
        const o = parseCliOptions(['--size', size, '--lines-per-message', String(lines), '--count', String(RECORDS), '--acks=-1', '--brokers', TEST_BROKERS, '--flows-topic', flowsTopic, '--inventory-topic', inventoryTopic], {});
        const summary = await run(o, () => undefined, () => false);
        assert.ok(summary.flowRecords >= RECORDS, `${size} x ${lines}: ${summary.flowRecords} records`);
        flowMessages += summary.flowMessages;
        inventoryMessages += (summary.counts as { inventoryMessages: number }).inventoryMessages;
      }
    }
    const sum = async (topic: string) => (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    assert.equal(await sum(flowsTopic), flowMessages, 'every flow message is on the topic');
    assert.equal(await sum(inventoryTopic), inventoryMessages, 'every inventory message is on the topic');
  });
});
