import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseManifests, PolicyResource, ResourceValidationError } from '../../../src/policy';

const one = (yaml: string) => parseManifests(yaml)[0] as PolicyResource;
const problems = (yaml: string) => {
  try {
    parseManifests(yaml);
  } catch (e) {
    if (e instanceof ResourceValidationError) return e.all.map((x) => x.path);
    throw e;
  }
  return [];
};

describe('rule origins (for explanations)', () => {
  it('a Calico rule keeps its path and the rule as written', () => {
    const p = one(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: p}
spec:
  ingress: [{action: Deny}, {action: Allow, protocol: TCP, destination: {ports: [80]}}]`);
    assert.deepEqual(p.ingress[1].origin, { path: 'spec.ingress[1]', written: { action: 'Allow', protocol: 'TCP', destination: { ports: [80] } } });
  });
  it('the Calico rules a Kubernetes rule expands into point back to it', () => {
    const p = one(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: k, namespace: a}
spec:
  podSelector: {}
  ingress:
  - from: [{podSelector: {}}]
  - from: [{podSelector: {matchLabels: {x: y}}}, {ipBlock: {cidr: 10.0.0.0/8}}]
    ports: [{port: 53, protocol: UDP}, {port: 80}]`);
    assert.deepEqual(p.ingress.map((r) => r.origin?.path), ['spec.ingress[0]', 'spec.ingress[1]', 'spec.ingress[1]', 'spec.ingress[1]', 'spec.ingress[1]']);
  });
});

describe('manifest names as the Kubernetes API accepts them', () => {
  const ns = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: "${name}"}`;
  const pod = (name: string, namespace: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: "${name}", namespace: "${namespace}"}`;
  it('accepts DNS-1123 names, dotted Calico policy names and 253-character pod names', () => {
    assert.equal(parseManifests([ns('prod-1'), pod('web-1.a', 'prod-1'), pod('a'.repeat(253), 'x')].join('\n---\n')).length, 3);
    assert.equal(one(`apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: security.deny-all}\nspec: {tier: security}`).name, 'security.deny-all');
  });
  it('rejects anything else, naming metadata.name or metadata.namespace', () => {
    assert.deepEqual(problems(ns("' OR 1=1 --")), ['metadata.name']);
    assert.deepEqual(problems(ns('a.b')), ['metadata.name'], 'a namespace is a DNS label: no dots');
    assert.deepEqual(problems(ns('a'.repeat(64))), ['metadata.name']);
    assert.deepEqual(problems(pod('Web', 'a')), ['metadata.name']);
    assert.deepEqual(problems(pod('web-', 'a')), ['metadata.name']);
    assert.deepEqual(problems(pod('web', 'A')), ['metadata.namespace']);
    assert.deepEqual(problems(pod('a'.repeat(254), 'a')), ['metadata.name']);
  });
});

describe('a Kubernetes NetworkPolicy reports every problem, not only the first', () => {
  it('selector, several rules and policyTypes at once', () => {
    assert.deepEqual(
      problems(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: k, namespace: a}
spec:
  podSelector: {matchExpressions: [{key: a, operator: Maybe}]}
  policyTypes: [Sideways]
  ingress: [{ports: [{protocol: ICMP}]}, {from: []}, {ports: [{port: 80, endPort: 79}]}]
  egress: [{to: [{ipBlock: {cidr: nope}}]}]`),
      ['spec.podSelector.matchExpressions[0].operator', 'spec.ingress[0].ports[0].protocol', 'spec.ingress[2].ports[0].endPort', 'spec.egress[0].to[0].ipBlock.cidr', 'spec.policyTypes[0]'],
    );
  });
});
