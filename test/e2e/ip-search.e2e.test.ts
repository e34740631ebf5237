import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as ipaddr from 'ipaddr.js';
import { reportedEndpoint } from '../../src/flows/flow-record';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { ipAccess } from '../../src/storage/ip-index';
import { flowRecord, seedFlows } from '../support/flow-seed';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const ADMIN = 'bootstrap-admin-key-for-ip-tests-0123456789';
const BASE = Date.parse('2026-11-26T06:00:00Z');
const window = { from: '2026-11-26T05:00:00Z', to: '2026-11-26T09:00:00Z' };
const N = 120;

interface Flow { id: string; startTime: string; src: { ip: string; namespace: string }; dst: { ip: string; namespace: string } }

/** Addresses of both families on both sides, spread over three hours and three namespaces; some records carry no address. */
function records() {
  return Array.from({ length: N }, (_, i) => {
    const srcIp = i % 11 === 0 ? '' : [`10.1.${i % 3}.${i}`, `fd00:a::${(i % 5).toString(16)}`, '192.168.7.9'][i % 3];
    const dstIp = [`fd00:b::${(i % 4).toString(16)}:1`, `10.2.${i % 2}.${i % 7}`, '192.168.7.9', `2001:db8::${i.toString(16)}`][i % 4];
    return flowRecord(BASE + i * 90_000, {
      action: i % 4 === 0 ? 'deny' : 'allow',
      srcIp,
      dstIp,
      src: reportedEndpoint({ namespace: ['shop', 'db', 'edge'][i % 3], name: `s-${i}` }),
      dst: reportedEndpoint({ namespace: ['db', 'edge', 'shop'][(i >> 1) % 3], name: `d-${i}` }),
    });
  });
}

function matches(ip: string, q: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  if (!q.includes('/')) return ipaddr.parse(ip).toString() === ipaddr.parse(q).toString();
  const addr = ipaddr.parse(ip);
  const [net, bits] = ipaddr.parseCIDR(q);
  return addr.kind() === net.kind() && addr.match([net, bits]);
}

