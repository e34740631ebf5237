import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Consumer, Message } from 'kafkajs';
import { InventoryIngestConsumer } from '../../src/ingest/inventory-ingest.consumer';
import { produce } from '../support/kafka-test-client';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const PODS = 200;
const FLOWS = 50;

const resource = (kind: string, namespace: string, name: string, manifest: object, validFrom: number): Message => ({
  key: `${kind}/${namespace}/${name}`,
  value: JSON.stringify(manifest),
  headers: { 'flowscope-valid-from': new Date(validFrom).toISOString() },
});

const pod = (name: string, ip: string, app: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels: { app } },
  spec: { nodeName: 'node-1', containers: [{ name: 'c' }] },
  status: { podIP: ip },
});

interface Flow {
  src: { type: string; name: string };
  dst: { type: string; name: string };
  computed: { verdict: string };
  flags: { verdictMismatch: boolean; unknownEndpoint: boolean };
}

describe('flows consumed before the inventory they need', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true' }));
  });
  after(async () => t?.close());

  it('wait for the inventory to catch up to their time, then are attributed against it: no false mismatch', { timeout: 180_000 }, async () => {
    const metric = async (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec((await t.http().get('/metrics')).text)?.[1] ?? 0);
    // Hold the inventory consumer, so the flows are certainly read before their pods are applied.
    const inventoryConsumer = t.app.get(InventoryIngestConsumer)['consumer'] as Consumer;
    inventoryConsumer.pause([{ topic: t.config.kafka.topics.inventory }]);

    const validFrom = Date.now() - 60_000;
    const ip = (i: number) => `10.30.${i >> 8}.${i & 255}`;
    await produce(t.config.kafka.topics.inventory, [
      resource('Namespace', '', 'shop', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, validFrom),
      resource('GlobalNetworkPolicy', '', 'default.api-ingress', {
        apiVersion: 'projectcalico.org/v3',
        kind: 'GlobalNetworkPolicy',
        metadata: { name: 'default.api-ingress' },
        spec: { order: 10, selector: "app == 'api'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [8080] } }] },
      }, validFrom),
      ...Array.from({ length: PODS }, (_, i) => resource('Pod', 'shop', `pod-${i}`, pod(`pod-${i}`, ip(i), i % 2 === 0 ? 'web' : 'api'), validFrom)),
    ]);
    // Flows of this instant between pods the inventory topic already holds (web -> api, allowed).
    const now = Date.now();
    await produce(
      t.config.kafka.topics.flows,
      Array.from({ length: FLOWS }, (_, i) => ({
        key: `node-${i % 4}`,
        value: JSON.stringify({ time: now, action: 'allow', reporter: 'dst', protocol: 'tcp', srcIp: ip(2 * i), srcPort: 40000 + i, dstIp: ip(2 * i + 1), dstPort: 8080 }),
      })),
    );
    await eventually(async () => ((await metric('flowscope_ingest_messages_total')) >= FLOWS ? true : undefined), 'the flows read by the flow consumer');
    assert.equal(await metric('flowscope_ingest_stored_total'), 0, 'no flow is stored while the inventory is behind its time');
    inventoryConsumer.resume([{ topic: t.config.kafka.topics.inventory }]);

    const items = await eventually(async () => {
      const res = await t.http().get('/api/v1/flows').query({ from: new Date(now - 1000).toISOString(), namespace: 'shop', limit: FLOWS }).expect(200);
      return res.body.items.length === FLOWS ? (res.body.items as Flow[]) : undefined;
    }, 'every flow stored');
    for (const f of items) {
      assert.equal(f.src.type, 'wep', 'a workload endpoint, not an outside network');
      assert.equal(f.dst.type, 'wep');
      assert.match(f.dst.name, /^pod-\d+$/);
      assert.equal(f.flags.unknownEndpoint, false);
      assert.equal(f.computed.verdict, 'allow');
      assert.equal(f.flags.verdictMismatch, false);
    }
    assert.ok((await metric('flowscope_attribution_inventory_waits_total')) >= 1, 'the wait is counted');
    assert.equal(await metric('flowscope_attribution_inventory_wait_timeouts_total'), 0);
  });
});
