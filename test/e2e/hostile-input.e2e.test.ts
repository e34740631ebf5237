import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AddressInfo, connect, Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reportedEndpoint } from '../../src/flows/flow-record';
import { flowRecord, seedFlows } from '../support/flow-seed';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const ADMIN = 'hostile-input-admin-key-0123456789abcdef';
const BASE = Date.parse('2026-11-26T06:00:00Z');
const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', name), 'utf8');

/** What an answer must never carry: a stack trace, SQL, a ClickHouse error, a file path of ours. */
const LEAK = /\bat [\w.<>]+ \(|node_modules|\/dist\/src\/|DB::Exception|Code: \d{2,}|\bFROM (?:flowscope\.)?(?:flows|api_keys|inventory\w*|export_log)\b|\bINSERT INTO\b|\bPREWHERE\b/;

const INJECTIONS = ["' OR '1'='1", "shop' OR 1=1 --", "x'); DROP TABLE flows; --", "\\' UNION SELECT * FROM system.users --", '{{7*7}}${7*7}', 'app in (web), 1=1) OR (1', "app=web,env!=prod' OR ''='"];
const HOSTILE = [
  '',
  '-1',
  '-99999999999999999999',
  '99999999999999999999999999',
  '1e308',
  'NaN',
  '0x10',
  'true',
  '[object Object]',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  'nul\u0000byte',
  'esc\u001b[31mctl\r\nX-Injected: 1',
  '\u202egnp.exe \ud83d\udca3 \u0645\u0631\u062d\u0628\u0627 \uff21',
  'a'.repeat(4000),
  ...INJECTIONS,
];

interface Operation {
  method: 'get' | 'post' | 'delete';
  path: string;
  query: string[];
  pathParams: string[];
}

/** Every operation the API documents, from its own OpenAPI description. */
async function operations(t: TestApp): Promise<Operation[]> {
  const doc = (await t.http().get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method as Operation['method'],
      path,
      query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
    })),
  );
}

const concrete = (op: Operation, value: string) => op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(value));