describe('search by IP address and CIDR (IPv4 and IPv6, either side, source, destination, namespace scope)', () => {
  let t: TestApp;
  let all: Flow[];
  let shopKey: string;
  const admin = { Authorization: `Bearer ${ADMIN}` };

  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_AUTH: 'on', FLOWSCOPE_ADMIN_KEY: ADMIN, FLOWSCOPE_RATE_LIMIT_PER_MINUTE: '100000' }));
    await seedFlows(t.app, records().slice(0, 70));
    await seedFlows(t.app, records().slice(70));
    all = (await t.http().get('/api/v1/flows').set(admin).query({ ...window, limit: 1000 }).expect(200)).body.items;
    assert.equal(all.length, N);
    shopKey = (await t.http().post('/api/v1/keys').set(admin).send({ name: 'shop', role: 'auditor', namespaces: ['shop'] }).expect(201)).body.secret;
  });
  after(async () => t?.close());

  const queries: Array<[string, string, (f: Flow, v: string) => boolean]> = [];
  for (const v of ['192.168.7.9', '10.1.2.5', 'fd00:a::3', 'fd00:b:0:0:0:0:2:1', '10.1.0.0/16', '10.2.1.0/24', 'fd00:a::/64', '2001:db8::/120', '192.168.7.9/32']) {
    queries.push(['ip', v, (f, x) => matches(f.src.ip, x) || matches(f.dst.ip, x)]);
    queries.push(['srcIp', v, (f, x) => matches(f.src.ip, x)]);
    queries.push(['dstIp', v, (f, x) => matches(f.dst.ip, x)]);
  }

  it('finds exactly the flows with the address, across pages, in search, stats and exports', async () => {
    let nonEmpty = 0;
    for (const [param, value, keep] of queries) {
      const expected = all.filter((f) => keep(f, value)).map((f) => f.id);
      if (expected.length) nonEmpty++;
      const what = `${param}=${value}`;
      // Newest first, paged by 7 so a page boundary falls inside the matches.
      const got: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        const res = await t.http().get('/api/v1/flows').set(admin).query({ ...window, [param]: value, limit: 7, ...(cursor ? { cursor } : {}) }).expect(200);
        got.push(...res.body.items.map((f: Flow) => f.id));
        cursor = res.body.nextCursor;
        if (!cursor) break;
      }
      assert.deepEqual(got, expected, `search ${what}`);
      const stats = await t.http().get('/api/v1/stats/decisions').set(admin).query({ ...window, [param]: value }).expect(200);
      assert.equal(stats.body.groups[0]?.records ?? 0, expected.length, `stats ${what}`);
      const csv = await t.http().get('/api/v1/exports/flows').set(admin).query({ ...window, action: 'allow', [param]: value, format: 'csv' }).expect(200);
      const allowed = all.filter((f) => keep(f, value) && (f as unknown as { action: string }).action === 'allow');
      assert.equal(csv.text.split('\r\n').filter(Boolean).length - 1, allowed.length, `export ${what}`);
    }
    assert.ok(nonEmpty >= 15, `most queries must match something (${nonEmpty})`);
  });

  it('a namespace-limited key finds only the flows of its namespaces', async () => {
    const shop = { Authorization: `Bearer ${shopKey}` };
    for (const [param, value, keep] of queries) {
      const expected = all.filter((f) => keep(f, value) && (f.src.namespace === 'shop' || f.dst.namespace === 'shop')).map((f) => f.id);
      const res = await t.http().get('/api/v1/flows').set(shop).query({ ...window, [param]: value, limit: 1000 }).expect(200);
      assert.deepEqual(res.body.items.map((f: Flow) => f.id), expected, `scoped search ${param}=${value}`);
    }
  });

  it('goes through the per-address table for a narrow address and reads flows directly for a broad range', async () => {
    const ch = t.app.get(ClickHouseAdapter);
    const range = { from: new Date(window.from), to: new Date(window.to), scope: null };
    assert.deepEqual(await ipAccess(ch, { ...range, ip: { ip: '192.168.7.9' }, dst: { ip: { family: 6, first: 'fd00:b::', last: 'fd00:b::ffff:ffff:ffff:ffff' } } }), { either: true, src: false, dst: true });
    // A newest-first page of one exact address reads only that address's newest rows there: no count is asked.
    const query = ch.query.bind(ch);
    let asked = 0;
    ch.query = ((...args: Parameters<ClickHouseAdapter['query']>) => {
      asked++;
      return query(...args);
    }) as ClickHouseAdapter['query'];
    try {
      assert.deepEqual(await ipAccess(ch, { ...range, dst: { ip: { ip: 'fd00:b::1:1' } } }, true), { dst: true });
      assert.equal(asked, 0);
      // Not for a range of addresses, which may hold most of the stored flows.
      assert.deepEqual(await ipAccess(ch, { ...range, ip: { family: 4, first: '10.0.0.0', last: '10.255.255.255' } }, true), { either: true, src: false, dst: false });
      assert.equal(asked, 1);
    } finally {
      ch.query = query;
    }
    // Every address of every stored flow has its row there (records without an address have none).
    const addresses = all.reduce((n, f) => n + (f.src.ip ? 1 : 0) + (f.dst.ip ? 1 : 0), 0);
    const [row] = await ch.query<{ n: string | number }>('SELECT count() AS n FROM flow_ips');
    assert.equal(Number(row.n), addresses);
  });
  it('pages an address search exactly when flows share a time, a sort key, or have the address on both sides', async () => {
    // A later day of its own: 6 flows at each of 8 instants, all with 10.9.9.9 somewhere; within an
    // instant some share namespace and policy (one sort key), some have it as source and destination.
    const day = Date.parse('2026-11-27T06:00:00Z');
    const tied = Array.from({ length: 48 }, (_, i) => {
      const at = day + Math.floor(i / 6) * 60_000;
      const both = i % 6 === 0;
      return flowRecord(at, {
        srcIp: both || i % 2 === 1 ? '10.9.9.9' : `10.8.0.${i}`,
        dstIp: both || i % 2 === 0 ? '10.9.9.9' : `10.7.0.${i}`,
        dst: reportedEndpoint({ namespace: i % 3 === 0 ? 'edge' : 'db', name: `d-${i}` }),
      });
    });
    // Two batches, so rows at one instant sit in different parts.
    await seedFlows(t.app, tied.slice(0, 25));
    await seedFlows(t.app, tied.slice(25));
    const range = { from: '2026-11-27T05:00:00Z', to: '2026-11-27T08:00:00Z' };
    const listed: Flow[] = (await t.http().get('/api/v1/flows').set(admin).query({ ...range, limit: 1000 }).expect(200)).body.items;
    assert.equal(listed.length, 48);
    for (const [param, keep] of [['ip', (f: Flow) => f.src.ip === '10.9.9.9' || f.dst.ip === '10.9.9.9'], ['srcIp', (f: Flow) => f.src.ip === '10.9.9.9'], ['dstIp', (f: Flow) => f.dst.ip === '10.9.9.9']] as const) {
      const expected = listed.filter(keep).map((f) => f.id);
      for (const limit of [1, 4, 5, 7]) {
        const got: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 60; page++) {
          const res = await t.http().get('/api/v1/flows').set(admin).query({ ...range, [param]: '10.9.9.9', limit, ...(cursor ? { cursor } : {}) }).expect(200);
          assert.ok(res.body.items.length <= limit);
          got.push(...res.body.items.map((f: Flow) => f.id));
          cursor = res.body.nextCursor;
          if (!cursor) break;
        }
        assert.deepEqual(got, expected, `${param}=10.9.9.9 paged by ${limit}`);
      }
    }
  });
});
