import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InventoryService } from '../../src/inventory/inventory.service';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: { team: web }
---
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: shop
  labels: { app: web }
spec:
  nodeName: node-1
  serviceAccountName: web
  containers:
    - name: web
      ports: [{ name: http, containerPort: 8080 }]
status:
  podIP: 10.244.1.5
  podIPs: [{ ip: 10.244.1.5 }]
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: security
spec:
  order: 100
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-web
  namespace: shop
spec:
  podSelector: { matchLabels: { app: web } }
  ingress:
    - ports: [{ port: 8080 }]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
`;

describe('inventory API (embedded ClickHouse)', () => {
  let t: TestApp;
  let dataDir: string;

  before(async () => {
    const config = testConfig();
    dataDir = config.clickhouse.dataDir;
    t = await startTestApp(config);
  });
  after(async () => t?.close());

  it('applies a multi-document YAML manifest and lists the current state', async () => {
    const res = await t.http().post('/api/v1/inventory').query({ validFrom: '2026-11-26T06:00:00Z' }).set('content-type', 'application/yaml').send(MANIFESTS).expect(200);
    assert.deepEqual(res.body.applied.map((a: { key: string }) => a.key).sort(), [
      'KubernetesNetworkPolicy/shop/knp.default.allow-web',
      'Namespace//shop',
      'Pod/shop/web-1',
      'Tier//security',
    ]);
    assert.deepEqual(res.body.skipped, [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' }]);
    const list = await t.http().get('/api/v1/inventory').query({ kind: 'Pod' }).expect(200);
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].manifest.status.podIP, '10.244.1.5');
    assert.equal(list.body.items[0].validFrom, '2026-11-26T06:00:00.000Z');
  });

  it('accepts JSON (a single object or a List)', async () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'shop', labels: { role: 'frontend' } } }] };
    const res = await t.http().post('/api/v1/inventory').send(list).expect(200);
    assert.deepEqual(res.body.applied.map((a: { key: string }) => a.key), ['ServiceAccount/shop/web']);
  });

  it('rejects the whole set when one resource is invalid, naming the resource and the field path', async () => {
    const bad = `${MANIFESTS.replace('name: web-1', 'name: web-2')}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: security.broken
spec:
  tier: security
  selector: "app == 'x' &&"
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: security.bad-port
  namespace: shop
spec:
  tier: security
  ingress:
    - action: Allow
      protocol: TCP
      destination:
        ports: [99999]
`;
    const res = await t.http().post('/api/v1/inventory').set('content-type', 'application/yaml').send(bad).expect(400);
    assert.equal(res.body.statusCode, 400);
    const fields = res.body.details.map((d: { field: string }) => d.field);
    assert.equal(fields.length, 2, 'every invalid resource is reported, not just the first');
    assert.match(fields[0], /^GlobalNetworkPolicy security\.broken: spec\.selector$/);
    assert.match(fields[1], /^NetworkPolicy shop\/security\.bad-port: spec\.ingress\[0\]\.destination\.ports\[0\]$/);
    const pods = await t.http().get('/api/v1/inventory').query({ kind: 'Pod' }).expect(200);
    assert.equal(pods.body.items.length, 1, 'nothing from a rejected set is applied');
  });

  it('names unparseable YAML as a 400', async () => {
    const res = await t.http().post('/api/v1/inventory').set('content-type', 'application/yaml').send('kind: [unclosed').expect(400);
    assert.match(res.body.message, /cannot parse manifest/);
  });

  it('deletes by manifest identity and keeps history as of earlier instants', async () => {
    // The manifest's own kind and name find the Kubernetes policy stored as knp.default.allow-web.
    const del = await t.http().delete('/api/v1/inventory/NetworkPolicy/shop/allow-web').query({ validFrom: '2026-11-26T06:30:00Z' }).expect(200);
    assert.equal(del.body.deleted.key, 'KubernetesNetworkPolicy/shop/knp.default.allow-web');
    await t.http().delete('/api/v1/inventory/Pod/shop/web-1').query({ validFrom: '2026-11-26T06:40:00Z' }).expect(200);
    await t.http().delete('/api/v1/inventory/Pod/shop/web-1').expect(404);
    await t.http().delete('/api/v1/inventory/Tier/security').expect(200);
    const now = await t.http().get('/api/v1/inventory').expect(200);
    assert.deepEqual(now.body.items.map((i: { key: string }) => i.key), ['Namespace//shop', 'ServiceAccount/shop/web']);

    const timeline = t.app.get(InventoryService).timeline;
    const keysAt = (iso: string) => timeline.stateAt(Date.parse(iso)).map((r) => r.key).sort();
    assert.deepEqual(keysAt('2026-11-26T05:59:59Z'), []);
    assert.ok(keysAt('2026-11-26T06:15:00Z').includes('KubernetesNetworkPolicy/shop/knp.default.allow-web'));
    assert.ok(!keysAt('2026-11-26T06:35:00Z').includes('KubernetesNetworkPolicy/shop/knp.default.allow-web'));
    assert.ok(keysAt('2026-11-26T06:35:00Z').includes('Pod/shop/web-1'));
    assert.ok(!keysAt('2026-11-26T06:45:00Z').includes('Pod/shop/web-1'));
  });

  it('rebuilds the same history from ClickHouse after a restart', async () => {
    const before = t.app.get(InventoryService).timeline;
    const at = Date.parse('2026-11-26T06:35:00Z');
    const expected = before.stateAt(at).map((r) => r.key).sort();
    await t.close();
    t = await startTestApp(testConfig({ FLOWSCOPE_DATA_DIR: dataDir }));
    const after = t.app.get(InventoryService).timeline;
    assert.deepEqual(after.stateAt(at).map((r) => r.key).sort(), expected);
    const now = await t.http().get('/api/v1/inventory').expect(200);
    assert.deepEqual(now.body.items.map((i: { key: string }) => i.key), ['Namespace//shop', 'ServiceAccount/shop/web']);
  });
});
