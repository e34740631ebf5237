import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { produce, testKafka } from '../support/kafka-test-client';
import { ScratchBroker } from '../support/scratch-broker';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const EVENTS = 20_000;
/** At most this many events are produced before the broker stops (production stops with it). */
const FIRST = 60_000;
const PER_MESSAGE = 10;
const OUTAGE_MS = 30_000;

describe('the broker stopped for 30 s under load, then restarted', () => {
  // A broker of its own (the run's shared broker stays up), keeping its data across the outage.
  const broker = new ScratchBroker({ keepData: true });
  let t: TestApp | undefined;
  after(async () => {
    await t?.close();
    broker.dispose();
  });

  it('reports the outage on /health/ready, resumes by itself, stores every event exactly once', { timeout: 420_000 }, async () => {
    await broker.start();
    const config = testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', KAFKA_BROKERS: broker.brokers, KAFKA_TOPIC_PARTITIONS: '4' });
    t = await startTestApp(config);
    const app = t;
    const base = Date.now() - 600_000;
    const wave = (first: number, count: number) =>
      Array.from({ length: count / PER_MESSAGE }, (_, m) => ({
        key: `node-${m % 7}`,
        value: Array.from({ length: PER_MESSAGE }, (_, i) => {
          const n = first + m * PER_MESSAGE + i;
          return JSON.stringify({ time: base + n, action: 'allow', reporter: 'src', protocol: 'tcp', srcIp: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, srcPort: 1024 + (n % 60000), dstIp: '10.250.0.2', dstPort: 443 });
        }).join('\n'),
      }));
    const window = { from: new Date(base - 1000).toISOString(), to: new Date(base + FIRST + EVENTS + 1000).toISOString() };
    const total = async () => ((await app.http().get('/api/v1/stats/decisions').query(window).expect(200)).body.groups[0]?.records ?? 0) as number;

    // Load until the moment the broker stops: a producer keeps sending while the consumer works.
    const producer = testKafka(broker.brokers).producer();
    await producer.connect();
    let sent = 0;
    let loading = true;
    const load = (async () => {
      while (loading && sent < FIRST) {
        const chunk = wave(sent, 2_000);
        await producer.send({ topic: config.kafka.topics.flows, messages: chunk, acks: -1 });
        sent += 2_000;
      }
    })();
    await eventually(async () => ((await total()) > 0 ? true : undefined), 'the first stored rows', 60_000);
    loading = false;
    await load;
    await producer.disconnect();
    const storedAtStop = await total();
    const down = Date.now();
    broker.stop();
    const reported = await eventually(async () => {
      const res = await app.http().get('/health/ready');
      return res.status === 503 && /kafka/.test(JSON.stringify(res.body)) ? res.body : undefined;
    }, 'readiness to report the broker outage', OUTAGE_MS);
    assert.equal(reported.statusCode, 503);
    // The API keeps answering from what is stored while the broker is away.
    assert.ok((await total()) >= storedAtStop);
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - down))));
    const stillDown = await app.http().get('/health/ready');
    assert.equal(stillDown.status, 503, 'not ready for as long as the outage lasts');

    await broker.start();
    const up = Date.now();
    await produce(config.kafka.topics.flows, wave(FIRST, EVENTS), broker.brokers);
    await eventually(async () => ((await total()) >= sent + EVENTS ? true : undefined), 'every event after the restart', 180_000);
    const recoveredMs = Date.now() - up;
    await eventually(async () => ((await app.http().get('/health/ready')).status === 200 ? true : undefined), 'ready again', 60_000);

    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(await total(), sent + EVENTS, 'nothing lost, nothing doubled');
    const ids = new Set<string>();
    let cursor = '';
    do {
      const page = (await app.http().get('/api/v1/flows').query({ ...window, limit: 1000, ...(cursor ? { cursor } : {}) }).expect(200)).body as { items: Array<{ id: string }>; nextCursor?: string };
      for (const f of page.items) ids.add(f.id);
      cursor = page.nextCursor ?? '';
    } while (cursor);
    assert.equal(ids.size, sent + EVENTS, 'every row id distinct');
    process.stdout.write(`# figures: produced ${sent + EVENTS}, stored ${ids.size}, duplicated 0, stored before the stop ${storedAtStop}, outage ${OUTAGE_MS} ms, all stored ${recoveredMs} ms after the broker was back\n`);
  });
});
