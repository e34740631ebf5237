import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AttributedFlow } from '../../src/attribution/attributed-flow';
import { FlowAttributor } from '../../src/attribution/flow.attributor';
import { Clock } from '../../src/clock/clock';
import { FlowRecord, reportedEndpoint } from '../../src/flows/flow-record';
import { InventorySnapshot } from '../../src/inventory/inventory.snapshot';
import { parseManifests } from '../../src/policy';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { encodeFlowRow, FLOW_COLUMNS } from '../../src/storage/flow-row.encoder';
import { encodeFlowBlock, FLOW_COLUMN_TYPES } from '../../src/storage/flow-row.native';
import { ArrayColumn, LowCardinalityColumn, nativeBlock, NullableFloat64Column, PlainColumn } from '../../src/storage/native.columns';
import { FlowRepository } from '../../src/storage/flow.repository';
import { MigrationRunner } from '../../src/storage/migration.runner';
import { SharedValues } from '../../src/storage/shared-values';
import { MIGRATIONS_DIR } from '../../src/storage/storage.module';
import { testConfig } from '../support/test-config';

// Hostile text everywhere a string goes: tabs, line breaks, quotes, backslashes, NUL, unicode
// beyond the BMP, and lengths around the one-, two- and three-byte length prefixes.
const NASTY = "t\tab\nnl\r'q\"\\b\\\\ \0 é 漢字 🦀";
const LONG = `${'x'.repeat(40)}é${'y'.repeat(100)}`;
const HUGE = '🦀'.repeat(5000);

const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: "t\\tab's \\\\ 🦀"}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: api-0, namespace: a, labels: {app: api, quote: "it's"}}
status: {podIP: 10.0.0.2}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: default.api, namespace: a}
spec:
  tier: default
  order: 100.5
  selector: app == 'api'
  ingress:
  - {action: Allow, protocol: TCP, destination: {ports: [80]}}
