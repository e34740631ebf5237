import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InventorySnapshot } from '../../../src/inventory/inventory.snapshot';
import { InventoryTimeline, InventoryVersion } from '../../../src/inventory/inventory.timeline';
import { Prng } from '../../../src/simulator/prng.util';

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

  it('gives the changes between any two states, forwards and backwards, as the resources stateAt gives', () => {
    const t = new InventoryTimeline();
    const rnd = new Prng(3);
    for (let i = 0; i < 400; i++) {
      const name = `p${rnd.int(0, 30)}`;
      t.add(pod(name, `10.0.0.${rnd.int(1, 20)}`, rnd.int(0, 100) * 10, rnd.chance(0.2)));
    }
    const byKey = (rs: readonly { key: string }[]) => new Map(rs.map((r) => [r.key, r]));
    for (let k = 0; k < 200; k++) {
      const from = rnd.int(0, 1000);
      const to = rnd.int(0, 1000);
      const state = byKey(t.stateAt(from));
      const ch = t.changesBetween(from, to);
      assert.ok(ch);
      for (const key of ch.deletions) state.delete(key);
      for (const r of ch.upserts) state.set(r.key, r);
      const want = byKey(t.stateAt(to));
      assert.deepEqual([...state.keys()].sort(), [...want.keys()].sort());
      // The very same objects: unchanged resources are recognised by identity downstream.
      for (const [key, r] of want) assert.equal(state.get(key), r);
    }
    assert.equal(t.changesBetween(0, 1000, 3), undefined);
  });

  it('derives the inventory snapshot of a later state from an earlier one, deciding like a fresh build', () => {
    const t = new InventoryTimeline();
    t.add(pod('a', '10.0.0.1', 100));
    t.add(pod('b', '10.0.0.2', 100));
    t.add(pod('a', '10.0.0.1', 200, true));
    t.add(pod('c', '10.0.0.1', 300));
    const first = new InventorySnapshot(t.stateAt(100));
    const ch = t.changesBetween(100, 300);
    assert.ok(ch);
    const derived = first.withChanges(ch.upserts, ch.deletions);
    const fresh = new InventorySnapshot(t.stateAt(300));
    assert.equal(derived.engine.resolveIp('10.0.0.1').name, 'c');
    assert.deepEqual(derived.engine.resolveIp('10.0.0.1'), fresh.engine.resolveIp('10.0.0.1'));
    assert.deepEqual(derived.engine.resources.map((r) => r.key).sort(), fresh.engine.resources.map((r) => r.key).sort());
    // The earlier state is still what it was.
    assert.equal(first.engine.resolveIp('10.0.0.1').name, 'a');
  });
});
