import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { get, IncomingMessage } from 'node:http';
import { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { reportedEndpoint } from '../../src/flows/flow-record';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { EXPORT_COLUMNS, FlowExportRepository } from '../../src/storage/flow-export.repository';
import { eventually, testConfig } from '../support/test-config';
import { flowRecord, seedFlows } from '../support/flow-seed';
import { startTestApp, TestApp } from '../support/test-app';

const BASE = Date.parse('2026-11-26T06:00:00Z');
const window = { from: '2026-11-26T05:00:00Z', to: '2026-11-26T07:00:00Z' };
const SIGNING_KEY = 'export-signing-key-for-tests';
/** Names a spreadsheet would run as formulas, and names CSV has to quote. */
const TRICKY = ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB', '\rCR', 'a,b', 'say "hi"', 'two\nlines', 'crlf\r\ninside', 'plain'];

function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ res: IncomingMessage; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ res, body: Buffer.concat(parts) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('flow exports (embedded ClickHouse)', () => {
  let t: TestApp;
  let port: number;
  const qs = (q: Record<string, string | number>) => new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString();

  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_EXPORT_SIGNING_KEY: SIGNING_KEY }));
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    await seedFlows(t.app, [
      ...TRICKY.map((name, i) =>
        flowRecord(BASE + i * 1000, {
          action: 'deny',
          src: reportedEndpoint({ namespace: 'frontend', name, labels: { app: name } }),
          dst: reportedEndpoint({ namespace: 'payments', name: 'api-0', labels: { app: 'api' } }),
          srcIp: `10.0.0.${i + 1}`,
          enforcedHits: ['0|default|payments/default.deny-web|deny|0'],
        }),
      ),
      ...Array.from({ length: 5 }, (_, i) => flowRecord(BASE + 20_000 + i * 1000, { action: 'allow', src: reportedEndpoint({ namespace: 'frontend', name: `ok-${i}` }) })),
    ]);
  });
  after(async () => t?.close());

  it('streams denied flows as RFC 4180 CSV with the documented header, cells escaped', async () => {
    const res = await t.http().get('/api/v1/exports/flows').query(window).buffer(true).parse((r, cb) => {
      const parts: Buffer[] = [];
      r.on('data', (d: Buffer) => parts.push(d));
      r.on('end', () => cb(null, Buffer.concat(parts)));
    }).expect(200);
    assert.match(res.headers['content-type'], /^text\/csv/);
    assert.match(res.headers['content-disposition'], /attachment; filename="flows-.*\.csv"/);
    const text = (res.body as Buffer).toString('utf8');
    assert.ok(text.startsWith(`${EXPORT_COLUMNS.map((c) => c.name).join(',')}\r\n`), 'header row, CRLF');
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    assert.equal(rows.length, TRICKY.length, 'deny is the default action');
    const expected = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
    assert.deepEqual(rows.map((r) => r.src_name), TRICKY.map(expected), 'oldest first, every character kept, formulas defused');
    assert.deepEqual(JSON.parse(rows[7].src_labels), { app: 'say "hi"' });
    const first = rows[0];
    assert.equal(first.time, '2026-11-26T06:00:00.000Z');
    assert.equal(first.src_ip, '10.0.0.1');
    assert.equal(first.dst_namespace, 'payments');
    assert.equal(first.dst_port, '443');
    assert.equal(first.protocol, 'tcp');
    assert.equal(first.action, 'deny');
    assert.equal(first.reporter, 'dst');
    assert.equal(first.policy, 'NetworkPolicy/payments/default.deny-web');
    assert.equal(first.rule_index, '0');
    assert.equal(first.decision_kind, 'rule');
    assert.equal(first.policy_order, '', 'an unknown policy has no order: an empty cell, not \\N');
    assert.equal(first.verdict_mismatch, 'false');
    assert.match(first.flow_id, /^seed\/\d+\/0\/0$/);
  });

  it('streams NDJSON when asked by format= or by the Accept header, same rows', async () => {
    for (const req of [
      t.http().get('/api/v1/exports/flows').query({ ...window, format: 'ndjson' }),
      t.http().get('/api/v1/exports/flows').query(window).set('Accept', 'application/x-ndjson'),
    ]) {
      const res = await req.buffer(true).parse((r, cb) => {
        let s = '';
        r.on('data', (d: Buffer) => (s += d.toString()));
        r.on('end', () => cb(null, s));
      }).expect(200);
      assert.match(res.headers['content-type'], /^application\/x-ndjson/);
      const lines = (res.body as string).trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(lines.length, TRICKY.length);
      assert.deepEqual(Object.keys(lines[0]), EXPORT_COLUMNS.map((c) => c.name));
      assert.deepEqual(lines.map((l) => l.src_name), TRICKY, 'NDJSON needs no formula escaping');
      assert.deepEqual(lines[0].src_labels, { app: TRICKY[0] });
      assert.equal(lines[0].verdict_mismatch, false);
      assert.equal(lines[0].policy_order, null);
      assert.equal(lines[0].dst_port, 443);
    }
  });

  it('takes every flow-search filter, with the same answer as the search, in both formats', async () => {
    const cases: Array<Record<string, string>> = [
      { action: 'allow' },
      { srcName: 'plain' },
      // The filter compares the stored name, not the CSV cell's formula-escaped text.
      { srcName: TRICKY[0] },
      { srcIp: '10.0.0.0/30' },
      { srcSelector: 'app starts with "@"' },
      { dstNamespace: 'payments', srcPort: '40000' },
    ];
    for (const c of cases) {
      const search = await t.http().get('/api/v1/flows').query({ ...window, action: 'deny', ...c, limit: 1000 }).expect(200);
      const res = await t.http().get('/api/v1/exports/flows').query({ ...window, ...c, format: 'ndjson' }).buffer(true).parse((r, cb) => {
        let s = '';
        r.on('data', (d: Buffer) => (s += d.toString()));
        r.on('end', () => cb(null, s));
      }).expect(200);
      const ids = (res.body as string).split('\n').filter(Boolean).map((l) => JSON.parse(l).flow_id as string);
      assert.deepEqual(ids.sort(), search.body.items.map((f: { id: string }) => f.id).sort(), JSON.stringify(c));
      assert.ok(ids.length > 0, JSON.stringify(c));
      const csv = await t.http().get('/api/v1/exports/flows').query({ ...window, ...c, format: 'csv' }).buffer(true).parse((r, cb) => {
        let s = '';
        r.on('data', (d: Buffer) => (s += d.toString()));
        r.on('end', () => cb(null, s));
      }).expect(200);
      const rows = parse(csv.body as string, { columns: true }) as Array<Record<string, string>>;
      assert.deepEqual(rows.map((r) => r.flow_id).sort(), ids, `CSV ${JSON.stringify(c)}`);
    }
  });

  it('reads the flows in the table\'s own order: the engine sorts only rows that tie on the sorting key', async () => {
    // Sorting on anything but the table's key makes the engine hold every row of an hour at once.
    const repo = t.app.get(FlowExportRepository);
    const filter = { from: new Date(window.from), to: new Date(window.to), action: 'deny', src: { name: 'plain' }, scope: null };
    for (const format of ['csv', 'ndjson'] as const) {
      const { sql, params } = await repo.statement(filter, format);
      const plan = (await t.app.get(ClickHouseAdapter).query<{ explain: string }>(`EXPLAIN actions = 1 ${sql}`, params)).map((r) => r.explain).join('\n');
      assert.match(plan, /Prefix sort description: toStartOfHour\(start_time\) ASC, dst_namespace ASC, decision_policy ASC, start_time ASC\n/, `${format}:\n${plan}`);
    }
  });

  it('bounds the hours in UTC, as the table keeps them, whatever the engine\'s time zone', async () => {
    // A range starting in the second half of a UTC hour: an hour bound taken in a zone with a
    // half-hour offset (Asia/Kolkata, +05:30) would start at :30 UTC, after these rows' UTC hour.
    const clickhouse = t.app.get(ClickHouseAdapter);
    await clickhouse.command(
      `INSERT INTO flows (start_time, end_time, action, reporter, protocol, src_namespace, src_name, dst_namespace, source_topic, source_partition, source_offset)
       SELECT toDateTime64('2026-11-24 06:40:00', 3, 'UTC') + toIntervalMinute(number * 5), toDateTime64('2026-11-24 06:40:00', 3, 'UTC'),
              'deny', 'dst', 'tcp', 'tz', concat('tz-', toString(number)), 'tz-dst', 'tz', 0, number
       FROM numbers(4)`,
    );
    const filter = { from: new Date('2026-11-24T06:35:00Z'), to: new Date('2026-11-24T07:35:00Z'), action: 'deny', scope: null };
    const repo = t.app.get(FlowExportRepository);
    for (const format of ['csv', 'ndjson'] as const) {
      const { sql, params } = await repo.statement(filter, format);
      const rows = await clickhouse.query(`${sql}, session_timezone = 'Asia/Kolkata'`, params);
      assert.equal(rows.length, 4, format);
    }
  });

  it('logs every export and signs its manifest (SHA-256 of the body as sent)', async () => {
    const { res, body } = await rawGet(port, `/api/v1/exports/flows?${qs({ ...window, manifest: 'true' })}`);
    assert.equal(res.statusCode, 200);
    const sha = createHash('sha256').update(body).digest('hex');
    assert.equal(res.trailers['x-flowscope-body-sha256'], sha);
    const id = String(res.headers['x-flowscope-export-id']);
    const log = await eventually(async () => {
      const l = await t.http().get('/api/v1/exports').expect(200);
      const e = l.body.items.find((x: { id: string }) => x.id === id);
      return e?.status === 'completed' ? e : undefined;
    }, 'the export logged as completed');
    assert.equal(log.rows, TRICKY.length);
    assert.equal(log.bytes, body.length);
    assert.equal(log.bodySha256, sha);
    assert.equal(log.format, 'csv');
    assert.equal(log.keyName, 'anonymous (auth off)');
    assert.deepEqual({ from: log.filters.from, to: log.filters.to, action: log.filters.action, manifest: log.filters.manifest }, { from: '2026-11-26T05:00:00.000Z', to: '2026-11-26T07:00:00.000Z', action: 'deny', manifest: 'true' });
    const manifest = (await t.http().get(`/api/v1/exports/${id}/manifest`).expect(200)).body;
    assert.equal(manifest.export.bodySha256, sha);
    assert.equal(manifest.signature, createHmac('sha256', SIGNING_KEY).update(JSON.stringify(manifest.export)).digest('hex'));
    await t.http().get('/api/v1/exports/nope/manifest').expect(404);
  });

  it('stops the query when the client goes away, and logs the export as aborted', async () => {
    // A large range of its own, written straight into the table (the ingest path is not what this tests).
    await t.app.get(ClickHouseAdapter).command(
      `INSERT INTO flows (start_time, end_time, action, reporter, protocol, src_namespace, src_name, dst_namespace, source_topic, source_partition, source_offset)
       SELECT toDateTime64('2026-11-25 00:00:00', 3, 'UTC') + toIntervalMillisecond(number * 100), toDateTime64('2026-11-25 00:00:00', 3, 'UTC'),
              'deny', 'dst', 'tcp', 'bulk', concat('pod-', toString(number)), 'bulk-dst', 'bulk', 0, number
       FROM numbers(400000)`,
    );
    const path = `/api/v1/exports/flows?${qs({ from: '2026-11-25T00:00:00Z', to: '2026-11-25T23:00:00Z' })}`;
    const id = await new Promise<string>((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port, path }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve(String(res.headers['x-flowscope-export-id']));
        });
      });
      req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    });
    const entry = await eventually(async () => {
      const e = (await t.http().get('/api/v1/exports').expect(200)).body.items.find((x: { id: string }) => x.id === id);
      return e && e.status !== 'running' ? e : undefined;
    }, 'the aborted export logged');
    assert.equal(entry.status, 'aborted');
    assert.ok(entry.rows < 400_000, `stopped early (${entry.rows} rows)`);
    assert.ok(entry.finishedAt);
    // The service still answers, and a whole export of the same range still completes.
    const all = await rawGet(port, path);
    assert.equal(all.body.toString().split('\r\n').length - 2, 400_000);
  });

  it('answers bad input with 400 naming the field', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ format: 'xml' }, 'format'],
      [{ manifest: 'yes' }, 'manifest'],
      [{ srcIp: '10.0.0.300' }, 'srcIp'],
      [{ dstSelector: 'app ==' }, 'dstSelector'],
      [{ protocol: 'carrier-pigeon' }, 'protocol'],
      [{ from: window.to, to: window.from }, 'from'],
    ];
    for (const [q, field] of cases) {
      const res = await t.http().get('/api/v1/exports/flows').query(q).expect(400);
      assert.deepEqual(res.body.details.map((d: { field: string }) => d.field), [field], JSON.stringify(q));
    }
    const limit = await t.http().get('/api/v1/exports').query({ limit: 0 }).expect(400);
    assert.equal(limit.body.details[0].field, 'limit');
  });
});
