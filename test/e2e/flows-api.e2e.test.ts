import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AttributionService } from '../../src/attribution/attribution.service';
import { FlowRecord, reportedEndpoint } from '../../src/flows/flow-record';
import { FlowRepository } from '../../src/storage/flow.repository';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const BASE = Date.parse('2026-11-26T06:00:00Z');

function record(i: number, over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    startTime: BASE + i * 1000,
    endTime: BASE + i * 1000 + 500,
    action: i % 3 === 0 ? 'deny' : 'allow',
    reporter: 'dst',
    protocol: 'tcp',
    srcIp: `10.0.0.${i + 1}`,
    srcPort: 30000 + i,
    dstIp: '10.1.0.1',
    dstPort: 443,
    src: reportedEndpoint({ namespace: 'frontend', name: `web-${i}` }),
    dst: reportedEndpoint({ namespace: i % 2 === 0 ? 'payments' : 'orders', name: 'api-0' }),
    node: 'node-1',
    numFlows: 1,
    numFlowsStarted: 1,
    numFlowsCompleted: 0,
    packetsIn: 10,
    packetsOut: 12,
    bytesIn: 1000 + i,
    bytesOut: 2000,
    enforcedHits: [i % 3 === 0 ? '0|default|payments/default.deny-web|deny|0' : '0|default|payments/default.allow-web|allow|0'],
    pendingHits: [],
    ...over,
  };
}

