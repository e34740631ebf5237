import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Message } from 'kafkajs';
import { consumeAll, produce, testKafka } from '../support/kafka-test-client';
import { parsePrometheusText } from '../support/prometheus-text';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const POISON = 10_000;
/** One good event after every POISON_PER_GOOD bad messages, all on the same partitions. */
const POISON_PER_GOOD = 10;
const MAX_MESSAGE_BYTES = 4096;

const base = Date.now() - 300_000;
const event = (n: number, over: Record<string, unknown> = {}) =>
  JSON.stringify({ time: base + n, action: 'allow', reporter: 'src', protocol: 'tcp', srcIp: `10.20.${(n >> 8) & 255}.${n & 255}`, srcPort: 1024 + (n % 60000), dstIp: '10.21.0.1', dstPort: 443, ...over });

/** Every reason a message is dead-lettered for, with what the reason header says. */
const KINDS: Array<{ kind: string; value: (n: number) => string | null; reason: RegExp }> = [
  { kind: 'not JSON', value: (n) => `{"time": ${n}, "broken`, reason: /not JSON/ },
  { kind: 'unknown format', value: (n) => JSON.stringify({ hello: n }), reason: /unknown record format/ },
  { kind: 'schema violation', value: (n) => event(n, { dstPort: 70_000 }), reason: /dstPort: must be <= 65535/ },
  { kind: 'unknown protocol', value: (n) => event(n, { protocol: 'carrier-pigeon' }), reason: /protocol: unknown protocol/ },
  { kind: 'bad time', value: (n) => event(n, { time: `yesterday-${n}` }), reason: /time: .* is not an RFC 3339 time/ },
  { kind: 'bad IP', value: (n) => event(n, { srcIp: '999.1.1.1' }), reason: /srcIp: .* is not an IP address/ },
  { kind: 'oversized', value: (n) => event(n, { node: 'x'.repeat(MAX_MESSAGE_BYTES) }), reason: /over the 4096-byte limit/ },
  { kind: 'empty', value: () => '', reason: /message is empty/ },
  { kind: 'no value (tombstone)', value: () => null, reason: /message has no value/ },
  { kind: 'mixed lines', value: (n) => `${event(n)}\n${JSON.stringify({ start_time: n, source_ip: '10.0.0.1' })}`, reason: /line 2: / },
];

const lag = (metrics: string) => parsePrometheusText(metrics).filter((s) => s.name === 'flowscope_ingest_lag_messages').reduce((n, s) => n + s.value, 0);

describe('a poison flood: 10,000 unreadable messages between good ones', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', KAFKA_TOPIC_PARTITIONS: '4', FLOWSCOPE_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) }));
  });
  after(async () => t?.close());

  it('dead-letters every bad message with its reason, stores every good one once, and the lag returns to zero', { timeout: 300_000 }, async () => {
    const { flows, deadLetter } = t.config.kafka.topics;
    const messages: Message[] = [];
    let good = 0;
    for (let i = 0; i < POISON; i++) {
      const k = KINDS[i % KINDS.length];
      messages.push({ key: `node-${i % 8}`, value: k.value(i) });
      if (i % POISON_PER_GOOD === POISON_PER_GOOD - 1) messages.push({ key: `node-${good % 8}`, value: event(POISON + good++) });
    }
    await produce(flows, messages);

    const window = { from: new Date(base - 1000).toISOString(), to: new Date(base + 2 * POISON + 1000).toISOString() };
    const stored = async () => ((await t.http().get('/api/v1/stats/decisions').query(window).expect(200)).body.groups[0]?.records ?? 0) as number;
    await eventually(async () => ((await stored()) >= good ? true : undefined), `${good} good events stored`, 180_000);

    const dead = await consumeAll(deadLetter, POISON, 120_000);
    assert.equal(dead.length, POISON, 'every bad message is in the dead-letter topic');
    const byKind = new Map<string, number>();
    for (const d of dead) {
      const reason = d.headers['flowscope-reason'];
      const kinds = KINDS.filter((k) => k.reason.test(reason));
      assert.equal(kinds.length, 1, `one kind for the reason ${JSON.stringify(reason)}`);
      byKind.set(kinds[0].kind, (byKind.get(kinds[0].kind) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(byKind), Object.fromEntries(KINDS.map((k) => [k.kind, POISON / KINDS.length])), 'every message of every kind dead-lettered with its reason');
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const high = (await admin.fetchTopicOffsets(deadLetter)).reduce((n, p) => n + Number(p.high), 0);
      assert.equal(high, POISON, 'each bad message dead-lettered once');
      const produced = (await admin.fetchTopicOffsets(flows)).reduce((n, p) => n + Number(p.high), 0);
      await eventually(async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: t.config.kafka.groupId, topics: [flows] });
        return offsets.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) === produced ? true : undefined;
      }, 'committed offsets at the end of every partition');
    } finally {
      await admin.disconnect();
    }
    await eventually(async () => (lag((await t.http().get('/metrics')).text) === 0 ? true : undefined), 'the lag back to zero');

    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await stored(), good, 'every good event stored exactly once');
    const ids = await t.http().get('/api/v1/flows').query({ ...window, limit: 1000 }).expect(200);
    assert.equal(new Set(ids.body.items.map((f: { id: string }) => f.id)).size, good, 'distinct row ids');
    process.stdout.write(`# figures: produced ${POISON + good} (good ${good}, poison ${POISON}), stored ${good}, dead-lettered ${dead.length}, duplicated 0\n`);
  });
});
