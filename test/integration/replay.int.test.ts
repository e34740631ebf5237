import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { produce, testKafka } from '../support/kafka-test-client';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const EVENTS = 50;

describe('a replayed batch (offsets reset after the rows were stored)', () => {
  let t: TestApp | undefined;
  after(async () => t?.close());

  it('is stored once: the rows already stored are recognised by their Kafka coordinates', { timeout: 120_000 }, async () => {
    const config = testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true' });
    t = await startTestApp(config);
    const base = Date.now() - 60_000;
    await produce(
      config.kafka.topics.flows,
      Array.from({ length: EVENTS }, (_, i) => ({
        key: `k${i % 5}`,
        value: JSON.stringify({ time: base + i, action: 'deny', reporter: 'dst', protocol: 'udp', srcIp: '10.1.1.1', srcPort: 5000 + i, dstIp: '10.2.2.2', dstPort: 53 }),
      })),
    );
    const window = { from: new Date(base - 1000).toISOString(), to: new Date(base + 60_000).toISOString() };
    const count = async (app: TestApp) => ((await app.http().get('/api/v1/stats/decisions').query(window).expect(200)).body.groups[0]?.records ?? 0) as number;
    await eventually(async () => ((await count(t!)) === EVENTS ? true : undefined), `${EVENTS} stored rows`);
    await t.close();
    t = undefined;

    // What a lost commit, an operator's reset or a partition handed to another member looks like.
    const admin = testKafka().admin();
    await admin.connect();
    await admin.resetOffsets({ groupId: config.kafka.groupId, topic: config.kafka.topics.flows, earliest: true });
    await admin.disconnect();

    t = await startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', FLOWSCOPE_DATA_DIR: config.clickhouse.dataDir, KAFKA_GROUP_ID: config.kafka.groupId, KAFKA_FLOWS_TOPIC: config.kafka.topics.flows, KAFKA_DEAD_LETTER_TOPIC: config.kafka.topics.deadLetter, KAFKA_INVENTORY_TOPIC: config.kafka.topics.inventory }));
    const skipped = await eventually(async () => {
      const m = /^flowscope_ingest_replayed_skipped_total (\d+)/m.exec((await t!.http().get('/metrics')).text);
      return m && Number(m[1]) === EVENTS ? Number(m[1]) : undefined;
    }, 'the replayed messages to be consumed and skipped');
    assert.equal(skipped, EVENTS);
    assert.equal(await count(t), EVENTS, 'still stored once');
  });
});
