import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { produce } from '../support/kafka-test-client';
import { parsePrometheusText, Sample } from '../support/prometheus-text';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const now = Date.now();
const POLICIES = ['0|security|gnp:security.deny-db|deny|0', '0|default|shop/default.allow-web|allow|1', '0|default|shop/default.allow-api|allow|0', '0|security|gnp:security.quarantine|deny|2'];
const EVENTS = 120;

function event(i: number): string {
  const hit = POLICIES[i % POLICIES.length];
  return JSON.stringify({
    time: new Date(now - 120_000 + i * 100).toISOString(),
    action: hit.endsWith('|deny|0') || hit.endsWith('|deny|2') ? 'deny' : 'allow',
    reporter: i % 5 === 0 ? 'src' : 'dst',
    protocol: 'tcp',
    srcIp: `10.4.0.${i % 200}`,
    srcPort: 40000 + i,
    dstIp: '10.5.0.1',
    dstPort: 5432,
    srcNamespace: i % 2 ? 'shop' : 'web',
    dstNamespace: 'db',
    node: 'node-a',
    policies: { enforced: [hit], pending: [] },
  });
}

function key(labels: Record<string, string | number>): string {
  return ['action', 'reporter', 'tier', 'policy'].map((k) => String(labels[k])).join(' ');
}

describe('decision metrics on /metrics agree with the stats API (Kafka in, embedded ClickHouse)', () => {
  let t: TestApp;
  // Three policies get their own label; the fourth folds into `other`.
  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', KAFKA_TOPIC_PARTITIONS: '2', FLOWSCOPE_METRICS_TOP_POLICIES: '3' }));
  });
  after(async () => t?.close());

  it('counts every stored record once, by action, reporter, tier and policy', async () => {
    await produce(t.config.kafka.topics.flows, Array.from({ length: EVENTS }, (_, i) => ({ key: `node-${i % 3}`, value: event(i) })));
    const window = { from: new Date(now - 3_600_000).toISOString(), to: new Date(now + 3_600_000).toISOString() };
    const groups = await eventually(async () => {
      const res = await t.http().get('/api/v1/stats/decisions').query({ ...window, groupBy: 'action,reporter,tier,policy', limit: 1000 }).expect(200);
      const total = (res.body.groups as Array<{ records: number }>).reduce((n, g) => n + g.records, 0);
      return total === EVENTS ? (res.body.groups as Array<{ key: Record<string, string>; records: number; mismatches: number }>) : undefined;
    }, `${EVENTS} records in the stats API`);

    const samples = await eventually(async () => {
      const res = await t.http().get('/metrics').expect(200);
      const s = parsePrometheusText(res.text).filter((x) => x.name === 'flowscope_decision_records_total');
      return s.reduce((n, x) => n + x.value, 0) === EVENTS ? s : undefined;
    }, `${EVENTS} records counted on /metrics`);

    const policiesWithLabel = new Set(samples.map((s) => s.labels.policy).filter((p) => p !== 'other'));
    assert.equal(policiesWithLabel.size, 3, 'the top-N bound holds');
    // The stats API's groups, folded the same way the metrics fold them.
    const expected = new Map<string, number>();
    for (const g of groups) {
      const k = key({ ...g.key, policy: policiesWithLabel.has(g.key.policy) ? g.key.policy : 'other' });
      expected.set(k, (expected.get(k) ?? 0) + g.records);
    }
    const actual = new Map(samples.map((s: Sample) => [key(s.labels), s.value]));
    assert.deepEqual(Object.fromEntries([...actual].sort()), Object.fromEntries([...expected].sort()));

    const denies = samples.filter((s) => s.labels.action === 'deny').reduce((n, s) => n + s.value, 0);
    const res = await t.http().get('/api/v1/stats/decisions').query({ ...window, action: 'deny' }).expect(200);
    assert.equal(denies, res.body.groups[0].records, 'denies on /metrics = denies in the stats API');

    const mismatches = parsePrometheusText((await t.http().get('/metrics').expect(200)).text)
      .filter((x) => x.name === 'flowscope_decision_verdict_mismatch_total')
      .reduce((n, x) => n + x.value, 0);
    assert.equal(mismatches, groups.reduce((n, g) => n + g.mismatches, 0), 'verdict mismatches agree too');
  });
});
