import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reportedEndpoint } from '../../src/flows/flow-record';
import { flowRecord, seedFlows } from '../support/flow-seed';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const MAIN = join(__dirname, '..', '..', 'src', 'main.js');
const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', name), 'utf8');
const ADMIN = 'bootstrap-admin-key-for-tests-0123456789';
const BASE = Date.parse('2026-11-26T06:00:00Z');
const window = { from: '2026-11-26T05:00:00Z', to: '2026-11-26T07:00:00Z' };
const RATE_LIMIT = 60;

describe('access control (API keys, roles, namespace scope)', () => {
  let t: TestApp;
  const keys: Record<string, { id: string; secret: string }> = {};
  const as = (who: string) => ({ Authorization: `Bearer ${who === 'admin' ? ADMIN : keys[who].secret}` });

  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_AUTH: 'on', FLOWSCOPE_ADMIN_KEY: ADMIN, FLOWSCOPE_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) }));
    await t.http().post('/api/v1/inventory').set(as('admin')).query({ validFrom: '2026-11-26T00:00:00Z' }).set('content-type', 'application/yaml').send(fixture('shop-cluster.yaml')).expect(200);
    // shop -> db (both in the inventory), and payments <-> orders (not in it).
    await seedFlows(t.app, [
      ...Array.from({ length: 4 }, (_, i) =>
        flowRecord(BASE + i * 1000, { srcIp: '10.244.1.5', dstIp: '10.244.2.7', dstPort: 5432, src: reportedEndpoint({ namespace: 'shop', name: 'web-1' }), dst: reportedEndpoint({ namespace: 'db', name: 'pg-0' }) }),
      ),
      ...Array.from({ length: 6 }, (_, i) =>
        flowRecord(BASE + 10_000 + i * 1000, {
          action: 'deny',
          src: reportedEndpoint({ namespace: 'orders', name: 'o-1' }),
          dst: reportedEndpoint({ namespace: 'payments', name: 'p-1' }),
          enforcedHits: ['0|default|payments/default.deny-orders|deny|0'],
        }),
      ),
    ]);
    for (const [name, role, namespaces] of [
      ['viewer', 'viewer', undefined],
      ['auditor', 'auditor', undefined],
      ['admin2', 'admin', undefined],
      ['shopViewer', 'viewer', ['shop']],
      ['shopAdmin', 'admin', ['shop']],
      ['shopAuditor', 'auditor', ['shop']],
      ['limited', 'viewer', undefined],
    ] as const) {
      const res = await t.http().post('/api/v1/keys').set(as('admin')).send({ name, role, ...(namespaces ? { namespaces } : {}) }).expect(201);
      assert.equal(res.body.name, name);
      assert.equal(res.body.role, role);
      assert.deepEqual(res.body.namespaces, namespaces ?? null);
      assert.match(res.body.secret, /^fsk_[A-Za-z0-9_-]{43}$/);
      keys[name] = { id: res.body.id, secret: res.body.secret };
    }
  });
  after(async () => t?.close());

  it('401 without a key or with a wrong one, in the one error body', async () => {
    const none = await t.http().get('/api/v1/flows').expect(401);
    assert.equal(none.body.statusCode, 401);
    assert.equal(none.body.error, 'Unauthorized');
    assert.equal(none.body.path, '/api/v1/flows');
    assert.match(none.headers['www-authenticate'], /^Bearer/);
    await t.http().get('/api/v1/flows').set('Authorization', 'Bearer fsk_not-a-key').expect(401);
    await t.http().get('/api/v1/flows').set('Authorization', `Basic ${Buffer.from(`x:${ADMIN}`).toString('base64')}`).expect(401);
    await t.http().post('/api/v1/explain').send({}).expect(401);
  });

  it('health, the API docs and the bearer scheme need no key', async () => {
    await t.http().get('/health/live').expect(200);
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    assert.equal(doc.components.securitySchemes.bearer.type, 'http');
    assert.equal(doc.components.securitySchemes.bearer.scheme, 'bearer');
    assert.equal(doc.components.securitySchemes.bearer.bearerFormat, 'flowscope API key');
    assert.deepEqual(doc.security, [{ bearer: [] }]);
    assert.ok(doc.paths['/api/v1/keys'].post);
    assert.ok(doc.paths['/api/v1/keys/{id}'].delete);
  });

  it('viewer reads; inventory writes and key management need admin (403 in the error body)', async () => {
    await t.http().get('/api/v1/flows').set(as('viewer')).query(window).expect(200);
    await t.http().get('/api/v1/stats/decisions').set(as('viewer')).query(window).expect(200);
    await t.http().get('/api/v1/inventory').set(as('viewer')).expect(200);
    const write = await t.http().post('/api/v1/inventory').set(as('viewer')).set('content-type', 'application/yaml').send(fixture('shop-pg-policy.yaml')).expect(403);
    assert.equal(write.body.statusCode, 403);
    assert.equal(write.body.error, 'Forbidden');
    assert.match(write.body.message, /admin role/);
    await t.http().delete('/api/v1/inventory/Tier/security').set(as('auditor')).expect(403);
    await t.http().post('/api/v1/keys').set(as('auditor')).send({ name: 'x', role: 'admin' }).expect(403);
    await t.http().get('/api/v1/keys').set(as('viewer')).expect(403);
    await t.http().get('/api/v1/keys').set(as('admin2')).expect(200);
  });

  it('exports and the export log need auditor; a limited auditor exports and sees only its own', async () => {
    const csv = (who: string, q: object = {}) => t.http().get('/api/v1/exports/flows').set(as(who)).query({ ...window, action: 'allow', ...q });
    const viewer = await csv('viewer').expect(403);
    assert.match(viewer.body.message, /auditor role/);
    await t.http().get('/api/v1/exports').set(as('viewer')).expect(403);
    await t.http().get('/api/v1/exports/flows').query(window).expect(401);
    const all = await csv('auditor').expect(200);
    assert.equal(all.text.trim().split('\r\n').length - 1, 4);
    const shop = await csv('shopAuditor', { action: 'deny' }).expect(200);
    assert.equal(shop.text.trim().split('\r\n').length, 1, 'only the header: the denied flows are payments / orders');
    await csv('shopAuditor', { dstNamespace: 'payments' }).expect(403);
    const ownLog = await t.http().get('/api/v1/exports').set(as('shopAuditor')).expect(200);
    assert.deepEqual([...new Set(ownLog.body.items.map((e: { keyName: string }) => e.keyName))], ['shopAuditor']);
    const fullLog = await t.http().get('/api/v1/exports').set(as('auditor')).expect(200);
    assert.deepEqual(new Set(fullLog.body.items.map((e: { keyName: string }) => e.keyName)), new Set(['auditor', 'shopAuditor']));
    const other = fullLog.body.items.find((e: { keyName: string }) => e.keyName === 'auditor');
    await t.http().get(`/api/v1/exports/${other.id}/manifest`).set(as('shopAuditor')).expect(404);
    await t.http().get(`/api/v1/exports/${other.id}/manifest`).set(as('admin')).expect(200);
  });

  it('flow detail by id: 404 for a flow outside the key\'s namespaces', async () => {
    const all = await t.http().get('/api/v1/flows').set(as('viewer')).query({ ...window, limit: 1000 }).expect(200);
    const payments = all.body.items.find((f: { dst: { namespace: string } }) => f.dst.namespace === 'payments');
    const shop = all.body.items.find((f: { src: { namespace: string } }) => f.src.namespace === 'shop');
    await t.http().get(`/api/v1/flows/${encodeURIComponent(payments.id)}`).set(as('viewer')).expect(200);
    await t.http().get(`/api/v1/flows/${encodeURIComponent(payments.id)}`).set(as('shopViewer')).expect(404);
    await t.http().get(`/api/v1/flows/${encodeURIComponent(shop.id)}`).set(as('shopViewer')).expect(200);
  });

  it('a namespace-limited admin cannot manage keys or write the inventory (it could widen its own reach)', async () => {
    await t.http().get('/api/v1/keys').set(as('shopAdmin')).expect(403);
    await t.http().post('/api/v1/keys').set(as('shopAdmin')).send({ name: 'escalate', role: 'admin' }).expect(403);
    await t.http().post('/api/v1/inventory').set(as('shopAdmin')).set('content-type', 'application/yaml').send(fixture('shop-pg-policy.yaml')).expect(403);
  });

  it('lists keys without secrets or hashes', async () => {
    const res = await t.http().get('/api/v1/keys').set(as('admin')).expect(200);
    const names = res.body.items.map((k: { name: string }) => k.name);
    for (const n of Object.keys(keys)) assert.ok(names.includes(n), n);
    const text = JSON.stringify(res.body);
    for (const k of Object.values(keys)) assert.ok(!text.includes(k.secret));
    assert.ok(res.body.items.every((k: object) => Object.keys(k).sort().join() === 'createdAt,id,name,namespaces,role'));
  });

  it('a namespace-limited key sees only flows involving its namespaces', async () => {
    const all = await t.http().get('/api/v1/flows').set(as('viewer')).query({ ...window, limit: 1000 }).expect(200);
    assert.equal(all.body.items.length, 10);
    const scoped = await t.http().get('/api/v1/flows').set(as('shopViewer')).query({ ...window, limit: 1000 }).expect(200);
    assert.equal(scoped.body.items.length, 4);
    assert.ok(scoped.body.items.every((f: { src: { namespace: string } }) => f.src.namespace === 'shop'));
    const otherFilters = await t.http().get('/api/v1/flows').set(as('shopViewer')).query({ ...window, action: 'deny' }).expect(200);
    assert.equal(otherFilters.body.items.length, 0);
    const outside = await t.http().get('/api/v1/flows').set(as('shopViewer')).query({ ...window, namespace: 'payments' }).expect(403);
    assert.deepEqual(outside.body.details.map((d: { field: string }) => d.field), ['namespace']);
  });

  it('a namespace-limited key gets counts and hits of its namespaces only', async () => {
    const total = await t.http().get('/api/v1/stats/decisions').set(as('shopViewer')).query(window).expect(200);
    assert.equal(total.body.groups[0].records, 4);
    const byNs = await t.http().get('/api/v1/stats/decisions').set(as('shopViewer')).query({ ...window, groupBy: 'srcNamespace,dstNamespace,policy' }).expect(200);
    assert.deepEqual(byNs.body.groups.map((g: { key: object }) => g.key), [{ srcNamespace: 'shop', dstNamespace: 'db', policy: byNs.body.groups[0].key.policy }]);
    const series = await t.http().get('/api/v1/stats/timeseries').set(as('shopViewer')).query({ ...window, interval: 60 }).expect(200);
    assert.equal(series.body.buckets.reduce((n: number, b: { records: number }) => n + b.records, 0), 4);
    const hitsAll = await t.http().get('/api/v1/stats/hits').set(as('viewer')).query(window).expect(200);
    assert.ok(hitsAll.body.groups.some((g: { key: { policy: string } }) => g.key.policy === 'NetworkPolicy/payments/default.deny-orders'));
    const hitsScoped = await t.http().get('/api/v1/stats/hits').set(as('shopViewer')).query(window).expect(200);
    assert.ok(hitsScoped.body.groups.length > 0);
    assert.ok(hitsScoped.body.groups.every((g: { key: { policy: string } }) => !g.key.policy.includes('payments')), JSON.stringify(hitsScoped.body));
    await t.http().get('/api/v1/stats/decisions').set(as('shopViewer')).query({ ...window, namespace: 'orders' }).expect(403);
    await t.http().get('/api/v1/stats/timeseries').set(as('shopViewer')).query({ ...window, namespace: 'orders' }).expect(403);
  });

  it('a namespace-limited key reads only the inventory of its namespaces', async () => {
    const all = await t.http().get('/api/v1/inventory').set(as('viewer')).expect(200);
    assert.ok(all.body.items.some((i: { namespace: string }) => i.namespace === 'db'));
    const scoped = await t.http().get('/api/v1/inventory').set(as('shopViewer')).expect(200);
    assert.ok(scoped.body.items.length > 0);
    assert.ok(scoped.body.items.every((i: { namespace: string }) => i.namespace === 'shop'), JSON.stringify(scoped.body.items.map((i: { key: string }) => i.key)));
    await t.http().get('/api/v1/inventory').set(as('shopViewer')).query({ namespace: 'db' }).expect(403);
  });

  it('a namespace-limited key explains only flows involving its namespaces', async () => {
    const body = { source: { namespace: 'shop', name: 'web-1' }, destination: { ip: '10.244.2.7' }, protocol: 'tcp', port: 5432 };
    await t.http().post('/api/v1/explain').set(as('shopViewer')).send(body).expect(200);
    const other = await t.http().post('/api/v1/explain').set(as('shopViewer')).send({ ...body, source: { namespace: 'db', name: 'pg-0' } }).expect(403);
    assert.deepEqual(other.body.details.map((d: { field: string }) => d.field), ['source', 'destination']);
  });

  it('a namespace-limited key sees policy activity of its namespaces only', async () => {
    const key = encodeURIComponent('NetworkPolicy/payments/default.deny-orders');
    const all = await t.http().get(`/api/v1/policies/${key}/activity`).set(as('viewer')).query(window).expect(200);
    assert.equal(all.body.rules.find((r: { ruleIndex: number }) => r.ruleIndex === 0).hits, 6);
    const other = await t.http().get(`/api/v1/policies/${key}/activity`).set(as('shopViewer')).query(window).expect(403);
    assert.deepEqual(other.body.details.map((d: { field: string }) => d.field), ['key']);
    const baseline = encodeURIComponent('GlobalNetworkPolicy//security.baseline');
    const scoped = (await t.http().get(`/api/v1/policies/${baseline}/activity`).set(as('shopViewer')).query(window).expect(200)).body;
    assert.ok(scoped.topPeers.length > 0);
    assert.ok(scoped.topPeers.every((p: { srcNamespace: string; dstNamespace: string }) => p.srcNamespace === 'shop' || p.dstNamespace === 'shop'));
  });

  it('metrics need a key without a namespace limit', async () => {
    await t.http().get('/metrics').expect(401);
    await t.http().get('/metrics').set(as('shopViewer')).expect(403);
    await t.http().get('/metrics').set(as('viewer')).expect(200);
  });

  it('rejects a bad key request naming the field', async () => {
    const role = await t.http().post('/api/v1/keys').set(as('admin')).send({ name: 'x', role: 'root' }).expect(400);
    assert.deepEqual(role.body.details.map((d: { field: string }) => d.field), ['role']);
    const ns = await t.http().post('/api/v1/keys').set(as('admin')).send({ name: 'x', role: 'viewer', namespaces: ['Not A Namespace'] }).expect(400);
    assert.deepEqual(ns.body.details.map((d: { field: string }) => d.field), ['namespaces']);
    const name = await t.http().post('/api/v1/keys').set(as('admin')).send({ role: 'viewer' }).expect(400);
    assert.deepEqual(name.body.details.map((d: { field: string }) => d.field), ['name']);
    await t.http().delete('/api/v1/keys/no-such-key').set(as('admin')).expect(404);
  });

  it('a revoked key stops working at once; the others keep working', async () => {
    const res = await t.http().post('/api/v1/keys').set(as('admin')).send({ name: 'short-lived', role: 'viewer' }).expect(201);
    const key = { Authorization: `Bearer ${res.body.secret}` };
    await t.http().get('/api/v1/flows').set(key).expect(200);
    await t.http().delete(`/api/v1/keys/${res.body.id}`).set(as('admin')).expect(204);
    await t.http().get('/api/v1/flows').set(key).expect(401);
    const list = await t.http().get('/api/v1/keys').set(as('admin')).expect(200);
    assert.ok(!list.body.items.some((k: { id: string }) => k.id === res.body.id));
    await t.http().delete(`/api/v1/keys/${res.body.id}`).set(as('admin')).expect(404);
    await t.http().get('/api/v1/flows').set(as('viewer')).expect(200);
  });

  it('limits the request rate per key (429 in the error body), not across keys', async () => {
    let status = 0;
    for (let i = 0; i <= RATE_LIMIT && status !== 429; i++) status = (await t.http().get('/api/v1/inventory').set(as('limited'))).status;
    assert.equal(status, 429);
    const res = await t.http().get('/api/v1/inventory').set(as('limited')).expect(429);
    assert.equal(res.body.statusCode, 429);
    await t.http().get('/api/v1/inventory').set(as('auditor')).expect(200);
  });
});

describe('start-up with access control', () => {
  it('refuses to start with auth on and no key at all, naming both settings (exit 78)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowscope-auth-'));
    try {
      const run = spawnSync(process.execPath, [MAIN], {
        env: { PATH: process.env.PATH, FLOWSCOPE_DATA_DIR: dir, FLOWSCOPE_HTTP_PORT: '0', FLOWSCOPE_INGEST_ENABLED: 'false', FLOWSCOPE_LOG_LEVEL: 'error' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(run.status, 78, run.stderr);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0], /FLOWSCOPE_AUTH/);
      assert.match(lines[0], /FLOWSCOPE_ADMIN_KEY/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never echoes the admin key in a configuration error', () => {
    const run = spawnSync(process.execPath, [MAIN], { env: { PATH: process.env.PATH, FLOWSCOPE_ADMIN_KEY: 'short-secret' }, encoding: 'utf8', timeout: 20_000 });
    assert.equal(run.status, 78);
    assert.match(run.stderr, /FLOWSCOPE_ADMIN_KEY=\(hidden\) must be at least 16 characters/);
    assert.ok(!run.stderr.includes('short-secret'));
  });
});
