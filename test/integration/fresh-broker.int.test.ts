import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { produce } from '../support/kafka-test-client';
import { ScratchBroker } from '../support/scratch-broker';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const EVENTS = 40;

const metric = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(text)?.[1] ?? 0);

describe('a fresh broker: a first run, then a new cluster under the same topic names', () => {
  const broker = new ScratchBroker();
  let t: TestApp | undefined;
  after(async () => {
    await t?.close();
    broker.dispose();
  });

  it('starts right after its topics are created, and stores every record of the new cluster too', { timeout: 300_000 }, async () => {
    await broker.start();
    // The service creates its topics on a broker that has just come up, then reads their offsets.
    const config = testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', KAFKA_BROKERS: broker.brokers });
    t = await startTestApp(config);
    const base = Date.now() - 120_000;
    const wave = (first: number) =>
      Array.from({ length: EVENTS }, (_, i) => ({
        key: `node-${i % 4}`,
        value: JSON.stringify({ time: base + first + i, action: 'allow', reporter: 'src', protocol: 'tcp', srcIp: '10.9.0.1', srcPort: 20000 + first + i, dstIp: '10.9.0.2', dstPort: 443 }),
      }));
    const window = { from: new Date(base - 1000).toISOString(), to: new Date(base + 60_000).toISOString() };
    const count = async () => ((await t!.http().get('/api/v1/stats/decisions').query(window).expect(200)).body.groups[0]?.records ?? 0) as number;

    await produce(config.kafka.topics.flows, wave(0), broker.brokers);
    await eventually(async () => ((await count()) === EVENTS ? true : undefined), `${EVENTS} rows from the first cluster`, 60_000);
    await t.close();
    t = undefined;

    // The same topic names on a new, empty cluster: its offsets start at 0 again, below what is stored.
    broker.stop();
    await broker.start();
    t = await startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', KAFKA_BROKERS: broker.brokers, FLOWSCOPE_DATA_DIR: config.clickhouse.dataDir, KAFKA_GROUP_ID: config.kafka.groupId, KAFKA_FLOWS_TOPIC: config.kafka.topics.flows, KAFKA_DEAD_LETTER_TOPIC: config.kafka.topics.deadLetter, KAFKA_INVENTORY_TOPIC: config.kafka.topics.inventory }));
    await produce(config.kafka.topics.flows, wave(EVENTS), broker.brokers);
    await eventually(async () => ((await count()) === 2 * EVENTS ? true : undefined), `all ${2 * EVENTS} rows, the new cluster's included`, 60_000);
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    assert.equal(metric(metrics, 'flowscope_ingest_replayed_skipped_total'), 0, 'nothing of the new cluster is taken for a replay');
    assert.ok(metric(metrics, 'flowscope_ingest_partition_new_incarnations_total') >= 1, 'the new incarnation is counted');
  });
});
