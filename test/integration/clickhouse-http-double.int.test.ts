import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClickHouseClient, ClickHouseError, createClient } from '@clickhouse/client';
import { ClickHouseAdapter } from '../../src/storage/clickhouse.adapter';
import { RowBinaryWriter } from '../../src/storage/rowbinary.writer';
import { ClickHouseHttpDouble } from '../support/clickhouse-http-double';
import { testConfig } from '../support/test-config';

// The test double stands in for a ClickHouse server in the multi-process fault tests; these checks
// make sure it answers what @clickhouse/client sends the way a server does, so those tests prove
// something about flowscope and not about the double.
describe('the ClickHouse server test double, through @clickhouse/client', () => {
  const double = new ClickHouseHttpDouble();
  let client: ClickHouseClient;

  before(async () => {
    await double.start();
    const bootstrap = createClient({ url: double.url });
    await bootstrap.command({ query: 'CREATE DATABASE IF NOT EXISTS d' });
    await bootstrap.close();
    client = createClient({ url: double.url, database: 'd', compression: { request: true, response: true } });
    await client.command({ query: 'CREATE TABLE t (id UInt32, s String) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100' });
  });
  after(async () => {
    await client?.close();
    await double.stop();
  });

  it('answers a ping', async () => {
    assert.equal((await client.ping()).success, true);
  });

  it('keeps a deduplication token to its own insert (a retried batch is stored once, the next one is not dropped)', async () => {
    const token = { insert_deduplicate: 1 as const, insert_deduplication_token: 'batch-1' };
    await client.insert({ table: 't', values: [{ id: 1, s: 'a' }], format: 'JSONEachRow', clickhouse_settings: token });
    await client.insert({ table: 't', values: [{ id: 1, s: 'a' }], format: 'JSONEachRow', clickhouse_settings: token });
    // Without a token: on a shared session a leftover token would deduplicate this one away.
    await client.insert({ table: 't', values: [{ id: 2, s: 'b' }], format: 'JSONEachRow' });
    const rows = await (await client.query({ query: 'SELECT id FROM t ORDER BY id', format: 'JSONEachRow' })).json<{ id: number }>();
    assert.deepEqual(rows.map((r) => r.id), [1, 2]);
  });

  it('binds query parameters from their text form, in the URL and in a multipart body', async () => {
    const query = 'SELECT {s:String} AS s, {n:UInt32} + 1 AS n, length({a:Array(String)}) AS a';
    const tricky = "it's a \\ tab\there\nnew line";
    const [row] = await (await client.query({ query, query_params: { s: tricky, n: 41, a: ['x', "y'z"] }, format: 'JSONEachRow' })).json<{ s: string; n: number; a: number }>();
    assert.deepEqual(row, { s: tricky, n: 42, a: 2 });
    const many = Array.from({ length: 2000 }, (_, i) => `value-${i}`);
    for (const use_multipart_params of [false, true]) {
      const [big] = await (await client.query({ query: 'SELECT length({a:Array(String)}) AS a, {s:String} AS s', query_params: { a: many, s: tricky }, format: 'JSONEachRow', use_multipart_params })).json<{ a: number; s: string }>();
      assert.deepEqual(big, { a: 2000, s: tricky }, use_multipart_params ? 'multipart' : 'in the URL');
    }
  });

  it('takes a RowBinary body as a server does, byte for byte (0x0A 0x0A included), a retry with its token once', async () => {
    await client.command({ query: 'CREATE TABLE rb (id UInt64, s String) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100' });
    const w = new RowBinaryWriter();
    for (const [id, s] of [[2570, 'a\n\nb'], [1, '\0'], [2, '🦀']] as const) {
      w.i64(id);
      w.string(s);
    }
    // Through flowscope's server path: the adapter's insertBytes sends the body with exec().
    const adapter = new ClickHouseAdapter(testConfig({ CLICKHOUSE_URL: double.url, CLICKHOUSE_DATABASE: 'd' }));
    await adapter.connect();
    try {
      await adapter.insertBytes('rb', ['id', 's'], 'RowBinary', w.finish(), 'rb-1');
      await adapter.insertBytes('rb', ['id', 's'], 'RowBinary', w.finish(), 'rb-1');
    } finally {
      await adapter.onApplicationShutdown();
    }
    const rows = (await (await client.query({ query: 'SELECT id, s FROM rb ORDER BY id', format: 'JSONEachRow' })).json<{ id: string | number; s: string }>()).map((r) => ({ id: String(r.id), s: r.s }));
    assert.deepEqual(rows, [{ id: '1', s: '\0' }, { id: '2', s: '🦀' }, { id: '2570', s: 'a\n\nb' }]);
  });

  it('answers an engine error as the client expects (a ClickHouseError with its code)', async () => {
    await assert.rejects(client.query({ query: 'SELECT * FROM no_such_table', format: 'JSONEachRow' }), (err: unknown) => err instanceof ClickHouseError && err.code === '60');
  });
});
