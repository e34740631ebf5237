import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Message } from 'kafkajs';
import { consumeAll, produce } from '../support/kafka-test-client';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const T0 = Date.now() - 3_600_000;
const T1 = T0 + 1_800_000; // the policy changes here

const resource = (kind: string, namespace: string, name: string, manifest: object | null, validFrom: number): Message => ({
  key: `${kind}/${namespace}/${name}`,
  value: manifest === null ? null : JSON.stringify(manifest),
  headers: { 'flowscope-valid-from': new Date(validFrom).toISOString() },
});

const pod = (name: string, ip: string, app: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels: { app } },
  spec: { nodeName: 'node-1', containers: [{ name: 'c' }] },
  status: { podIP: ip },
});

const policy = (action: 'Allow' | 'Deny') => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'GlobalNetworkPolicy',
  metadata: { name: 'default.api-ingress' },
  spec: { order: 10, selector: "app == 'api'", types: ['Ingress'], ingress: [{ action, protocol: 'TCP', destination: { ports: [8080] } }] },
});

describe('inventory from the compacted topic', () => {
  let t: TestApp;
  const inventoryKeys = async () => (await t.http().get('/api/v1/inventory').expect(200)).body.items.map((i: { key: string }) => i.key) as string[];

  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true' }));
  });
  after(async () => t?.close());

  it('builds the inventory history from the topic, a null value deleting', async () => {
    const topic = t.config.kafka.topics.inventory;
    await produce(topic, [
      resource('Namespace', '', 'shop', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, T0),
      resource('Pod', 'shop', 'web-1', pod('web-1', '10.20.0.1', 'web'), T0),
      resource('Pod', 'shop', 'api-1', pod('api-1', '10.20.0.2', 'api'), T0),
      resource('Pod', 'shop', 'tmp', pod('tmp', '10.20.0.9', 'tmp'), T0),
      resource('GlobalNetworkPolicy', '', 'default.api-ingress', policy('Allow'), T0),
      { key: 'Pod/shop/bad', value: '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"bad","namespace":"shop"},"status":{"podIP":"300.1.1.1"}}' },
      resource('Pod', 'shop', 'tmp', null, T0 + 60_000),
    ]);
    await eventually(async () => {
      const keys = await inventoryKeys();
      return keys.includes('GlobalNetworkPolicy//default.api-ingress') && !keys.includes('Pod/shop/tmp') ? keys : undefined;
    }, 'the topic applied');
    assert.deepEqual((await inventoryKeys()).sort(), ['GlobalNetworkPolicy//default.api-ingress', 'Namespace//shop', 'Pod/shop/api-1', 'Pod/shop/web-1']);
    const [dead] = await consumeAll(t.config.kafka.topics.deadLetter, 1);
    assert.equal(dead.headers['flowscope-source-topic'], topic);
    assert.match(dead.headers['flowscope-reason'], /Pod shop\/bad: status\.podIP/);
  });

  it('an inventory change changes the attribution of later flows but not of earlier ones', async () => {
    await produce(t.config.kafka.topics.inventory, [resource('GlobalNetworkPolicy', '', 'default.api-ingress', policy('Deny'), T1)]);
    await eventually(async () => {
      const res = await t.http().get('/api/v1/inventory').query({ kind: 'GlobalNetworkPolicy' }).expect(200);
      return res.body.items[0]?.manifest.spec.ingress[0].action === 'Deny' ? true : undefined;
    }, 'the policy change applied');

    // Both flows arrive after the change; they are attributed by the policy valid when each began.
    const flow = (time: number, srcPort: number) =>
      JSON.stringify({ time, action: 'allow', reporter: 'dst', protocol: 'tcp', srcIp: '10.20.0.1', srcPort, dstIp: '10.20.0.2', dstPort: 8080 });
    await produce(t.config.kafka.topics.flows, [
      { key: 'node-1', value: flow(T1 - 60_000, 1111) },
      { key: 'node-1', value: flow(T1 + 60_000, 2222) },
    ]);
    const items = await eventually(async () => {
      const res = await t.http().get('/api/v1/flows').query({ from: new Date(T0).toISOString(), namespace: 'shop' }).expect(200);
      return res.body.items.length === 2 ? res.body.items : undefined;
    }, 'both flows stored');
    const byPort = new Map(items.map((f: { src: { port: number } }) => [f.src.port, f]));
    const early = byPort.get(1111) as { computed: { verdict: string }; decision: { policy: string }; flags: { verdictMismatch: boolean }; src: { name: string }; dst: { name: string } };
    const late = byPort.get(2222) as typeof early;
    assert.equal(early.src.name, 'web-1');
    assert.equal(early.dst.name, 'api-1');
    assert.equal(early.computed.verdict, 'allow');
    assert.equal(early.decision.policy, 'GlobalNetworkPolicy//default.api-ingress');
    assert.equal(early.flags.verdictMismatch, false);
    assert.equal(late.computed.verdict, 'deny');
    assert.equal(late.flags.verdictMismatch, true, 'the dataplane reported allow after the policy said deny');
  });
});
