import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { consumeAll, produce, testKafka } from '../support/kafka-test-client';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const now = Date.now();
const event = (i: number, over: Record<string, unknown> = {}) =>
  JSON.stringify({
    time: new Date(now - 60_000 + i).toISOString(),
    action: i % 2 ? 'deny' : 'allow',
    reporter: 'src',
    protocol: 'tcp',
    srcIp: `10.2.0.${i}`,
    srcPort: 50000 + i,
    dstIp: '10.3.0.1',
    dstPort: 8080,
    srcNamespace: 'shop',
    dstNamespace: 'db',
    node: 'node-a',
    ...over,
  });

describe('ingest from a real Kafka broker into embedded ClickHouse, read back over HTTP', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', KAFKA_TOPIC_PARTITIONS: '2' }));
  });
  after(async () => t?.close());

  it('stores produced events, dead-letters a malformed one without blocking its partition, commits offsets', async () => {
    const topic = t.config.kafka.topics.flows;
    // Everything on one partition (same key), with the malformed message in the middle.
    await produce(topic, [
      { key: 'node-a', value: event(1) },
      { key: 'node-a', value: '{"time": "not even json' },
      { key: 'node-a', value: event(2) },
      { key: 'node-a', value: `${event(3)}\n${event(4, { action: 'log' })}` },
    ]);

    const from = new Date(now - 3_600_000).toISOString();
    const items = await eventually(async () => {
      const res = await t.http().get('/api/v1/flows').query({ from, namespace: 'shop' }).expect(200);
      return res.body.items.length >= 4 ? res.body.items : undefined;
    }, 'four flows in the API');
    assert.deepEqual(items.map((f: { src: { ip: string } }) => f.src.ip).sort(), ['10.2.0.1', '10.2.0.2', '10.2.0.3', '10.2.0.4']);
    assert.deepEqual(items.map((f: { action: string }) => f.action).sort(), ['allow', 'deny', 'deny', 'log']);

    const [dead] = await consumeAll(t.config.kafka.topics.deadLetter, 1);
    assert.equal(dead.value, '{"time": "not even json', 'the original bytes are kept');
    assert.match(dead.headers['flowscope-reason'], /not JSON/);
    assert.equal(dead.headers['flowscope-source-topic'], topic);
    assert.equal(dead.headers['flowscope-source-offset'], '1');

    const admin = testKafka().admin();
    await admin.connect();
    try {
      const committed = await eventually(async () => {
        const [offsets] = await admin.fetchOffsets({ groupId: t.config.kafka.groupId, topics: [topic] });
        const total = offsets.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
        return total === 4 ? total : undefined;
      }, 'committed offsets past all four messages');
      assert.equal(committed, 4);
    } finally {
      await admin.disconnect();
    }
  });

  it('stores ingested flows on the narrow layout: label filters find them, answers show full labels and reported traces', async () => {
    await t.http().post('/api/v1/inventory').query({ validFrom: new Date(now - 3_600_000).toISOString() }).set('content-type', 'application/yaml').send(`
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: retail}}
---
apiVersion: v1
kind: Pod
metadata: {name: cart-0, namespace: shop, labels: {app: cart, tier: "it's back"}}
status: {podIP: 10.2.0.50}
`).expect(200);
    const hit = '0|default|shop/default.gone|allow|0';
    await produce(t.config.kafka.topics.flows, [
      { key: 'node-b', value: [50, 51].map((i) => event(i, { srcIp: '10.2.0.50', policies: { enforced: [hit] } })).join('\n') },
    ]);
    const from = new Date(now - 3_600_000).toISOString();
    const items = await eventually(async () => {
      const res = await t.http().get('/api/v1/flows').query({ from, srcSelector: "app == 'cart' && tier startswith 'it'" }).expect(200);
      return res.body.items.length >= 2 ? res.body.items : undefined;
    }, 'two labelled flows in the API');
    for (const f of items) {
      assert.deepEqual(f.src.labels, { app: 'cart', tier: "it's back" });
      assert.deepEqual(f.reported.enforced, [hit]);
    }
    const none = await t.http().get('/api/v1/flows').query({ from, srcSelector: "app == 'cart' && !has(tier)" }).expect(200);
    assert.deepEqual(none.body.items, []);
    const ch = t.app.get(ClickHouseAdapter);
    const [sets] = await ch.query<{ n: string }>("SELECT count() AS n FROM label_sets FINAL WHERE labels['app'] = 'cart'");
    assert.equal(Number(sets.n), 1, 'the label set is stored once');
  });

  it('reports ready when ClickHouse and Kafka answer', async () => {
    const res = await t.http().get('/health/ready').expect(200);
    assert.equal(res.body.status, 'ok');
    assert.equal(res.body.info.clickhouse.status, 'up');
    assert.equal(res.body.info.kafka.status, 'up');
    assert.equal(res.body.info.storage.status, 'up');
    assert.equal(res.body.info.ingest.status, 'up', 'both consumers running');
  });
});
