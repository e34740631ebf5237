import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Message } from 'kafkajs';
import { parseAllDocuments } from 'yaml';
import { FlowRecord } from '../../src/flows/flow-record';
import { produce } from '../support/kafka-test-client';
import { BLOCK_APPLIED, briefFindings, EXPECTED_FINDINGS, IP, PROTECT_TOOL, RELABEL, scenarioInventory, scenarioRecords, TIGHTENED, tightenEvidence, TOO_TIGHT, WINDOW } from '../support/suggest-scenario';
import { eventually, testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

/** One inventory message per document, keyed kind/namespace/name, taking effect at `validFrom`. */
function inventoryMessages(yaml: string, validFrom: number): Message[] {
  return parseAllDocuments(yaml).map((d) => {
    const m = d.toJSON() as { kind: string; metadata: { name: string; namespace?: string } };
    return {
      key: `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`,
      value: JSON.stringify(m),
      headers: { 'flowscope-valid-from': new Date(validFrom).toISOString() },
    };
  });
}

/** The record as a dataplane sends it in flowscope's own event format. */
function flowEvent(r: FlowRecord): string {
  return JSON.stringify({
    time: new Date(r.startTime).toISOString(),
    endTime: new Date(r.endTime).toISOString(),
    numFlows: r.numFlows,
    action: r.action,
    reporter: r.reporter,
    protocol: r.protocol,
    srcIp: r.srcIp,
    srcPort: r.srcPort,
    dstIp: r.dstIp,
    dstPort: r.dstPort,
    node: r.node,
    packetsIn: r.packetsIn,
    packetsOut: r.packetsOut,
    bytesIn: r.bytesIn,
    bytesOut: r.bytesOut,
  });
}

describe('findings, suggestions and simulate over a scenario produced to Kafka, consumed by the service and stored in ClickHouse', () => {
  let t: TestApp;
  const records = scenarioRecords();

  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true' }));
    const inventory = scenarioInventory();
    await produce(t.config.kafka.topics.inventory, inventory.flatMap((i) => inventoryMessages(i.yaml, i.validFrom)));
    // Flows are attributed against the inventory as of their own time: wait until its last change is in.
    await eventually(async () => {
      const res = await t.http().get('/api/v1/inventory').query({ kind: 'GlobalNetworkPolicy' }).expect(200);
      return res.body.items.some((i: { key: string }) => i.key === 'GlobalNetworkPolicy//security.block-egress-range') ? true : undefined;
    }, 'the inventory topic applied');
    // One partition in order: the stored row ids are the produced offsets.
    await produce(t.config.kafka.topics.flows, records.map((r) => ({ key: 'scenario', partition: 0, value: flowEvent(r) })));
    await eventually(async () => {
      const res = await t.http().get('/api/v1/flows').query({ ...WINDOW, limit: 100 }).expect(200);
      return res.body.items.length === records.length ? true : undefined;
    }, `all ${records.length} flows stored`);
  });
  after(async () => t?.close());

  it('reports each finding: unused, changed recently, unprotected, over-broad, redundant, shadowed', async () => {
    const res = await t.http().get('/api/v1/findings').query(WINDOW).expect(200);
    assert.deepEqual(briefFindings(res.body.items), EXPECTED_FINDINGS);
    assert.equal(res.body.partial, false);
    assert.deepEqual(res.body.items[0].unused, { lastHitBefore: null, versionSince: new Date(BLOCK_APPLIED).toISOString() });
    assert.deepEqual([res.body.items[5].unprotected.namespace, res.body.items[5].unprotected.workload], ['ops', 'tool-1']);
    const broad = res.body.items[6].overBroad;
    assert.deepEqual([broad.traffic.records, broad.traffic.peers, broad.traffic.ports, broad.unusedShare], [28, 2, ['5432'], 0.9993]);
  });

  it('suggests the exact YAML with its evidence, each proven by a replay with no allow-to-deny change', async () => {
    const topic = t.config.kafka.topics.flows;
    const res = await t.http().get('/api/v1/suggestions').query(WINDOW).expect(200);
    assert.equal(res.body.partial, false);
    assert.deepEqual(res.body.items.map((s: { kind: string }) => s.kind), ['tighten-rule', 'protect-workload']);
    const [tighten, protect] = await Promise.all(res.body.items.map(async (s: { links: { self: string } }) => (await t.http().get(s.links.self).expect(200)).body));
    assert.equal(tighten.yaml.enforced, TIGHTENED, 'the relabelled pod\'s changed version label is left out');
    assert.deepEqual(tighten.evidence, tightenEvidence(topic));
    assert.equal(protect.yaml.staged, PROTECT_TOOL);
    assert.deepEqual([protect.evidence.records, protect.evidence.peers, protect.evidence.ports], [21, 3, ['53', '5432', '8080']]);
    for (const s of res.body.items) assert.deepEqual([s.replay.allowToDenyCount, s.replay.denyToAllowCount, s.replay.partial, s.safe], [0, 0, false, true], s.kind);
    for (const s of [tighten, protect]) {
      assert.deepEqual([s.replay.allowToDeny, s.replay.denyToAllow, s.replay.partial, s.safe], [[], [], false, true], s.kind);
      assert.ok(s.replay.evaluated > 0);
    }
  });

  it('lists exactly the flows a too-tight candidate would break, each against the inventory of its time', async () => {
    const res = await t.http().post('/api/v1/simulate').send({ ...WINDOW, manifests: TOO_TIGHT }).expect(200);
    assert.deepEqual([res.body.flowGroups, res.body.changed, res.body.unchanged, res.body.partial], [16, 3, 13, false]);
    const broken = res.body.allowToDeny as Array<{ source: { name: string; ip: string }; destination: { name: string }; port: number; records: number; firstSeen: string; lastSeen: string }>;
    assert.deepEqual(
      broken.map((c) => [c.source.name, c.source.ip, c.destination.name, c.port, c.records]),
      [
        ['tool-1', IP.tool, 'pg-0', 5432, 4],
        ['tool-1', IP.tool, 'pg-0', 5432, 1],
        ['tool-1', IP.tool, 'pg-0', 5432, 2],
      ],
    );
    assert.ok(broken[0].lastSeen < new Date(RELABEL).toISOString() && broken[1].firstSeen > new Date(RELABEL).toISOString());
    assert.ok(broken[1].lastSeen < new Date(BLOCK_APPLIED).toISOString() && broken[2].firstSeen > new Date(BLOCK_APPLIED).toISOString());
    const suggested = await t.http().post('/api/v1/simulate').send({ ...WINDOW, manifests: `${TIGHTENED}---\n${PROTECT_TOOL}` }).expect(200);
    assert.deepEqual([suggested.body.changed, suggested.body.allowToDeny], [0, []]);
  });
});