describe('GET /api/v1/flows (embedded ClickHouse)', () => {
  let t: TestApp;
  const window = { from: '2026-11-26T05:00:00Z', to: '2026-11-26T07:00:00Z' };

  before(async () => {
    t = await startTestApp(testConfig());
    const repo = t.app.get(FlowRepository);
    const attribution = t.app.get(AttributionService, { strict: false });
    const rows = Array.from({ length: 30 }, (_, i) =>
      attribution.attribute(record(i, i === 7 ? { dst: reportedEndpoint({ namespace: 'orders', name: "odd\tname'with\\quotes\nand lines" }) } : {}), {
        format: 'flowscope',
        topic: 'seed',
        partition: 0,
        offset: String(i),
        index: 0,
      }),
    );
    await repo.insert(rows, 'seed:0:0-29');
    // The same batch again, as a retry after a lost commit would send it: stored once.
    await repo.insert(rows, 'seed:0:0-29');
  });
  after(async () => t?.close());

  it('returns flows in the range, newest first, with every field', async () => {
    const res = await t.http().get('/api/v1/flows').query({ ...window, limit: 1000 }).expect(200);
    assert.equal(res.body.items.length, 30, 'the retried insert must not be stored twice');
    assert.equal(res.body.nextCursor, undefined);
    const first = res.body.items[0];
    assert.equal(first.startTime, '2026-11-26T06:00:29.000Z');
    assert.equal(first.endTime, '2026-11-26T06:00:29.500Z');
    assert.equal(first.src.ip, '10.0.0.30');
    assert.equal(first.src.name, 'web-29');
    assert.equal(first.dst.port, 443);
    assert.equal(first.bytesIn, 1029);
    assert.deepEqual(first.reported.enforced, ['0|default|payments/default.allow-web|allow|0']);
    assert.equal(first.reported.verdict, 'allow');
    assert.equal(first.decision.policy, 'NetworkPolicy/payments/default.allow-web');
    assert.equal(first.decision.source, 'reported');
    assert.equal(first.flags.unknownPolicy, true, 'the inventory is empty, so the reported policy is unknown');
    assert.equal(first.flags.unknownEndpoint, true);
    assert.equal(first.id, 'seed/0/29/0');
  });

  it('filters by action and by namespace on either side', async () => {
    const denied = await t.http().get('/api/v1/flows').query({ ...window, action: 'deny', limit: 1000 }).expect(200);
    assert.equal(denied.body.items.length, 10);
    assert.ok(denied.body.items.every((f: { action: string }) => f.action === 'deny'));
    const payments = await t.http().get('/api/v1/flows').query({ ...window, namespace: 'payments', limit: 1000 }).expect(200);
    assert.equal(payments.body.items.length, 15);
    const byPolicy = await t.http().get('/api/v1/flows').query({ ...window, policy: 'NetworkPolicy/payments/default.deny-web', limit: 1000 }).expect(200);
    assert.equal(byPolicy.body.items.length, 10);
    const byIp = await t.http().get('/api/v1/flows').query({ ...window, ip: '10.0.0.5' }).expect(200);
    assert.deepEqual(byIp.body.items.map((f: { src: { name: string } }) => f.src.name), ['web-4']);
    const frontend = await t.http().get('/api/v1/flows').query({ ...window, namespace: 'frontend', limit: 1000 }).expect(200);
    assert.equal(frontend.body.items.length, 30, 'source namespace matches too');
  });

  it('keeps every character of a stored string (tabs, quotes, backslashes, newlines)', async () => {
    const res = await t.http().get('/api/v1/flows').query({ ...window, ip: '10.0.0.8' }).expect(200);
    assert.equal(res.body.items[0].dst.name, "odd\tname'with\\quotes\nand lines");
  });

  it('honours the time range (from inclusive, to exclusive)', async () => {
    const res = await t.http().get('/api/v1/flows').query({ from: '2026-11-26T06:00:10Z', to: '2026-11-26T06:00:20Z' }).expect(200);
    assert.deepEqual(res.body.items.map((f: { src: { name: string } }) => f.src.name), Array.from({ length: 10 }, (_, i) => `web-${19 - i}`));
  });

  it('pages by cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await t.http().get('/api/v1/flows').query({ ...window, limit: 7, ...(cursor ? { cursor } : {}) }).expect(200);
      seen.push(...res.body.items.map((f: { id: string }) => f.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    assert.equal(seen.length, 30);
    assert.equal(new Set(seen).size, 30);
  });

  it('answers a bad request with 400 naming the field, in the one error shape', async () => {
    const res = await t.http().get('/api/v1/flows').query({ limit: 0, action: 'drop' }).expect(400);
    assert.equal(res.body.statusCode, 400);
    assert.equal(res.body.error, 'Bad Request');
    assert.deepEqual(res.body.details.map((d: { field: string }) => d.field).sort(), ['action', 'limit']);
    assert.equal(res.body.path, '/api/v1/flows?limit=0&action=drop');
    const range = await t.http().get('/api/v1/flows').query({ from: window.to, to: window.from }).expect(400);
    assert.equal(range.body.details[0].field, 'from');
    const cursor = await t.http().get('/api/v1/flows').query({ cursor: 'bm9wZQ' }).expect(400);
    assert.equal(cursor.body.details[0].field, 'cursor');
    const unknown = await t.http().get('/api/v1/flows').query({ colour: 'red' }).expect(400);
    assert.equal(unknown.body.details[0].field, 'colour');
  });

  it('serves liveness and the OpenAPI document', async () => {
    assert.deepEqual((await t.http().get('/health/live').expect(200)).body, { status: 'ok' });
    const doc = await t.http().get('/docs-json').expect(200);
    for (const path of ['/api/v1/flows', '/api/v1/stats/decisions', '/api/v1/stats/hits', '/api/v1/stats/timeseries', '/api/v1/inventory', '/health/ready', '/metrics']) {
      assert.ok(doc.body.paths[path]?.get, `GET ${path} documented`);
    }
    assert.ok(doc.body.paths['/api/v1/explain'].post.responses['200'].content['application/json'].schema.$ref.endsWith('/ExplanationDto'));
    assert.ok(doc.body.components.schemas.ApiErrorBody, 'the one error body is documented');
    assert.match((await t.http().get('/docs').expect(200)).text, /swagger/i);
    const notFound = await t.http().get('/api/v1/nothing').expect(404);
    assert.equal(notFound.body.statusCode, 404);
  });
});