`;

function record(over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    startTime: 1764140400123, endTime: 1764140401000, action: 'allow', reporter: 'dst', protocol: 'tcp',
    srcIp: '10.0.0.1', srcPort: 40000, dstIp: '10.0.0.2', dstPort: 80,
    src: reportedEndpoint(), dst: reportedEndpoint(), node: 'n\t1', numFlows: 1, numFlowsStarted: 1, numFlowsCompleted: 0,
    packetsIn: 3, packetsOut: 4, bytesIn: 5, bytesOut: 6, enforcedHits: [], pendingHits: [],
    ...over,
  };
}

describe('flows insert formats: a Native block stores exactly what TabSeparated stores', () => {
  const clickhouse = new ClickHouseAdapter(testConfig());
  const snap = new InventorySnapshot(parseManifests(CLUSTER));
  const attributor = new FlowAttributor();
  const offsets = ['0', '2570', '9007199254740993', '18446744073709551615', '4294967296', '1', '2', '3'];
  const flows: AttributedFlow[] = [
    // Known endpoints, a policy with an order (a non-null Nullable), an empty trace elsewhere.
    record(),
    record({ dstPort: 443, action: 'deny', startTime: 1764140400000.4 }),
    record({ enforcedHits: ['0|default|a/default.api|allow|0'], pendingHits: ['0|default|a/default.api|allow|0'] }),
    // Unknown endpoints carrying hostile reported names and labels; a service.
    record({
      srcIp: '192.0.2.1', dstIp: '192.0.2.2',
      src: reportedEndpoint({ type: 'net', namespace: NASTY, name: LONG, aggregatedName: HUGE, labels: { "k'\t": 'v\\\n', '🦀': NASTY } }),
      dstService: { name: NASTY, namespace: 'a', port: 65535, portName: 'http' },
    }),
    // 0x0A 0x0A in numbers (2570), the largest safe counters, an empty-IP log record.
    record({ action: 'log', reporter: 'fwd', srcIp: '', dstIp: '', srcPort: 2570, bytesIn: 2570, packetsIn: Number.MAX_SAFE_INTEGER, bytesOut: 2 ** 32, numFlows: 4294967295 }),
    record({ node: HUGE, protocol: NASTY }),
    record({ startTime: 1000000000123, endTime: 1000000002570 }),
    // Before 1973-03-03, when Unix seconds have fewer than 9 digits (text formats read them as dates).
    record({ startTime: 5, endTime: 2570 }),
  ].map((r, i) => attributor.attribute(r, { format: 'flowscope', topic: 't.x_1', partition: 4294967295, offset: offsets[i], index: i === 6 ? 4294967295 : i }, snap));
  // An endpoint that is not frozen (the encoder writes it directly rather than from its cache) with
  // every column set and distinct, so a column written out of place shows.
  offsets.push('4');
  flows.push({ ...flows[0], source: { ...flows[0].source, offset: '4' }, src: { ...flows[0].src, serviceAccount: 'sa-x', node: 'node-y', owner: 'ReplicaSet/z' } });

  const columns = FLOW_COLUMNS.join(', ');
  const read = (table: string) =>
    clickhouse.query<Record<string, unknown>>(`SELECT ${columns} FROM ${table} ORDER BY source_offset, source_index`, {}, { output_format_json_quote_64bit_integers: 1 });

  before(async () => {
    await clickhouse.connect();
    await new MigrationRunner(clickhouse, new Clock()).run(MIGRATIONS_DIR);
    for (const t of ['flows_tsv', 'flows_native']) await clickhouse.command(`CREATE TABLE ${t} AS flows`);
  });
  after(() => clickhouse.onApplicationShutdown());

  it('round-trips every column (strings, arrays, nullables, 64-bit offsets) identically through both formats', async () => {
    const tsvShared = new SharedValues().batch();
    const lines = flows.map((f) => encodeFlowRow(f, tsvShared, 'inc-🦀'));
    await clickhouse.insertTsv('flows_tsv', FLOW_COLUMNS, lines, 'rt-1');
    const nativeShared = new SharedValues().batch();
    await clickhouse.insertBytes('flows_native', FLOW_COLUMNS, 'Native', encodeFlowBlock(flows, nativeShared, 'inc-🦀'), 'rt-1');
    assert.deepEqual(nativeShared.lines, tsvShared.lines, 'the same new shared values');

    const viaTsv = await read('flows_tsv');
    const viaNative = await read('flows_native');
    assert.equal(viaNative.length, flows.length);
    assert.deepEqual(viaNative, viaTsv);

    // And what was stored is what was sent, for the values most at risk.
    const byOffset = new Map(viaNative.map((r) => [String(r.source_offset), r]));
    assert.deepEqual([...byOffset.keys()].sort(), [...offsets].sort());
    const hostile = byOffset.get('18446744073709551615')!;
    assert.equal(hostile.src_namespace, NASTY);
    assert.equal(hostile.src_name, LONG);
    assert.equal(hostile.src_name_aggr, HUGE);
    assert.equal(hostile.dst_service_name, NASTY);
    assert.equal(Number(hostile.dst_service_port), 65535);
    assert.equal(hostile.source_incarnation, 'inc-🦀');
    assert.equal(Number(hostile.source_partition), 4294967295);
    const numbers = byOffset.get('4294967296')!;
    assert.equal(numbers.packets_in, String(Number.MAX_SAFE_INTEGER));
    assert.equal(numbers.bytes_in, '2570');
    assert.equal(numbers.bytes_out, String(2 ** 32));
    assert.equal(Number(numbers.num_flows), 4294967295);
    assert.equal(Number(numbers.src_port), 2570);
    assert.deepEqual(numbers.trace_tiers, []);
    assert.equal(byOffset.get('1')!.node, HUGE);
    assert.equal(byOffset.get('1')!.protocol, NASTY);
    assert.equal(byOffset.get('2')!.start_time, '2001-09-09 01:46:40.123');
    assert.equal(byOffset.get('2')!.end_time, '2001-09-09 01:46:42.570');
    assert.equal(Number(byOffset.get('2')!.source_index), 4294967295);
    assert.equal(byOffset.get('3')!.start_time, '1970-01-01 00:00:00.005');
    assert.equal(byOffset.get('3')!.end_time, '1970-01-01 00:00:02.570');
    const known = byOffset.get('0')!;
    assert.deepEqual(known.trace_policies, ['NetworkPolicy/a/default.api']);
    assert.equal(known.decision_policy_order, 100.5);
    assert.equal(byOffset.get('2570')!.start_time, '2025-11-26 07:00:00.000');
    const direct = byOffset.get('4')!;
    assert.deepEqual([direct.src_name, direct.src_service_account, direct.src_node, direct.src_owner], ['client', 'sa-x', 'node-y', 'ReplicaSet/z']);
  });

  it("declares FLOW_COLUMNS in their order with the table's own types", async () => {
    assert.deepEqual([...FLOW_COLUMN_TYPES.keys()], [...FLOW_COLUMNS]);
    const rows = await clickhouse.query<{ name: string; type: string }>(`SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'flows'`);
    const table = new Map(rows.map((r) => [r.name, r.type]));
    for (const [name, type] of FLOW_COLUMN_TYPES) assert.equal(type, table.get(name), name);
  });

  it('writes LowCardinality indexes one, two and four bytes wide, arrays of them, and nullables, as the engine reads them', async () => {
    await clickhouse.command('CREATE TABLE lc_widths (n UInt32, s LowCardinality(String), a Array(LowCardinality(String)), f Nullable(Float64)) ENGINE = MergeTree ORDER BY n');
    for (const distinct of [3, 300, 70_000]) {
      const rows = 70_001;
      const n = new PlainColumn(rows * 4);
      const s = new LowCardinalityColumn(4);
      const a = new ArrayColumn(4, new LowCardinalityColumn(4));
      const f = new NullableFloat64Column(4);
      for (let i = 0; i < rows; i++) {
        n.w.u32(i);
        s.add(i === 0 ? '' : `v${i % distinct}`);
        const items = i % 3;
        for (let j = 0; j < items; j++) a.items.add(j === 0 ? `${NASTY}${i % distinct}` : '');
        a.end(items);
        f.add(i % 4 === 0 ? null : i / 2);
      }
      const block = nativeBlock(rows, [['n', 'UInt32', n], ['s', 'LowCardinality(String)', s], ['a', 'Array(LowCardinality(String))', a], ['f', 'Nullable(Float64)', f]], 0);
      await clickhouse.command('TRUNCATE TABLE lc_widths');
      await clickhouse.insertBytes('lc_widths', ['n', 's', 'a', 'f'], 'Native', block, `widths-${distinct}`);
      const [stats] = await clickhouse.query<Record<string, string | number>>(
        `SELECT count() AS rows, uniqExact(s) AS distinct_s, countIf(s != if(n = 0, '', concat('v', toString(n % ${distinct})))) AS wrong_s,
                countIf(length(a) != n % 3 OR (length(a) > 0 AND a[1] != concat({nasty:String}, toString(n % ${distinct}))) OR (length(a) = 2 AND a[2] != '')) AS wrong_a,
                countIf(if(n % 4 = 0, f IS NOT NULL, f != n / 2)) AS wrong_f
         FROM lc_widths`,
        { nasty: NASTY },
      );
      assert.deepEqual(
        { rows: Number(stats.rows), distinct: Number(stats.distinct_s), wrongS: Number(stats.wrong_s), wrongA: Number(stats.wrong_a), wrongF: Number(stats.wrong_f) },
        { rows, distinct: distinct + 1, wrongS: 0, wrongA: 0, wrongF: 0 },
        `${distinct} distinct values`,
      );
    }
  });

  it('writes a block whose arrays are all empty (no LowCardinality elements at all)', async () => {
    await clickhouse.command('CREATE TABLE lc_empty (n UInt32, a Array(LowCardinality(String)), s LowCardinality(String)) ENGINE = MergeTree ORDER BY n');
    const n = new PlainColumn(8);
    const a = new ArrayColumn(2, new LowCardinalityColumn(2));
    const s = new LowCardinalityColumn(2);
    for (const i of [1, 2]) {
      n.w.u32(i);
      a.end(0);
      s.add(`after-${i}`);
    }
    await clickhouse.insertBytes('lc_empty', ['n', 'a', 's'], 'Native', nativeBlock(2, [['n', 'UInt32', n], ['a', 'Array(LowCardinality(String))', a], ['s', 'LowCardinality(String)', s]], 0), 'empty-1');
    const rows = await clickhouse.query<{ n: number; a: string[]; s: string }>('SELECT n, a, s FROM lc_empty ORDER BY n');
    assert.deepEqual(rows.map((r) => ({ ...r, n: Number(r.n) })), [{ n: 1, a: [], s: 'after-1' }, { n: 2, a: [], s: 'after-2' }]);
  });

  it('stores a batch through the repository, details included, whatever its times (1970 too)', async () => {
    const repo = new FlowRepository(clickhouse);
    const old = attributor.attribute(record({ startTime: 5, details: { destDomains: ['a.example'] } }), { format: 'calico', topic: 'repo', partition: 0, offset: '7', index: 0 }, snap);
    const recent = attributor.attribute(record(), { format: 'calico', topic: 'repo', partition: 0, offset: '8', index: 0 }, snap);
    await repo.insert([old, recent], 'repo-1');
    const [row] = await clickhouse.query<{ n: string; t: string }>(`SELECT count() AS n, min(start_time) AS t FROM flows WHERE source_topic = 'repo'`);
    assert.deepEqual({ n: Number(row.n), t: row.t }, { n: 2, t: '1970-01-01 00:00:00.005' });
    assert.deepEqual((await repo.detailsOf(['repo/0/7/0'])).get('repo/0/7/0'), { destDomains: ['a.example'] });
  });

  it('a retried Native batch with the same token is stored once; another token is stored', async () => {
    const body = encodeFlowBlock(flows, new SharedValues().batch(), '');
    await clickhouse.insertBytes('flows_native', FLOW_COLUMNS, 'Native', body, 'retry-1');
    await clickhouse.insertBytes('flows_native', FLOW_COLUMNS, 'Native', body, 'retry-1');
    const count = async () => Number((await clickhouse.query<{ n: string }>(`SELECT count() AS n FROM flows_native WHERE source_incarnation = ''`))[0].n);
    assert.equal(await count(), flows.length);
    await clickhouse.insertBytes('flows_native', FLOW_COLUMNS, 'Native', body, 'retry-2');
    assert.equal(await count(), 2 * flows.length);
  });

  it('a malformed Native block fails the insert (never a silent partial store)', async () => {
    const body = encodeFlowBlock(flows, new SharedValues().batch(), 'cut');
    await assert.rejects(clickhouse.insertBytes('flows_native', FLOW_COLUMNS, 'Native', body.subarray(0, body.length - 3), 'cut-1'));
    const [n] = await clickhouse.query<{ n: string }>(`SELECT count() AS n FROM flows_native WHERE source_incarnation = 'cut'`);
    assert.equal(Number(n.n), 0);
  });
});
