import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CALICO_EXTRAS, CALICO_FWD, FELIX_EOT_DENY } from '../unit/ingest/formats/felix-fixtures';
import { produce } from '../support/kafka-test-client';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const nowS = Math.floor(Date.now() / 1000) - 600;
const BATCH = 40;

interface Flow {
  id: string;
  action: string;
  reporter: string;
  src: { type: string; namespace: string; aggregatedName: string };
  numFlows: number;
  reported: { enforced: string[]; verdict: string };
  decision: { kind: string; policy: string; tier: string; ruleIndex: number; source: string };
  source: { format: string; offset: string };
  details?: { process?: { name: string }; tcp?: { totalRetransmissions?: number } };
}

describe('records as Felix and Calico Enterprise emit them, from the real broker', () => {
  let t: TestApp;
  let flows: Flow[];

  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', KAFKA_TOPIC_PARTITIONS: '1' }));
    const topic = t.config.kafka.topics.flows;
    // One emitter batch: every flow denied at the end of the default tier (a trigger, no name).
    const batch = Array.from({ length: BATCH }, (_, i) => JSON.stringify({
      ...FELIX_EOT_DENY,
      Key: { ...FELIX_EOT_DENY.Key, dest_port: 8000 + i },
      start_time: nowS + i, end_time: nowS + i + 15,
    })).join('\n');
    await produce(topic, [
      { key: 'node-1', value: batch },
      // A pretty-printed Calico Enterprise record with extras, and a forwarded one.
      { key: 'node-1', value: JSON.stringify({ ...CALICO_EXTRAS, start_time: nowS + 100, end_time: nowS + 400 }, null, 2) },
      { key: 'node-1', value: JSON.stringify({ ...CALICO_FWD, start_time: nowS + 101, end_time: nowS + 401 }) },
    ]);
    const from = new Date((nowS - 60) * 1000).toISOString();
    flows = await eventually(async () => {
      const res = await t.http().get('/api/v1/flows').query({ from, limit: 1000 }).expect(200);
      return res.body.items.length >= BATCH + 2 ? (res.body.items as Flow[]) : undefined;
    }, `${BATCH + 2} stored flows`, 60_000);
  });
  after(async () => t?.close());

  it('stores a Goldmane batch full of end-of-tier denies whole, decided by the trigger', () => {
    const goldmane = flows.filter((f) => f.source.format === 'goldmane');
    assert.equal(goldmane.length, BATCH, 'no flow of the batch dead-lettered');
    for (const f of goldmane) {
      assert.equal(f.action, 'deny');
      assert.deepEqual(f.reported.enforced, ['0|tier1|np:web/tier1.policy1|pass|0', '1|default|knp:web/allow-nginx|deny|-1']);
      assert.equal(f.reported.verdict, 'deny');
      assert.deepEqual([f.decision.kind, f.decision.policy, f.decision.tier, f.decision.ruleIndex, f.decision.source],
        ['end-of-tier', 'KubernetesNetworkPolicy/web/knp.default.allow-nginx', 'default', -1, 'reported']);
      assert.deepEqual([f.src.type, f.src.namespace, f.src.aggregatedName], ['net', '', 'pvt'], '`-` stored as empty');
      assert.equal(f.numFlows, 3);
    }
  });

  it('stores a pretty-printed record with its details, and a forwarded record with its transit trace', () => {
    const calico = flows.filter((f) => f.source.format === 'calico');
    const extras = calico.find((f) => f.reporter === 'src')!;
    assert.equal(extras.details?.process?.name, '/usr/bin/curl');
    assert.equal(extras.details?.tcp?.totalRetransmissions, 2);
    const fwd = calico.find((f) => f.reporter === 'fwd')!;
    assert.deepEqual(fwd.reported.enforced, ['0|host|host.block-ssh-forward|deny|0']);
    assert.equal(fwd.decision.policy, 'GlobalNetworkPolicy//host.block-ssh-forward');
    assert.equal(fwd.details, undefined);
  });
});
