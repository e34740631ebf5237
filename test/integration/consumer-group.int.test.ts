import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AssignerProtocol } from 'kafkajs';
import { AttributionService } from '../../src/attribution/attribution.service';
import { FlowIngestConsumer } from '../../src/ingest/flow-ingest.consumer';
import { InventoryIngestConsumer } from '../../src/ingest/inventory-ingest.consumer';
import { KafkaAdapter } from '../../src/kafka/kafka.adapter';
import { DecisionMetrics } from '../../src/metrics/decision.metrics';
import { IngestMetrics } from '../../src/metrics/ingest.metrics';
import { FlowRepository } from '../../src/storage/flow.repository';
import { PartitionIncarnationRepository } from '../../src/storage/partition-incarnation.repository';
import { produce, testKafka } from '../support/kafka-test-client';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const EVENTS = 400;

describe('two consumers in one group over four partitions', () => {
  let t: TestApp;
  let second: FlowIngestConsumer;

  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', KAFKA_TOPIC_PARTITIONS: '4' }));
    // A second member of the same group in this process: the embedded engine lets one process own
    // its data directory, so both members share it here; deployed, each instance is a process
    // writing to a ClickHouse server.
    const get = <T>(type: new (...args: never[]) => T) => t.app.get(type, { strict: false });
    second = new FlowIngestConsumer(t.config, get(KafkaAdapter), get(FlowRepository), get(AttributionService), get(IngestMetrics), get(InventoryIngestConsumer), get(PartitionIncarnationRepository), get(DecisionMetrics));
    await second.start();
  });
  after(async () => {
    await second?.beforeApplicationShutdown();
    await t?.close();
  });

  it('share the partitions and store every event once', { timeout: 120_000 }, async () => {
    const { groupId, topics } = t.config.kafka;
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const assignments = await eventually(async () => {
        const { groups } = await admin.describeGroups([groupId]);
        const group = groups[0];
        if (group.state !== 'Stable' || group.members.length !== 2) return undefined;
        return group.members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topics.flows] ?? []);
      }, 'a stable group of two members', 60_000);
      assert.deepEqual(assignments.map((a) => a.length).sort(), [2, 2], 'each member owns two of the four partitions');
      assert.deepEqual(assignments.flat().sort(), [0, 1, 2, 3]);
    } finally {
      await admin.disconnect();
    }

    const base = Date.now() - 60_000;
    await produce(
      topics.flows,
      Array.from({ length: EVENTS }, (_, i) => ({
        key: `node-${i % 40}`,
        value: JSON.stringify({ time: base + i, action: 'allow', reporter: 'src', protocol: 'tcp', srcIp: '10.3.0.1', srcPort: 10000 + i, dstIp: '10.4.0.1', dstPort: 80 }),
      })),
    );
    const window = { from: new Date(base - 1000).toISOString(), to: new Date(base + 60_000).toISOString() };
    const rows = await eventually(async () => {
      const res = await t.http().get('/api/v1/flows').query({ ...window, limit: 1000 }).expect(200);
      return res.body.items.length >= EVENTS ? (res.body.items as Array<{ id: string; source: { partition: number } }>) : undefined;
    }, `${EVENTS} stored rows`);
    await new Promise((r) => setTimeout(r, 2000));
    const again = await t.http().get('/api/v1/flows').query({ ...window, limit: 1000 }).expect(200);
    assert.equal(again.body.items.length, EVENTS, 'no event stored twice');
    assert.equal(new Set(rows.map((r) => r.id)).size, EVENTS);
    assert.deepEqual([...new Set(rows.map((r) => r.source.partition))].sort(), [0, 1, 2, 3]);
  });
});
