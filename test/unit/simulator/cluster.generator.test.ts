import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests } from '../../../src/policy';
import { generateCluster } from '../../../src/simulator/cluster.generator';
import { POLICY_KINDS } from '../../../src/simulator/cluster.types';
import { podManifest } from '../../../src/simulator/manifest.builders';

const policyCount = (c: ReturnType<typeof generateCluster>) =>
  c.policyManifests.filter((m) => POLICY_KINDS.has(m.kind) || m.apiVersion === 'networking.k8s.io/v1').length;

describe('generateCluster', () => {
  it('is reproducible for a seed and differs across seeds', () => {
    const a = generateCluster('demo', { seed: 42 });
    const b = generateCluster('demo', { seed: 42 });
    const c = generateCluster('demo', { seed: 43 });
    const dump = (x: typeof a) => JSON.stringify([x.baseManifests, x.policyManifests, [...x.pods.values()].map(podManifest)]);
    assert.equal(dump(a), dump(b));
    assert.notEqual(dump(a), dump(c));
  });

  for (const [size, pods, policies] of [['demo', 50, 20], ['small', 500, 100], ['large', 10_000, 1_000]] as const) {
    it(`honours the ${size} size exactly (${pods} pods, ${policies} policies)`, () => {
      const c = generateCluster(size);
      assert.equal(c.pods.size, pods);
      assert.equal(policyCount(c), policies);
    });
  }

  it('honours explicit counts', () => {
    const c = generateCluster({ pods: 777, policies: 123 });
    assert.equal(c.pods.size, 777);
    assert.equal(policyCount(c), 123);
  });

  it('gives every pod a unique IPv4 in the pod CIDR and an IPv6, and realistic labels', () => {
    const c = generateCluster('small');
    const seen = new Set<string>();
    for (const p of c.pods.values()) {
      assert.match(p.ips[0], /^10\.244\.\d+\.\d+$/);
      assert.match(p.ips[1], /^fd00:10:244:/);
      assert.ok(!seen.has(p.ips[0]), `duplicate ${p.ips[0]}`);
      seen.add(p.ips[0]);
      for (const k of ['app', 'tier', 'version', 'pod-template-hash']) assert.ok(p.app.labels[k], `${p.name} lacks ${k}`);
      assert.ok(p.name.startsWith(`${p.app.name}-${p.app.templateHash}-`));
    }
  });

  it('emits manifests the policy engine accepts without a single validation error', () => {
    const c = generateCluster('small');
    const res = loadManifests([...c.baseManifests, ...[...c.pods.values()].map(podManifest), ...c.policyManifests]);
    assert.deepEqual(res.errors.map((e) => e.message), []);
    const kinds = new Set(res.resources.map((r) => r.kind));
    for (const k of ['Tier', 'GlobalNetworkPolicy', 'NetworkPolicy', 'KubernetesNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy',
      'StagedKubernetesNetworkPolicy', 'GlobalNetworkSet', 'NetworkSet', 'HostEndpoint', 'Pod', 'Namespace', 'ServiceAccount', 'Profile']) {
      assert.ok(kinds.has(k as never), `no ${k}`);
    }
    // Deployments, Services and Nodes are inventory for the API, not policy input.
    assert.deepEqual([...new Set(res.skipped.map((s) => s.kind))].sort(), ['Deployment', 'Node', 'Service']);
  });

  it('includes Log, Deny and Pass rules, tiers with orders, and a namespace without policies', () => {
    const c = generateCluster('demo');
    const text = JSON.stringify(c.policyManifests);
    for (const a of ['"Log"', '"Deny"', '"Pass"']) assert.ok(text.includes(`"action":${a}`), a);
    const tiers = c.policyManifests.filter((m) => m.kind === 'Tier').map((t) => [t.metadata.name, t.spec?.order]);
    assert.deepEqual(tiers.slice(0, 2), [['security', 100], ['platform', 500]]);
    assert.ok(c.namespaces.some((n) => !n.system && n.policyCount === 0));
  });
});
