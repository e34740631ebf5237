import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseCliOptions } from '../../src/simulator/cli.options';
import { KafkaSink } from '../../src/simulator/kafka.sink';
import { MessageStream, SimMessage } from '../../src/simulator/message.stream';
import { buildStream } from '../../src/simulator/simulator.runner';
import { consumeAll } from '../support/kafka-test-client';
import { eventually, TEST_BROKERS, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const PER_FORMAT = 1500;
const FORMATS = ['flowscope', 'calico', 'goldmane'] as const;

// Oversized messages are left out: the broker's default message limit refuses them before flowscope
// could (formats.int.test covers that rejection with a small FLOWSCOPE_MAX_MESSAGE_BYTES).
/** Everything a simulator run emits for RECORDS records, flushed, so its counts describe exactly what was sent. */
function simulate(format: (typeof FORMATS)[number], startTime: number): { stream: MessageStream; messages: SimMessage[] } {
  const o = parseCliOptions(
    ['--size', 'demo', '--format', format, '--seed', '5', '--lines-per-message', '10', '--malformed', '0.01', '--malformed-kinds', 'bad-json,missing-field,bad-ip,unknown-enum', '--stale', '0.02', '--churn-every', '300', '--unexpected', '0.1'],
    {},
  );
  const stream = buildStream(o, startTime);
  const messages: SimMessage[] = [];
  let records = 0;
  while (records < PER_FORMAT) {
    const batch = stream.pull(100);
    records += batch.reduce((n, m) => n + (m.topic === 'flows' ? m.records : 0), 0);
    messages.push(...batch);
  }
  messages.push(...stream.flush());
  return { stream, messages };
}

describe('the simulator, ingested, reproduces its own counts through the API', () => {
  let t: TestApp;
  const expected = new Map<string, number>();
  const verdicts = { allow: 0, deny: 0, log: 0 };
  let malformed = 0;
  let records = 0;
  const start = Date.now() - 600_000;

  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true' }));
    const sink = new KafkaSink({ brokers: TEST_BROKERS.split(','), flowsTopic: t.config.kafka.topics.flows, inventoryTopic: t.config.kafka.topics.inventory, acks: -1, compression: 'none', partitions: 4 });
    await sink.connect();
    try {
      for (const format of FORMATS) {
        // Same seed, same cluster: the three formats describe one cluster's traffic.
        const { stream, messages } = simulate(format, start);
        // Small sends: the topics have the broker's default 1 MB batch limit (flowscope created them).
        for (let i = 0; i < messages.length; i += 40) await sink.send(messages.slice(i, i + 40));
        const c = stream.counts;
        for (const [k, n] of c.byHit) expected.set(k, (expected.get(k) ?? 0) + n);
        for (const v of ['allow', 'deny', 'log'] as const) verdicts[v] += c.byVerdict[v];
        malformed += c.malformedTotal;
        records += c.records;
      }
    } finally {
      await sink.disconnect();
    }
  });
  after(async () => t?.close());

  it('counts per tier, policy and action equal the simulator\'s, and every malformed message is dead-lettered', { timeout: 180_000 }, async () => {
    const window = { from: new Date(start - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };
    const groups = await eventually(async () => {
      const res = await t.http().get('/api/v1/stats/decisions').query({ ...window, groupBy: 'tier,policy,action', limit: 10000 }).expect(200);
      const total = res.body.groups.reduce((n: number, g: { records: number }) => n + g.records, 0);
      return total >= records ? (res.body.groups as Array<{ key: { tier: string; policy: string; action: string }; records: number }>) : undefined;
    }, `${records} records in the rollups`, 150_000);

    const actual = new Map<string, number>();
    for (const g of groups) {
      // The simulator keys a deciding hit as tier|kind|namespace|name|action; the API keys the policy Kind/namespace/name.
      const [kind, namespace, ...name] = g.key.policy.split('/');
      const key = `${g.key.tier}|${kind}|${namespace}|${name.join('/')}|${g.key.action}`;
      actual.set(key, (actual.get(key) ?? 0) + g.records);
    }
    assert.ok(expected.size > 10, `a realistic spread of deciding policies (${expected.size})`);
    assert.deepEqual(Object.fromEntries([...actual].sort()), Object.fromEntries([...expected].sort()));

    const byAction = await t.http().get('/api/v1/stats/decisions').query({ ...window, groupBy: 'action' }).expect(200);
    assert.deepEqual(Object.fromEntries(byAction.body.groups.map((g: { key: { action: string }; records: number }) => [g.key.action, g.records])), Object.fromEntries(Object.entries(verdicts).filter(([, n]) => n > 0)));
    assert.ok(malformed > 0, 'the run injected malformed messages');
    const dead = await consumeAll(t.config.kafka.topics.deadLetter, malformed);
    assert.equal(dead.length, malformed);
  });
});
