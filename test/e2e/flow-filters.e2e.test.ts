import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ipaddr from 'ipaddr.js';
import { FlowRecord, reportedEndpoint } from '../../src/flows/flow-record';
import { flowRecord, seedFlows } from '../support/flow-seed';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', name), 'utf8');
const BASE = Date.parse('2026-11-26T06:00:00Z');
const window = { from: '2026-11-26T05:00:00Z', to: '2026-11-26T07:00:00Z' };
const N = 48;

interface Endpoint { ip: string; port: number; namespace: string; name: string; aggregatedName: string; labels: Record<string, string> }
interface Flow {
  id: string; action: string; reporter: string; protocol: string; src: Endpoint; dst: Endpoint;
  computed: { verdict: string; pendingVerdict: string };
  decision: { kind: string; tier: string; policy: string; ruleIndex: number };
  flags: { verdictMismatch: boolean; unknownEndpoint: boolean };
}

/** A varied set: known pods and unknown endpoints, IPv4 and IPv6, three protocols, both reporters, reported and computed traces. */
function records(): FlowRecord[] {
  return Array.from({ length: N }, (_, i) => {
    const srcIp = ['10.244.1.5', `10.9.0.${i}`, `fd00::${i.toString(16)}`, '10.244.2.7'][i % 4];
    const dstIp = i % 3 === 0 ? '10.244.2.7' : i % 4 === 2 ? `fd00::1:${i.toString(16)}` : `10.8.${i % 2}.${i}`;
    return flowRecord(BASE + i * 1000, {
      action: i % 3 === 0 ? 'deny' : 'allow',
      reporter: (i % 5) % 2 ? 'src' : 'dst',
      protocol: ['tcp', 'udp', 'icmp'][i % 3],
      srcIp,
      srcPort: 30000 + (i % 7),
      dstIp,
      dstPort: [5432, 443, 53][i % 3],
      src: reportedEndpoint({ namespace: ['shop', 'db', 'orders', 'edge'][i % 4], name: i % 5 === 0 ? '' : `pod-${i}`, aggregatedName: `pod-${i % 2}-*`, labels: { app: ['web', 'pg', 'api'][i % 3], ...(i % 2 ? { tier: 'fe' } : {}) } }),
      dst: reportedEndpoint({ namespace: ['db', 'payments', 'shop'][i % 3], name: `svc-${i % 2}`, labels: { app: i % 2 ? 'pg' : 'cache', env: i % 4 === 0 ? 'prod' : 'dev' } }),
      enforcedHits: i % 6 === 1 ? ['0|default|payments/default.deny-web|deny|0'] : i % 6 === 4 ? ['0|default|payments/default.allow-web|allow|3'] : [],
    });
  });
}

function inCidr(ip: string, cidr: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const addr = ipaddr.parse(ip);
  const [net, bits] = ipaddr.parseCIDR(cidr);
  return addr.kind() === net.kind() && addr.match([net, bits]);
}

