import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CALICO_AGGREGATED, CALICO_G2, CALICO_G3, FLOWSCOPE, GOLDMANE_INT } from '../unit/ingest/formats/fixtures';
import { consumeAll, produce } from '../support/kafka-test-client';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const nowS = Math.floor(Date.now() / 1000) - 120;
const recent = <T extends object>(r: T, shift = 0): T => ({ ...r, start_time: nowS + shift, end_time: nowS + shift + 60 });

interface Flow {
  source: { format: string; offset: string };
  src: { ip: string; namespace: string; aggregatedName: string };
  dst: { ip: string; namespace: string; port: number };
  action: string;
  reporter: string;
  reported: { enforced: string[]; verdict: string };
  decision: { policy: string; ruleIndex: number; source: string };
  numFlows: number;
}

describe('every dataplane format from the real broker, and the dead-letter path', () => {
  let t: TestApp;
  let flows: Flow[];
  let dead: Awaited<ReturnType<typeof consumeAll>>;

  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', FLOWSCOPE_MAX_MESSAGE_BYTES: '4096' }));
    const topic = t.config.kafka.topics.flows;
    const value = (...records: object[]) => records.map((r) => JSON.stringify(r)).join('\n');
    await produce(topic, [
      { key: 'n1', value: value({ ...FLOWSCOPE, time: new Date((nowS + 1) * 1000).toISOString(), srcIp: '10.9.0.1' }) },
      { key: 'n1', value: '{"time": "2026-11-26T07:00:00Z", "action": "allow"' },
      { key: 'n1', value: value(recent(CALICO_G2, 2)) },
      { key: 'n1', value: value({ ...FLOWSCOPE, srcIp: '10.9.0.300' }) },
      { key: 'n1', value: value(recent(CALICO_G3, 3), recent(CALICO_AGGREGATED, 4)) },
      { key: 'n1', value: value({ ...GOLDMANE_INT, Key: { ...GOLDMANE_INT.Key, action: 7 } }) },
      { key: 'n1', value: value({ ...recent(GOLDMANE_INT, 5) }) },
      { key: 'n1', value: value({ ...FLOWSCOPE, node: 'x'.repeat(5000) }) },
      { key: 'n1', value: value({ action: 'deny' }) },
      { key: 'n1', value: value({ ...FLOWSCOPE, time: new Date((nowS + 6) * 1000).toISOString(), srcIp: '10.9.0.2', action: 'log', policies: { enforced: ['0|security|gnp:security.audit|log|3'] } }) },
    ]);
    const from = new Date((nowS - 3600) * 1000).toISOString();
    flows = await eventually(async () => {
      const res = await t.http().get('/api/v1/flows').query({ from, limit: 100 }).expect(200);
      return res.body.items.length >= 6 ? (res.body.items as Flow[]) : undefined;
    }, 'six stored flows');
    dead = await consumeAll(t.config.kafka.topics.deadLetter, 5);
  });
  after(async () => t?.close());

  it('stores each format with its own fields', () => {
    const byOffset = new Map(flows.map((f) => [`${f.source.offset}:${f.src.ip || f.src.aggregatedName}`, f]));
    assert.equal(flows.length, 6);
    const own = byOffset.get('0:10.9.0.1')!;
    assert.equal(own.source.format, 'flowscope');
    const g2 = byOffset.get('2:10.0.1.5')!;
    assert.equal(g2.source.format, 'calico');
    assert.equal(g2.action, 'deny');
    assert.equal(g2.dst.port, 5432);
    assert.equal(g2.reported.verdict, 'deny');
    assert.equal(g2.decision.policy, 'KubernetesNetworkPolicy/shop/knp.default.deny-db', 'hits are sorted by index: the last one decides');
    assert.equal(g2.decision.source, 'reported');
    const g3 = byOffset.get('4:192.168.0.10')!;
    assert.equal(g3.reporter, 'fwd');
    assert.equal(g3.dst.ip, '2001:db8::1');
    const aggregated = byOffset.get('4:intrusion-detection-controller-5bdcdd9c97-*')!;
    assert.equal(aggregated.numFlows, 41);
    assert.equal(aggregated.decision.policy, 'Profile//kns.kube-system');
    const goldmane = byOffset.get('6:client-7f9d8c6b5-*')!;
    assert.equal(goldmane.source.format, 'goldmane');
    assert.equal(goldmane.src.ip, '');
    assert.equal(goldmane.decision.policy, 'KubernetesNetworkPolicy/web/knp.default.allow-nginx');
    const logged = byOffset.get('9:10.9.0.2')!;
    assert.equal(logged.action, 'log');
    assert.equal(logged.decision.policy, 'GlobalNetworkPolicy//security.audit');
    assert.equal(logged.decision.ruleIndex, 3);
  });

  it('dead-letters each malformed message with the original bytes, the reason and its coordinates', () => {
    const reasons = new Map(dead.map((d) => [d.headers['flowscope-source-offset'], d.headers['flowscope-reason']]));
    assert.deepEqual([...reasons.keys()].sort(), ['1', '3', '5', '7', '8']);
    assert.match(reasons.get('1')!, /not JSON/);
    assert.match(reasons.get('3')!, /srcIp: "10\.9\.0\.300" is not an IP address/);
    assert.match(reasons.get('5')!, /action/);
    assert.match(reasons.get('7')!, /over the 4096-byte limit/);
    assert.match(reasons.get('8')!, /unknown record format|is required/);
    assert.equal(dead.find((d) => d.headers['flowscope-source-offset'] === '1')!.value, '{"time": "2026-11-26T07:00:00Z", "action": "allow"');
  });

  it('counts what it consumed, stored and dead-lettered in /metrics', async () => {
    const text = (await t.http().get('/metrics').expect(200)).text;
    const metric = (name: string) => [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal(metric('flowscope_ingest_messages_total'), 10);
    assert.equal(metric('flowscope_ingest_stored_total'), 6);
    assert.equal(metric('flowscope_ingest_dead_lettered_total'), 5);
    assert.match(text, /flowscope_ingest_records_total\{format="calico"\} 3/);
  });
});
