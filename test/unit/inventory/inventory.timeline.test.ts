import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InventoryTimeline, InventoryVersion } from '../../../src/inventory/inventory.timeline';

const pod = (name: string, ip: string, validFrom: number, deleted = false): InventoryVersion => ({
  key: `Pod/ns/${name}`,
  kind: 'Pod',
  namespace: 'ns',
  name,
  manifestKind: 'Pod',
  manifestName: name,
  validFrom,
  deleted,
  source: 'test',
  manifest: deleted ? undefined : { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', labels: { app: name } }, status: { podIP: ip } },
});

describe('InventoryTimeline', () => {
  it('rebuilds the state at any instant, including an IP reused by another pod', () => {
    const t = new InventoryTimeline();
    t.add(pod('a', '10.0.0.1', 100));
    t.add(pod('a', '10.0.0.1', 200, true));
    t.add(pod('b', '10.0.0.1', 250));
    const ipOwner = (at: number) => t.stateAt(at).map((r) => r.name);
    assert.deepEqual(ipOwner(99), []);
    assert.deepEqual(ipOwner(100), ['a']);
    assert.deepEqual(ipOwner(199), ['a']);
    assert.deepEqual(ipOwner(200), []);
    assert.deepEqual(ipOwner(250), ['b']);
  });

  it('places a late (backfilled) version where it belongs in time', () => {
    const t = new InventoryTimeline();
    t.add(pod('a', '10.0.0.1', 300, true));
    t.add(pod('a', '10.0.0.1', 100));
    assert.deepEqual(t.stateAt(200).map((r) => r.name), ['a']);
    assert.deepEqual(t.stateAt(300), []);
    assert.deepEqual(t.current(), []);
  });

  it('numbers states by epoch so equal epochs mean equal states', () => {
    const t = new InventoryTimeline();
    t.add(pod('a', '10.0.0.1', 100));
    t.add(pod('b', '10.0.0.2', 100));
    t.add(pod('c', '10.0.0.3', 200));
    assert.equal(t.epochAt(50), 0);
    assert.equal(t.epochAt(100), 1);
    assert.equal(t.epochAt(150), 1);
    assert.equal(t.epochAt(200), 2);
    assert.equal(t.epochAt(10_000), 2);
  });

  it('finds a live resource by model key or by manifest identity', () => {
    const t = new InventoryTimeline();
    t.add({ ...pod('x', '10.0.0.9', 1), key: 'KubernetesNetworkPolicy/ns/knp.default.x', kind: 'KubernetesNetworkPolicy', name: 'knp.default.x', manifestKind: 'NetworkPolicy', manifest: {} });
    assert.equal(t.findLive('KubernetesNetworkPolicy', 'ns', 'knp.default.x')?.name, 'knp.default.x');
    assert.equal(t.findLive('NetworkPolicy', 'ns', 'x')?.name, 'knp.default.x');
    assert.equal(t.findLive('NetworkPolicy', 'other', 'x'), undefined);
  });
});