describe('flow search, stats and exports: every filter (embedded ClickHouse)', () => {
  let t: TestApp;
  let all: Flow[];

  before(async () => {
    t = await startTestApp(testConfig());
    await t.http().post('/api/v1/inventory').query({ validFrom: '2026-11-26T00:00:00Z' }).set('content-type', 'application/yaml').send(fixture('shop-cluster.yaml')).expect(200);
    await seedFlows(t.app, records());
    all = (await t.http().get('/api/v1/flows').query({ ...window, limit: 1000 }).expect(200)).body.items;
    assert.equal(all.length, N);
  });
  after(async () => t?.close());

  const name = (e: Endpoint, n: string) => e.name === n || e.aggregatedName === n;
  const cases: Array<[Record<string, string>, (f: Flow) => boolean]> = [
    [{ action: 'deny' }, (f) => f.action === 'deny'],
    [{ namespace: 'shop' }, (f) => f.src.namespace === 'shop' || f.dst.namespace === 'shop'],
    [{ ip: '10.244.2.7' }, (f) => f.src.ip === '10.244.2.7' || f.dst.ip === '10.244.2.7'],
    [{ ip: 'fd00::/112' }, (f) => inCidr(f.src.ip, 'fd00::/112') || inCidr(f.dst.ip, 'fd00::/112')],
    [{ srcNamespace: 'orders' }, (f) => f.src.namespace === 'orders'],
    [{ dstNamespace: 'payments' }, (f) => f.dst.namespace === 'payments'],
    [{ srcName: 'pod-1-*' }, (f) => name(f.src, 'pod-1-*')],
    [{ srcName: 'pod-6' }, (f) => name(f.src, 'pod-6')],
    [{ dstName: 'svc-0' }, (f) => name(f.dst, 'svc-0')],
    [{ srcSelector: 'app == "api"' }, (f) => f.src.labels.app === 'api'],
    [{ srcSelector: 'has(tier) && app in {"web", "pg"}' }, (f) => 'tier' in f.src.labels && ['web', 'pg'].includes(f.src.labels.app)],
    [{ srcSelector: 'tier != "fe"' }, (f) => f.src.labels.tier !== 'fe'],
    [{ dstSelector: 'env not in {"prod"} && !has(missing)' }, (f) => f.dst.labels.env !== 'prod'],
    [{ dstSelector: 'app starts with "ca" || app ends with "es"' }, (f) => (f.dst.labels.app ?? '').startsWith('ca') || (f.dst.labels.app ?? '').endsWith('es')],
    [{ srcIp: '10.9.0.0/24' }, (f) => inCidr(f.src.ip, '10.9.0.0/24')],
    [{ srcIp: '10.244.1.5' }, (f) => f.src.ip === '10.244.1.5'],
    [{ dstIp: '10.8.1.0/24' }, (f) => inCidr(f.dst.ip, '10.8.1.0/24')],
    [{ srcPort: '30003' }, (f) => f.src.port === 30003],
    [{ dstPort: '443' }, (f) => f.dst.port === 443],
    [{ protocol: 'udp' }, (f) => f.protocol === 'udp'],
    [{ protocol: '1' }, (f) => f.protocol === 'icmp'],
    [{ reporter: 'src' }, (f) => f.reporter === 'src'],
    [{ policy: 'NetworkPolicy/payments/default.deny-web' }, (f) => f.decision.policy === 'NetworkPolicy/payments/default.deny-web'],
    [{ tier: 'default' }, (f) => f.decision.tier === 'default'],
    [{ ruleIndex: '3' }, (f) => f.decision.ruleIndex === 3],
    [{ decisionKind: 'rule' }, (f) => f.decision.kind === 'rule'],
    [{ verdictMismatch: 'true' }, (f) => f.flags.verdictMismatch],
    [{ pendingVerdictDiffers: 'true' }, (f) => f.computed.pendingVerdict !== '' && f.computed.verdict !== '' && f.computed.pendingVerdict !== f.computed.verdict],
    [{ pendingVerdictDiffers: 'false' }, (f) => !(f.computed.pendingVerdict !== '' && f.computed.verdict !== '' && f.computed.pendingVerdict !== f.computed.verdict)],
    [{ unknownEndpoint: 'true' }, (f) => f.flags.unknownEndpoint],
    [{ unknownEndpoint: 'false', action: 'allow' }, (f) => !f.flags.unknownEndpoint && f.action === 'allow'],
  ];

  it('each filter returns exactly the flows it describes, in search and stats', async () => {
    for (const [q, keep] of cases) {
      const expected = all.filter(keep).map((f) => f.id).sort();
      assert.ok(expected.length > 0 && expected.length < N, `${JSON.stringify(q)} must select some flows and not all (${expected.length})`);
      const res = await t.http().get('/api/v1/flows').query({ ...window, ...q, limit: 1000 }).expect(200);
      assert.deepEqual(res.body.items.map((f: Flow) => f.id).sort(), expected, `search ${JSON.stringify(q)}`);
      const stats = await t.http().get('/api/v1/stats/decisions').query({ ...window, ...q }).expect(200);
      assert.equal(stats.body.groups[0]?.records ?? 0, expected.length, `stats ${JSON.stringify(q)}`);
      const series = await t.http().get('/api/v1/stats/timeseries').query({ ...window, ...q, interval: 60 }).expect(200);
      assert.equal(series.body.buckets.reduce((n: number, b: { records: number }) => n + b.records, 0), expected.length, `time series ${JSON.stringify(q)}`);
    }
  });

  it('says when a count comes from whole-minute rollups and when from the stored flows', async () => {
    const rollup = await t.http().get('/api/v1/stats/decisions').query({ from: '2026-11-26T06:00:10.500Z', to: '2026-11-26T06:00:20Z', action: 'deny' }).expect(200);
    assert.deepEqual(rollup.body.range, { from: '2026-11-26T06:00:00.000Z', to: '2026-11-26T06:01:00.000Z', roundedToMinutes: true });
    const raw = await t.http().get('/api/v1/stats/decisions').query({ from: '2026-11-26T06:00:10.500Z', to: '2026-11-26T06:00:20Z', srcPort: '30003' }).expect(200);
    assert.deepEqual(raw.body.range, { from: '2026-11-26T06:00:10.500Z', to: '2026-11-26T06:00:20.000Z', roundedToMinutes: false });
    const exact = all.filter((f) => f.src.port === 30003 && Date.parse((f as unknown as { startTime: string }).startTime) >= Date.parse('2026-11-26T06:00:10.500Z') && Date.parse((f as unknown as { startTime: string }).startTime) < Date.parse('2026-11-26T06:00:20Z'));
    assert.equal(raw.body.groups[0].records, exact.length);
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    assert.match(JSON.stringify(doc.components.schemas.CoveredRangeDto), /whole minutes/);
  });

  it('pages without gaps or repeats while new flows arrive', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let arrivals = 0;
    do {
      const res = await t.http().get('/api/v1/flows').query({ ...window, limit: 5, ...(cursor ? { cursor } : {}) }).expect(200);
      seen.push(...res.body.items.map((f: Flow) => f.id));
      cursor = res.body.nextCursor;
      // New flows land while the client pages: newer than every page, and one late one in the middle.
      await seedFlows(t.app, [flowRecord(BASE + 100_000 + arrivals * 1000), flowRecord(BASE + 500 + arrivals)], 'arrivals');
      arrivals++;
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length, 'no repeats');
    for (const f of all) assert.ok(seen.includes(f.id), `${f.id} not skipped`);
    const fresh = await t.http().get('/api/v1/flows').query({ ...window, limit: 1 }).expect(200);
    assert.match(fresh.body.items[0].id, /^arrivals\//, 'the newest arrival is on a fresh first page');
  });

  it('shows one flow with its traces, the deciding rule and the engine\'s evaluation', async () => {
    const flow = all.find((f) => f.src.ip === '10.244.1.5' && f.dst.ip === '10.244.2.7' && f.protocol === 'tcp')!;
    const res = await t.http().get(`/api/v1/flows/${encodeURIComponent(flow.id)}`).expect(200);
    assert.equal(res.body.id, flow.id);
    assert.equal(res.body.trace.source, 'computed');
    assert.ok(res.body.trace.hits.length > 0);
    assert.deepEqual(res.body.decision, (await t.http().get('/api/v1/flows').query({ ...window, limit: 1000 })).body.items.find((f: Flow) => f.id === flow.id).decision);
    assert.equal(res.body.computedEvaluation.source.name, 'web-1');
    assert.equal(res.body.computedEvaluation.destination.name, 'pg-0');
    // The stored verdict is the reporting side's: egress for a source reporter, ingress for a destination one.
    const side = res.body.reporter === 'src' ? 'egress' : 'ingress';
    assert.equal(res.body.computedEvaluation[side].enforced.decision.verdict, res.body.computed.verdict, JSON.stringify(res.body.computedEvaluation[side].enforced.decision));
    if (res.body.decision.kind === 'rule') assert.equal(typeof res.body.decidingRule, 'object');
    await t.http().get('/api/v1/flows/seed%2F999%2F0%2F0').expect(404);
    await t.http().get('/api/v1/flows/not-an-id').expect(404);
  });

  it('answers a bad value of every parameter with 400 naming it', async () => {
    const bad: Array<[string, string]> = [
      ['action', 'drop'], ['namespace', 'x'.repeat(300)], ['ip', '10.0.0.256'], ['ip', '10.0.0.0/33'], ['srcNamespace', 'x'.repeat(300)],
      ['dstNamespace', 'x'.repeat(300)], ['srcName', 'x'.repeat(300)], ['dstName', 'x'.repeat(300)], ['srcSelector', 'app = "x"'],
      ['dstSelector', 'has(app'], ['srcIp', 'host.local'], ['dstIp', '::g'], ['srcPort', '65536'], ['dstPort', '-1'], ['dstPort', 'http'],
      ['protocol', 'tcpp'], ['protocol', '256'], ['reporter', 'both'], ['policy', 'x'.repeat(700)], ['tier', 'x'.repeat(300)],
      ['ruleIndex', '-3'], ['ruleIndex', 'one'], ['decisionKind', 'magic'], ['verdictMismatch', 'yes'], ['pendingVerdictDiffers', '1x'],
      ['unknownEndpoint', 'maybe'], ['from', 'yesterday'], ['to', '2026-13-01T00:00:00Z'], ['limit', '0'], ['limit', '1001'], ['cursor', '!!'],
    ];
    for (const [field, value] of bad) {
      const res = await t.http().get('/api/v1/flows').query({ [field]: value }).expect(400);
      assert.deepEqual(res.body.details.map((d: { field: string }) => d.field), [field], `${field}=${value}: ${JSON.stringify(res.body)}`);
      if (field !== 'limit' && field !== 'cursor') {
        const stats = await t.http().get('/api/v1/stats/decisions').query({ [field]: value }).expect(400);
        assert.deepEqual(stats.body.details.map((d: { field: string }) => d.field), [field], `stats ${field}=${value}`);
      }
    }
  });
});
