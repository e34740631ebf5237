import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { produce, testKafka } from '../support/kafka-test-client';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const EVENTS = 300;

function metric(text: string, name: string): number {
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
}

describe('ClickHouse failing while events arrive', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true' }));
  });
  after(async () => t?.close());

  it('pauses the partition, retries with backoff, resumes by itself and stores every event once', { timeout: 120_000 }, async () => {
    const ch = t.app.get(ClickHouseAdapter);
    const base = Date.now() - 60_000;
    const events = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        key: `node-${i % 3}`,
        value: JSON.stringify({ time: base + from + i, action: 'deny', reporter: 'dst', protocol: 'tcp', srcIp: '10.7.0.1', srcPort: 20000 + from + i, dstIp: '10.8.0.1', dstPort: 22 }),
      }));
    const window = { from: new Date(base - 1000).toISOString(), to: new Date(base + 60_000).toISOString() };
    const stored = async () => ((await t.http().get('/api/v1/stats/decisions').query(window).expect(200)).body.groups[0]?.records ?? 0) as number;

    await produce(t.config.kafka.topics.flows, events(0, EVENTS / 2));
    await eventually(async () => ((await stored()) === EVENTS / 2 ? true : undefined), 'the first half stored');

    // The table goes away: every insert now fails until it is back.
    await ch.command('DETACH TABLE flows');
    // Bad messages in the failing batches: dead-lettered once, however often the insert is retried.
    await produce(t.config.kafka.topics.flows, [...events(EVENTS / 2, EVENTS / 2), { key: 'node-0', value: '{"broken' }, { key: 'node-1', value: '{"time": 1}' }]);
    await eventually(async () => {
      const text = (await t.http().get('/metrics')).text;
      return metric(text, 'flowscope_ingest_store_failures_total') >= 2 && metric(text, 'flowscope_ingest_paused') >= 1 ? true : undefined;
    }, 'failed inserts to be retried with the partition paused');
    await ch.command('ATTACH TABLE flows');

    await eventually(async () => ((await stored()) >= EVENTS ? true : undefined), 'all events stored after the outage', 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await stored(), EVENTS, 'stored once');
    const text = (await t.http().get('/metrics')).text;
    assert.ok(metric(text, 'flowscope_ingest_pauses_total') >= 1);
    assert.equal(metric(text, 'flowscope_ingest_paused'), 0, 'consumption resumed by itself');
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(t.config.kafka.topics.deadLetter);
      assert.equal(offsets.reduce((n, p) => n + Number(p.high), 0), 2, 'each bad message dead-lettered once');
    } finally {
      await admin.disconnect();
    }
  });
});