describe('hostile input on every endpoint', () => {
  let t: TestApp;
  let ops: Operation[];
  const secrets: Record<string, string> = {};
  const as = (who: string) => ({ Authorization: `Bearer ${who === 'admin' ? ADMIN : secrets[who]}` });
  let healthFailures = 0;
  let healthChecks = 0;
  let watching = true;
  let watcher: Promise<void>;

  /** The answer is a 2xx or a clear 4xx in the one error body, and leaks nothing. */
  const judge = (what: string, res: { status: number; text: string; body: unknown }) => {
    assert.ok(res.status < 500, `${what}: ${res.status} ${res.text.slice(0, 300)}`);
    assert.doesNotMatch(res.text ?? '', LEAK, `${what} leaks internals`);
    if (res.status >= 400) {
      const body = res.body as { statusCode?: number; message?: unknown; path?: string };
      assert.equal(body.statusCode, res.status, `${what}: the standard error body`);
      assert.ok(body.message, `${what}: says what is wrong`);
    }
  };

  before(async () => {
    t = await startTestApp(testConfig({ FLOWSCOPE_AUTH: 'on', FLOWSCOPE_ADMIN_KEY: ADMIN, FLOWSCOPE_RATE_LIMIT_PER_MINUTE: '1000000' }));
    await t.http().post('/api/v1/inventory').set(as('admin')).query({ validFrom: '2026-11-26T00:00:00Z' }).set('content-type', 'application/yaml').send(fixture('shop-cluster.yaml')).expect(200);
    await seedFlows(t.app, [
      ...Array.from({ length: 4 }, (_, i) => flowRecord(BASE + i * 1000, { srcIp: '10.244.1.5', dstIp: '10.244.2.7', dstPort: 5432, src: reportedEndpoint({ namespace: 'shop', name: 'web-1' }), dst: reportedEndpoint({ namespace: 'db', name: 'pg-0' }) })),
      ...Array.from({ length: 6 }, (_, i) => flowRecord(BASE + 10_000 + i * 1000, { action: 'deny', src: reportedEndpoint({ namespace: 'orders', name: 'o-1' }), dst: reportedEndpoint({ namespace: 'payments', name: 'p-1' }) })),
    ]);
    for (const [name, role, namespaces] of [
      ['viewer', 'viewer', undefined],
      ['shopViewer', 'viewer', ['shop']],
      ['shopAdmin', 'admin', ['shop']],
      ['revoked', 'admin', undefined],
    ] as const) {
      const res = await t.http().post('/api/v1/keys').set(as('admin')).send({ name, role, ...(namespaces ? { namespaces } : {}) }).expect(201);
      secrets[name] = res.body.secret;
      if (name === 'revoked') await t.http().delete(`/api/v1/keys/${res.body.id}`).set(as('admin')).expect(204);
    }
    ops = await operations(t);
    assert.ok(ops.length >= 20, `the API documents its operations (${ops.length})`);
    // Health checks all through the run, from another connection.
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    watcher = (async () => {
      while (watching) {
        healthChecks++;
        const ok = await fetch(`http://127.0.0.1:${port}/health/live`).then((r) => r.ok).catch(() => false);
        if (!ok) healthFailures++;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
  });
  after(async () => {
    watching = false;
    await watcher;
    await t?.close();
  });

  it('answers every query parameter of every operation with a 2xx or a clear 4xx, and injections find nothing', { timeout: 600_000 }, async () => {
    let requests = 0;
    for (const op of ops.filter((o) => o.method === 'get')) {
      const path = concrete(op, 'x');
      for (const param of op.query) {
        for (const value of HOSTILE) {
          const res = await t.http().get(path).set(as('admin')).query({ [param]: value });
          requests++;
          judge(`GET ${path}?${param}=${JSON.stringify(value.slice(0, 40))}`, res);
          // A string filter given an injection matches nothing: it is a value, never SQL.
          if (res.status === 200 && INJECTIONS.includes(value) && op.path === '/api/v1/flows') {
            assert.equal(res.body.items.length, 0, `GET /api/v1/flows?${param}=${value} matched rows`);
          }
        }
        // The same parameter twice (an array where a string is expected).
        judge(`GET ${path}?${param}=a&${param}=b`, await t.http().get(`${path}?${param}=a&${param}=b`).set(as('admin')));
        requests++;
      }
    }
    process.stdout.write(`# figures: ${requests} hostile query requests over ${ops.filter((o) => o.method === 'get').length} GET operations\n`);
  });

  it('refuses path traversal, control characters and injections in ids', async () => {
    const ids = ['../../../../etc/passwd', '..\\..\\windows', '%2e%2e%2f', 'nul\u0000', "' OR '1'='1", '1;DROP TABLE flows', 'a'.repeat(3000), '\u202e\ud83d\udca3'];
    for (const op of ops.filter((o) => o.pathParams.length > 0)) {
      for (const id of ids) {
        const path = concrete(op, id);
        const res = await t.http()[op.method](path).set(as('admin'));
        judge(`${op.method.toUpperCase()} ${op.path} with ${JSON.stringify(id.slice(0, 30))}`, res);
        assert.ok(res.status >= 400, `${op.method} ${path.slice(0, 80)}: ${res.status}`);
      }
    }
  });

  it('answers malformed, deeply nested, oversized and wrongly typed bodies with a 4xx', async () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const nestedYaml = (depth: number) => Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}a:`).join('\n') + ' 1';
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n');
    const bodies: Array<[string, string]> = [
      ['application/json', '{"broken": '],
      ['application/json', nested(100_000)],
      ['application/json', '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)],
      ['application/json', JSON.stringify({ __proto__: { admin: true }, constructor: { prototype: { admin: true } } })],
      ['application/json', JSON.stringify({ name: 123, role: ['admin'], namespaces: 'all', flow: 'x', policies: 5 })],
      ['application/json', JSON.stringify({ src: { ip: "' OR 1=1 --", port: -1 }, dst: { ip: '999.1.1.1', port: 1e308 }, protocol: '\u0000' })],
      ['application/json', 'null'],
      ['application/json', '"just a string"'],
      ['application/json', `{"x": "${'\u0000\u001b'.repeat(1000)}"}`],
      ['application/yaml', laughs],
      ['application/yaml', nestedYaml(5000)],
      ['application/yaml', 'kind: NetworkPolicy\nmetadata: {name: "../../etc", namespace: "\u0000"}\nspec: [unclosed'],
      ['application/yaml', '!!js/function "function(){return process.exit(1)}"'],
      ['application/xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'],
    ];
    for (const op of ops.filter((o) => o.method === 'post')) {
      for (const [type, body] of bodies) {
        const res = await t.http().post(op.path).set(as('admin')).set('content-type', type).send(body);
        judge(`POST ${op.path} ${type} ${JSON.stringify(body.slice(0, 40))}`, res);
        assert.equal(({} as Record<string, unknown>).admin, undefined, 'no prototype polluted');
        // Prototype keys alone are ignored like any unknown key where the body is all optional.
        if (body.includes('"constructor"')) continue;
        assert.ok(res.status >= 400, `POST ${op.path} ${type} ${JSON.stringify(body.slice(0, 40))}: ${res.status}`);
      }
      const huge = await t.http().post(op.path).set(as('admin')).set('content-type', 'application/json').send(`{"x":"${'a'.repeat(21 * 1024 * 1024)}"}`);
      judge(`POST ${op.path} oversized`, huge);
      assert.equal(huge.status, 413);
    }
    // The bootstrap admin is still what it was: nothing in a body changed who is who.
    const keys = await t.http().get('/api/v1/keys').set(as('viewer'));
    assert.equal(keys.status, 403);
  });

  it('401 on every protected operation without a key, with a wrong, malformed or revoked one', async () => {
    const headers: Array<Record<string, string>> = [
      {},
      { Authorization: 'Bearer fsk_wrong' },
      { Authorization: `Bearer ${ADMIN}x` },
      { Authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}` },
      { Authorization: `Bearer ${'A'.repeat(8000)}` },
      { Authorization: "Bearer ' OR '1'='1" },
      as('revoked'),
    ];
    for (const op of ops.filter((o) => !o.path.startsWith('/health'))) {
      for (const h of headers) {
        const res = await t.http()[op.method](concrete(op, 'x')).set(h);
        judge(`${op.method} ${op.path} with ${JSON.stringify(h).slice(0, 40)}`, res);
        assert.equal(res.status, 401, `${op.method} ${op.path} with ${JSON.stringify(h).slice(0, 60)}`);
      }
    }
  });

  it('a key scoped to one namespace learns nothing of another through any operation', async () => {
    // shop talks to db (in scope: one end is shop); orders and payments only talk to each other.
    const others = ['payments', 'orders'];
    const leaksOther = (text: string) => /"(?:namespace|srcNamespace|dstNamespace)":"(?:payments|orders)"|payments\/|"p-1"|"o-1"/.test(text);
    let probes = 0;
    for (const who of ['shopViewer', 'shopAdmin']) {
      for (const op of ops.filter((o) => o.method === 'get')) {
        const nsParams = op.query.filter((q) => /amespace|selector|policy|^ip$|Ip$/i.test(q));
        const probesFor: Array<Record<string, string>> = [{}, ...nsParams.flatMap((q) => others.map((ns) => ({ [q]: /Ip$|^ip$/.test(q) ? '10.244.2.7' : /policy/.test(q) ? `${ns}/default.deny-orders` : ns })))];
        for (const query of probesFor) {
          const res = await t.http().get(concrete(op, 'x')).set(as(who)).query({ from: '2026-11-26T05:00:00Z', to: '2026-11-26T07:00:00Z', ...query });
          probes++;
          judge(`${who} GET ${op.path} ${JSON.stringify(query)}`, res);
          if (res.status < 300) assert.ok(!leaksOther(res.text), `${who} GET ${op.path} ${JSON.stringify(query)} shows another namespace: ${res.text.slice(0, 300)}`);
        }
      }
      // Flow ids of other namespaces, read directly.
      const all = await t.http().get('/api/v1/flows').set(as('admin')).query({ from: '2026-11-26T05:00:00Z', to: '2026-11-26T07:00:00Z', namespace: 'payments' }).expect(200);
      assert.ok(all.body.items.length > 0);
      for (const f of all.body.items as Array<{ id: string }>) {
        const res = await t.http().get(`/api/v1/flows/${encodeURIComponent(f.id)}`).set(as(who));
        judge(`${who} GET a payments flow`, res);
        assert.ok(res.status === 403 || res.status === 404, `${who} read a payments flow: ${res.status}`);
      }
    }
    process.stdout.write(`# figures: ${probes} out-of-scope probes by namespace-scoped keys\n`);
  });

  it('keeps answering health checks while slow clients hold connections open', async () => {
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    const sockets: Socket[] = [];
    for (let i = 0; i < 50; i++) {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      s.write(`POST /api/v1/explain HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n`);
      sockets.push(s);
    }
    try {
      for (let i = 0; i < 10; i++) {
        for (const s of sockets) s.write('{"a":');
        const res = await t.http().get('/health/live');
        assert.equal(res.status, 200);
      }
    } finally {
      for (const s of sockets) s.destroy();
    }
    watching = false;
    await watcher;
    assert.ok(healthChecks > 10, `${healthChecks} health checks during the run`);
    assert.equal(healthFailures, 0, `${healthFailures} of ${healthChecks} health checks failed during the run`);
    process.stdout.write(`# figures: ${healthChecks} health checks during the hostile run, ${healthFailures} failed\n`);
  });
});
