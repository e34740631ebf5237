import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AttributionService } from '../../src/attribution/attribution.service';
import { calicoFlowLogToRecord } from '../../src/ingest/formats/calico-flow-log.parser';
import { FlowRecord, reportedEndpoint } from '../../src/flows/flow-record';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { FlowRepository } from '../../src/storage/flow.repository';
import { CALICO_EXTRAS, CALICO_FWD } from '../unit/ingest/formats/felix-fixtures';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', name), 'utf8');
const T0 = Date.parse('2026-11-27T06:00:00Z');
const window = { from: '2026-11-27T05:00:00Z', to: '2026-11-27T07:00:00Z' };

function rec(over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    startTime: T0 + 60_000, endTime: T0 + 60_000, action: 'deny', reporter: 'dst', protocol: 'tcp',
    srcIp: '10.244.1.5', srcPort: 40000, dstIp: '10.244.2.7', dstPort: 5432,
    src: reportedEndpoint(), dst: reportedEndpoint(), node: 'node-2',
    numFlows: 1, numFlowsStarted: 1, numFlowsCompleted: 0, packetsIn: 1, packetsOut: 0, bytesIn: 60, bytesOut: 0,
    enforcedHits: [], pendingHits: [],
    ...over,
  };
}

describe('no-profile decisions, forwarded flows and flow details (embedded ClickHouse)', () => {
  let t: TestApp;
  let attribute: (r: FlowRecord, offset: number) => ReturnType<AttributionService['attribute']>;

  before(async () => {
    t = await startTestApp(testConfig());
    await t.http().post('/api/v1/inventory').query({ validFrom: new Date(T0).toISOString() })
      .set('content-type', 'application/yaml').send(fixture('shop-cluster.yaml')).expect(200);
    const service = t.app.get(AttributionService, { strict: false });
    attribute = (r, offset) => service.attribute(r, { format: 'calico', topic: 'details-test', partition: 0, offset: String(offset), index: 0 });
  });
  after(async () => t?.close());

  it('reads "no profile matched" as a no-profile decision, not a profile named __NO_MATCH__', async () => {
    for (const hit of ['0|__PROFILE__|__PROFILE__.__NO_MATCH__|deny|-1', '0|__PROFILE__|pro:__NO_MATCH__|deny|-1']) {
      const a = attribute(rec({ enforcedHits: [hit] }), 1).attribution;
      assert.equal(a.reportedVerdict, 'deny');
      assert.deepEqual([a.decision.kind, a.decision.policy, a.decision.tier], ['no-profile', '', '']);
      assert.equal(a.unknownPolicy, false);
    }
    const profile = attribute(rec({ action: 'allow', enforcedHits: ['0|__PROFILE__|pro:kns.db|allow|0'] }), 2).attribution;
    assert.deepEqual([profile.decision.kind, profile.decision.policy], ['profile', 'Profile//kns.db']);

    await t.app.get(FlowRepository).insert([attribute(rec({ enforcedHits: ['0|__PROFILE__|pro:__NO_MATCH__|deny|-1'] }), 3)], 'no-profile');
    const kinds = await t.http().get('/api/v1/stats/decisions').query({ ...window, groupBy: 'kind' }).expect(200);
    assert.deepEqual(kinds.body.groups.map((g: { key: object; records: number }) => [g.key, g.records]), [[{ kind: 'no-profile' }, 1]]);
  });

  it("attributes a forwarded flow to its transit trace, without the engine's evaluation of either side", () => {
    const a = attribute({ ...calicoFlowLogToRecord(CALICO_FWD), startTime: T0 + 60_000, endTime: T0 + 60_000 }, 10).attribution;
    assert.equal(a.traceSource, 'reported');
    assert.equal(a.reportedVerdict, 'deny');
    assert.equal(a.computedVerdict, '');
    assert.equal(a.verdictMismatch, false);
    assert.deepEqual([a.decision.kind, a.decision.policy, a.decision.ruleIndex], ['rule', 'GlobalNetworkPolicy//host.block-ssh-forward', 0]);
  });

  it('stores details off the flows row once per record, even when the batch is retried, and serves them', async () => {
    const repo = t.app.get(FlowRepository);
    const withDetails = { ...calicoFlowLogToRecord(CALICO_EXTRAS), startTime: T0 + 120_000, endTime: T0 + 120_000 };
    const rows = [attribute(withDetails, 20), attribute(rec({ startTime: T0 + 121_000, endTime: T0 + 121_000 }), 21)];
    await repo.insert(rows, 'details-test:0:20-21');
    await repo.insert(rows, 'details-test:0:20-21'); // a retry of the same batch
    const ch = t.app.get(ClickHouseAdapter);
    const [count] = await ch.query<{ n: string | number }>("SELECT count() AS n FROM flow_details WHERE source_topic = 'details-test'");
    assert.equal(Number(count.n), 1, 'one details row: the flow without extras has none, the retry stored nothing');

    const ids = ['details-test/0/20/0', 'details-test/0/21/0', 'not/an/id', 'details-test/0/99/0'];
    const details = await repo.detailsOf(ids);
    assert.deepEqual([...details.keys()], ['details-test/0/20/0']);
    assert.deepEqual(details.get('details-test/0/20/0'), withDetails.details);

    const res = await t.http().get('/api/v1/flows').query({ from: new Date(T0 + 119_000).toISOString(), to: new Date(T0 + 122_000).toISOString() }).expect(200);
    const [plain, rich] = res.body.items;
    assert.equal(plain.id, 'details-test/0/21/0');
    assert.equal('details' in plain, false, 'no details key when the record carried none');
    assert.equal(rich.id, 'details-test/0/20/0');
    assert.equal(rich.details.process.name, '/usr/bin/curl');
    assert.deepEqual(rich.details.destDomains, ['example.com', 'www.example.com']);
    assert.equal(rich.details.tcp.meanSmoothRttUs, 2100);
    assert.deepEqual(rich.details.natOutgoingPorts, [61000, 61001]);

    const range = { from: new Date(T0 + 119_000).toISOString(), to: new Date(T0 + 122_000).toISOString() };
    for (const action of [withDetails.action, 'deny'] as const) {
      const exported = await t.http().get('/api/v1/exports/flows').query({ ...range, action, format: 'ndjson' }).expect(200);
      const byId = new Map((exported.text.trim().split('\n').filter((l) => l !== '') as string[]).map((l) => JSON.parse(l) as { flow_id: string; details: string }).map((r) => [r.flow_id, r.details]));
      if (action === withDetails.action) assert.deepEqual(JSON.parse(byId.get('details-test/0/20/0') ?? 'null'), withDetails.details, 'the export carries the details as JSON text');
      if (action === 'deny') assert.equal(byId.get('details-test/0/21/0'), '', 'a record without extras exports an empty details cell');
    }
  });

  it('serves the details of rows stored before flows said which have some (they read as "maybe")', async () => {
    // A row written without has_details, as every row was before that column: the column's default.
    const ch = t.app.get(ClickHouseAdapter);
    await ch.command(
      `INSERT INTO flows (start_time, end_time, action, reporter, protocol, source_topic, source_partition, source_offset, source_index)
       VALUES (fromUnixTimestamp64Milli({t:Int64}), fromUnixTimestamp64Milli({t:Int64}), 'allow', 'dst', 'tcp', 'old-rows', 0, 5, 0)`,
      { t: T0 + 300_000 },
    );
    await ch.command(
      `INSERT INTO flow_details (start_time, action, source_topic, source_partition, source_offset, source_index, details)
       VALUES (fromUnixTimestamp64Milli({t:Int64}), 'allow', 'old-rows', 0, 5, 0, '{"process":{"name":"/bin/old"}}')`,
      { t: T0 + 300_000 },
    );
    const res = await t.http().get('/api/v1/flows').query({ from: new Date(T0 + 299_000).toISOString(), to: new Date(T0 + 301_000).toISOString() }).expect(200);
    assert.deepEqual(res.body.items.map((f: { id: string; details?: unknown }) => [f.id, f.details]), [['old-rows/0/5/0', { process: { name: '/bin/old' } }]]);
  });
});
