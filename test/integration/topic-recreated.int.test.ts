import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { produce, testKafka } from '../support/kafka-test-client';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const FIRST = 60;
const SECOND = 30;

describe('a flows topic deleted and re-created under the same name', () => {
  let t: TestApp | undefined;
  after(async () => t?.close());

  it('stores every record of the new topic although its offsets were stored before, and still skips true replays', { timeout: 240_000 }, async () => {
    const config = testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', KAFKA_TOPIC_PARTITIONS: '2' });
    const again = () => startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', KAFKA_TOPIC_PARTITIONS: '2', FLOWSCOPE_DATA_DIR: config.clickhouse.dataDir, KAFKA_GROUP_ID: config.kafka.groupId, KAFKA_FLOWS_TOPIC: config.kafka.topics.flows, KAFKA_DEAD_LETTER_TOPIC: config.kafka.topics.deadLetter, KAFKA_INVENTORY_TOPIC: config.kafka.topics.inventory }));
    const topic = config.kafka.topics.flows;
    t = await startTestApp(config);
    const base = Date.now() - 120_000;
    const wave = (first: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        key: `node-${i % 6}`,
        value: JSON.stringify({ time: base + first + i, action: 'deny', reporter: 'dst', protocol: 'udp', srcIp: '10.8.0.1', srcPort: 30000 + first + i, dstIp: '10.8.0.2', dstPort: 53 }),
      }));
    const window = { from: new Date(base - 1000).toISOString(), to: new Date(base + 60_000).toISOString() };
    const count = async () => ((await t!.http().get('/api/v1/stats/decisions').query(window).expect(200)).body.groups[0]?.records ?? 0) as number;
    const metric = async (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec((await t!.http().get('/metrics')).text)?.[1] ?? 0);

    await produce(topic, wave(0, FIRST));
    await eventually(async () => ((await count()) === FIRST ? true : undefined), `${FIRST} rows of the first topic`);
    await t.close();
    t = undefined;

    // A new admin client per step: kafkajs keeps the deleted topic's metadata in the one that deleted it.
    const withAdmin = async <T>(work: (admin: ReturnType<ReturnType<typeof testKafka>['admin']>) => Promise<T>): Promise<T> => {
      const admin = testKafka().admin();
      await admin.connect();
      try {
        return await work(admin);
      } finally {
        await admin.disconnect();
      }
    };
    await withAdmin((admin) => admin.deleteTopics({ topics: [topic] }));
    await eventually(() => withAdmin(async (admin) => (!(await admin.listTopics()).includes(topic) ? true : undefined)), 'the topic gone');
    await eventually(
      () =>
        withAdmin(async (admin) => {
          if (!(await admin.listTopics()).includes(topic)) await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
          const offsets = await admin.fetchTopicOffsets(topic);
          return offsets.length === 2 && offsets.every((p) => p.high === '0') ? true : undefined;
        }),
      'the topic re-created, empty',
    );

    // Fewer records than before: every offset of the new topic is one the old topic had stored.
    await produce(topic, wave(FIRST, SECOND));
    t = await again();
    await eventually(async () => ((await count()) === FIRST + SECOND ? true : undefined), `all ${FIRST + SECOND} rows, the new topic's included`);
    assert.equal(await metric('flowscope_ingest_replayed_skipped_total'), 0);
    assert.ok((await metric('flowscope_ingest_partition_new_incarnations_total')) >= 1);

    // The new topic's offsets repeat the old one's, yet every flow keeps an id of its own that
    // leads back to exactly that flow.
    const listed = (await t.http().get('/api/v1/flows').query({ ...window, limit: 500 }).expect(200)).body.items as Array<{ id: string; src: { port: number } }>;
    assert.equal(listed.length, FIRST + SECOND);
    assert.equal(new Set(listed.map((f) => f.id)).size, FIRST + SECOND, 'flow ids are unique across incarnations');
    assert.equal(listed.filter((f) => f.id.includes('@')).length, SECOND, 'the new incarnation marks its ids');
    for (const f of listed.filter((_, i) => i % 9 === 0 || _.id.includes('@'))) {
      const one = (await t.http().get(`/api/v1/flows/${encodeURIComponent(f.id)}`).expect(200)).body as { id: string; src: { port: number } };
      assert.deepEqual([one.id, one.src.port], [f.id, f.src.port]);
    }
    await t.close();
    t = undefined;

    // A genuine redelivery within the new incarnation is still recognised and stored once.
    const reset = testKafka().admin();
    await reset.connect();
    await reset.resetOffsets({ groupId: config.kafka.groupId, topic, earliest: true });
    await reset.disconnect();
    t = await again();
    await eventually(async () => ((await metric('flowscope_ingest_replayed_skipped_total')) === SECOND ? true : undefined), 'the redelivered messages skipped');
    assert.equal(await count(), FIRST + SECOND, 'stored once');
  });
});
