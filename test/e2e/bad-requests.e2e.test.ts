import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Bad requests on every endpoint: each is answered by a 4xx in the one error shape, whose
 * `details` name the field to fix, never by a 500, an empty body or a wrong answer.
 */
describe('bad requests across the API (embedded ClickHouse)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(testConfig());
  });
  after(async () => t?.close());

  const expectError = (res: { status: number; body: { statusCode?: number; details?: Array<{ field: string; problems: string[] }>; message?: string } }, status: number, field: string, problem?: RegExp) => {
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal(res.body.statusCode, status);
    assert.ok(res.body.details && res.body.details.length > 0, `details missing: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.details[0].field, field, JSON.stringify(res.body));
    if (problem) assert.match(res.body.details[0].problems.join(' '), problem);
  };

  const queries: Array<[string, string, RegExp?]> = [
    ['/api/v1/flows?limit=abc', 'limit', /^limit must be an integer in 1-1000, got "abc"$/],
    ['/api/v1/flows?limit=0', 'limit'],
    ['/api/v1/flows?limit=1001', 'limit'],
    ['/api/v1/flows?limit=1e3', 'limit'],
    ['/api/v1/flows?from=0001-01-01T00:00:00Z', 'from', /out of range: must be between 1900/],
    ['/api/v1/flows?from=2026-02-30T00:00:00Z', 'from', /not a valid date/],
    ['/api/v1/flows?to=tomorrow', 'to', /RFC 3339/],
    ['/api/v1/flows?from=2026-11-26T08:00:00Z&to=2026-11-26T07:00:00Z', 'from', /before to/],
    ['/api/v1/flows?action=maybe', 'action'],
    ['/api/v1/flows?ip=10.0.0.999', 'ip'],
    ['/api/v1/flows?bogus=1', 'bogus'],
    ['/api/v1/stats/decisions?groupBy=tier,,policy', 'groupBy', /empty item at position 2/],
    ['/api/v1/stats/decisions?groupBy=tier,colour', 'groupBy', /"colour" is not one of/],
    ['/api/v1/stats/decisions?groupBy=tier,tier', 'groupBy', /twice/],
    ['/api/v1/stats/decisions?limit=abc', 'limit', /^limit must be an integer in 1-10000, got "abc"$/],
    ['/api/v1/stats/decisions?action=maybe', 'action', /one of (the following values: )?allow, deny, log/],
    ['/api/v1/stats/timeseries?interval=0', 'interval'],
    ['/api/v1/stats/timeseries?interval=1&from=2000-01-01T00:00:00Z', 'interval', /buckets/],
    ['/api/v1/stats/hits?groupBy=', 'groupBy', /empty item/],
    ['/api/v1/stats/hits?from=0001-01-01T00:00:00Z', 'from', /out of range/],
    ['/api/v1/inventory?kind=Bogus', 'kind', /kind must be one of/],
    ['/api/v1/inventory?namespace=Not_A_Namespace', 'namespace'],
  ];
  for (const [url, field, problem] of queries) {
    it(`GET ${url} → 400 on ${field}`, async () => {
      const res = await t.http().get(url);
      expectError(res, 400, field, problem);
      assert.equal(res.body.details.length, 1, 'one problem per field, not several contradictory ones');
    });
  }

  it('an unknown route is a 404 naming the path', async () => {
    expectError(await t.http().get('/api/v1/nothing'), 404, 'path');
  });

  it('a 20,000-character query string is a 431 with a body naming the query', async () => {
    expectError(await t.http().get(`/api/v1/flows?namespace=${'a'.repeat(20_000)}`), 431, 'query', /shorten the query string/);
  });

  const yaml = (text: string) => t.http().post('/api/v1/inventory').set('content-type', 'application/yaml').send(text);

  it('inventory: a YAML alias bomb and absurd nesting are 400s, not 500s', async () => {
    const bomb = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
    expectError(await yaml(bomb), 400, 'manifest', /alias/);
    expectError(await yaml(`a: ${'['.repeat(200)}${']'.repeat(200)}`), 400, 'manifest', /nested deeper than 64 levels/);
  });

  it('inventory: a body over the 20 MB limit is a 413', async () => {
    expectError(await yaml(`a: ${'x'.repeat(21 * 1024 * 1024)}`), 413, 'body', /20mb/);
  });

  it('inventory: broken JSON, null and a bare number name the body', async () => {
    const json = (text: string) => t.http().post('/api/v1/inventory').set('content-type', 'application/json').send(text);
    expectError(await json('{"kind": '), 400, 'body', /not valid JSON/);
    expectError(await json('null'), 400, 'body', /must be a JSON object, got null/);
    expectError(await json('42'), 400, 'body', /must be a JSON object, got 42/);
  });

  it('inventory: an unsupported content type is a 415 naming content-type; text/plain is YAML', async () => {
    expectError(await t.http().post('/api/v1/inventory').set('content-type', 'application/xml').send('<a/>'), 415, 'content-type', /application\/json or YAML/);
    const ok = await t.http().post('/api/v1/inventory').set('content-type', 'text/plain').send('apiVersion: v1\nkind: Namespace\nmetadata: {name: plain}\n');
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it('inventory: Kubernetes names are validated', async () => {
    expectError(await yaml(`apiVersion: v1\nkind: Namespace\nmetadata: {name: "' OR 1=1 --"}\n`), 400, 'Namespace \' OR 1=1 --: metadata.name', /invalid name/);
    expectError(await yaml(`apiVersion: v1\nkind: Pod\nmetadata: {name: Web_1, namespace: shop}\n`), 400, 'Pod shop/Web_1: metadata.name');
    expectError(await yaml(`apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: Shop}\n`), 400, 'Pod Shop/web: metadata.namespace');
    const list = await t.http().get('/api/v1/inventory?kind=Namespace').expect(200);
    assert.equal(list.body.items.some((i: { name: string }) => i.name.includes('OR')), false, 'nothing stored');
  });

  it('inventory: a Kubernetes policy with two problems reports both', async () => {
    const res = await yaml(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: two, namespace: shop}
spec:
  podSelector: {matchExpressions: [{key: a, operator: Maybe}]}
  ingress: [{ports: [{protocol: ICMP}]}]
`);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.details.map((d: { field: string }) => d.field), [
      'KubernetesNetworkPolicy shop/two: spec.podSelector.matchExpressions[0].operator',
      'KubernetesNetworkPolicy shop/two: spec.ingress[0].ports[0].protocol',
    ]);
  });

  it('inventory: a policy in an undeclared tier is applied with a warning', async () => {
    const res = await yaml(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: ghost.p}
spec: {tier: ghost, selector: all()}
`).expect(200);
    assert.deepEqual(res.body.warnings, ['GlobalNetworkPolicy//ghost.p references tier ghost, which is not declared: evaluated as a Deny tier after every declared tier']);
    const declared = await yaml(`apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: ghost}\nspec: {order: 5}\n---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: ghost.p}\nspec: {tier: ghost, selector: all()}\n`).expect(200);
    assert.deepEqual(declared.body.warnings, []);
  });

  it('inventory DELETE: a lower-case or unknown kind is a 400 naming kind; a missing resource a 404 naming name', async () => {
    expectError(await t.http().delete('/api/v1/inventory/pod/default/x'), 400, 'kind', /did you mean Pod\?/);
    expectError(await t.http().delete('/api/v1/inventory/Deployment/default/x'), 400, 'kind', /unknown kind "Deployment"/);
    expectError(await t.http().delete('/api/v1/inventory/Pod/default/nobody'), 404, 'name');
    expectError(await t.http().delete('/api/v1/inventory/Tier/x?validFrom=soon'), 400, 'validFrom', /RFC 3339/);
  });
});
