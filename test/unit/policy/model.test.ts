import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests, ManifestParseError, parseManifests, PolicyResource, ResourceValidationError } from '../../../src/policy';

function one(yaml: string): PolicyResource {
  const [r] = parseManifests(yaml);
  return r as PolicyResource;
}

function rejects(yaml: string, path: string, re?: RegExp): void {
  assert.throws(
    () => parseManifests(yaml),
    (e: unknown) => e instanceof ResourceValidationError && e.path === path && (!re || re.test(e.message)),
  );
}

const KNP = (spec: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: shop}
spec:
${spec}`;

describe('Kubernetes NetworkPolicy conversion', () => {
  it('lands in tier default at order 1000 as knp.default.<name>, selecting pods of its namespace', () => {
    const p = one(KNP(`  podSelector: {matchLabels: {app: web}}`));
    assert.deepEqual([p.kind, p.tier, p.order, p.name, p.namespace, p.key], ['KubernetesNetworkPolicy', 'default', 1000, 'knp.default.np', 'shop', 'KubernetesNetworkPolicy/shop/knp.default.np']);
    assert.equal(p.selector.toString(), '(projectcalico.org/orchestrator == "k8s" && app == "web")');
  });
  it('policyTypes absent: Ingress only, plus Egress when egress rules exist', () => {
    assert.deepEqual(one(KNP(`  podSelector: {}`)).types, ['ingress']);
    assert.deepEqual(one(KNP(`  podSelector: {}\n  egress: [{}]`)).types, ['ingress', 'egress']);
    assert.deepEqual(one(KNP(`  podSelector: {}\n  policyTypes: [Egress]`)).types, ['egress']);
  });
  it('expands one rule per (protocol x peer), protocol-major, protocols sorted', () => {
    const p = one(
      KNP(`  podSelector: {}
  ingress:
  - from:
    - podSelector: {matchLabels: {role: fe}}
    - namespaceSelector: {matchLabels: {team: a}}
    ports:
    - {protocol: UDP, port: 53}
    - {port: 80}
    - {port: 81}
    - {protocol: TCP, port: 443}
  - from: [{ipBlock: {cidr: 10.0.0.0/8}}]`),
    );
    const summary = p.ingress.map((r) => [
      r.protocol,
      r.source.selector?.toString() ?? '',
      r.source.namespaceSelector?.toString() ?? '',
      r.destination.ports.map((x) => (x.kind === 'range' ? `${x.min}:${x.max}` : x.name)).join(','),
      r.source.nets.join(','),
    ]);
    assert.deepEqual(summary, [
      [6, '(projectcalico.org/orchestrator == "k8s" && role == "fe")', '', '80:81,443:443', ''],
      [6, 'projectcalico.org/orchestrator == "k8s"', 'team == "a"', '80:81,443:443', ''],
      [17, '(projectcalico.org/orchestrator == "k8s" && role == "fe")', '', '53:53', ''],
      [17, 'projectcalico.org/orchestrator == "k8s"', 'team == "a"', '53:53', ''],
      [undefined, '', '', '', '10.0.0.0/8'],
    ]);
    assert.ok(p.ingress.every((r) => r.action === 'Allow'));
  });
  it('ipBlock except becomes notNets; empty namespaceSelector becomes all()', () => {
    const p = one(
      KNP(`  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock: {cidr: 172.16.0.0/12, except: [172.16.1.0/24]}
    - namespaceSelector: {}
      podSelector: {matchExpressions: [{key: tier, operator: In, values: [a, b]}, {key: x, operator: DoesNotExist}]}`),
    );
    assert.deepEqual([p.egress[0].destination.nets, p.egress[0].destination.notNets], [['172.16.0.0/12'], ['172.16.1.0/24']]);
    assert.equal(p.egress[1].destination.namespaceSelector?.toString(), 'all()');
    assert.equal(p.egress[1].destination.selector?.toString(), '(projectcalico.org/orchestrator == "k8s" && tier in {"a", "b"} && !has(x))');
  });
  it('a port with only a protocol allows all ports of it; named ports and endPort ranges carry over', () => {
    const p = one(KNP(`  podSelector: {}\n  ingress: [{ports: [{protocol: SCTP}, {port: http}, {port: 8000, endPort: 8010}]}]`));
    assert.deepEqual(
      p.ingress.map((r) => [r.protocol, r.destination.ports]),
      [
        [132, []],
        [
          6,
          [
            { kind: 'named', name: 'http' },
            { kind: 'range', min: 8000, max: 8010 },
          ],
        ],
      ],
    );
  });
  it('rejects an ipBlock except outside its cidr and a bad operator, with field paths', () => {
    rejects(KNP(`  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}]}]`), 'spec.ingress[0].from[0].ipBlock.except[0]');
    rejects(KNP(`  podSelector: {matchExpressions: [{key: a, operator: Maybe}]}`), 'spec.podSelector.matchExpressions[0].operator');
    rejects(KNP(`  podSelector: {}\n  ingress: [{ports: [{protocol: ICMP}]}]`), 'spec.ingress[0].ports[0].protocol');
    rejects(KNP(`  podSelector: {}\n  egress: [{ports: [{port: 80, endPort: 79}]}]`), 'spec.egress[0].ports[0].endPort');
  });
});

const GNP = (spec: string) => `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: g}
spec:
${spec}`;

describe('Calico resource validation', () => {
  it('reports the field path of a bad port', () => {
    rejects(GNP(`  ingress:\n  - {action: Allow}\n  - {action: Allow}\n  - action: Allow\n    protocol: TCP\n    destination: {ports: ["x:y"]}`), 'spec.ingress[2].destination.ports[0]', /GlobalNetworkPolicy g/);
  });
  it('reports bad selectors with the path and the position', () => {
    rejects(GNP(`  selector: "app = 'x'"`), 'spec.selector', /position 4/);
    rejects(GNP(`  egress: [{action: Allow, destination: {namespaceSelector: "has(x"}}]`), 'spec.egress[0].destination.namespaceSelector', /position 5/);
  });
  it('numeric ports need TCP, UDP or SCTP; named ports are fine without protocol', () => {
    rejects(GNP(`  ingress: [{action: Allow, destination: {ports: [80]}}]`), 'spec.ingress[0].destination.ports[0]', /protocol/);
    rejects(GNP(`  ingress: [{action: Allow, protocol: ICMP, destination: {ports: [http]}}]`), 'spec.ingress[0].destination.ports[0]');
    assert.equal(one(GNP(`  ingress: [{action: Allow, destination: {ports: [http]}}]`)).ingress.length, 1);
  });
  it('icmp needs an ICMP protocol and code needs type', () => {
    rejects(GNP(`  ingress: [{action: Allow, protocol: TCP, icmp: {type: 8}}]`), 'spec.ingress[0].icmp');
    rejects(GNP(`  ingress: [{action: Allow, protocol: ICMP, icmp: {code: 0}}]`), 'spec.ingress[0].icmp.code');
  });
  it('rejects unknown actions, protocols, CIDRs, tiers default actions and types', () => {
    rejects(GNP(`  ingress: [{action: Accept}]`), 'spec.ingress[0].action');
    rejects(GNP(`  ingress: [{action: Allow, protocol: QUIC}]`), 'spec.ingress[0].protocol');
    rejects(GNP(`  ingress: [{action: Allow, source: {nets: [10.0.0.0/33]}}]`), 'spec.ingress[0].source.nets[0]');
    rejects(GNP(`  types: [Sideways]`), 'spec.types[0]');
    rejects(`apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: t}\nspec: {defaultAction: Allow}`, 'spec.defaultAction');
    rejects(`apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {namespace: x}\nspec: {}`, 'metadata.name');
    rejects(`apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {a: 1}}`, 'metadata.labels.a');
  });
  it('applies Calico defaults: types from rules, tier default, tier-prefixed names', () => {
    const eg = one(GNP(`  egress: [{action: Allow}]`));
    assert.deepEqual([eg.types, eg.tier, eg.name, eg.order, eg.key], [['egress'], 'default', 'default.g', null, 'GlobalNetworkPolicy//default.g']);
    assert.deepEqual(one(GNP(`  ingress: [{action: Allow}]\n  egress: [{action: Allow}]`)).types, ['ingress', 'egress']);
    const tiered = one(GNP(`  tier: security\n  order: 5`));
    assert.deepEqual([tiered.name, tiered.tier, tiered.order, tiered.types], ['security.g', 'security', 5, ['ingress']]);
  });
  it('collects every error and skips unmodelled kinds in lenient loading', () => {
    const res = loadManifests(`apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
---
${GNP(`  ingress: [{action: Nope}]`)}
---
apiVersion: v1
kind: Namespace
metadata: {name: ok}
---
${GNP(`  selector: "("`)}`);
    assert.equal(res.resources.length, 1);
    assert.deepEqual(res.skipped.map((s) => s.kind), ['Deployment']);
    assert.deepEqual(res.errors.map((e) => [e.path, e.documentIndex]), [
      ['spec.ingress[0].action', 1],
      ['spec.selector', 3],
    ]);
  });
});

describe('manifest formats', () => {
  it('reads JSON objects, arrays and kind: List', () => {
    const ns = (n: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } });
    assert.equal(parseManifests(JSON.stringify(ns('a'))).length, 1);
    assert.equal(parseManifests(JSON.stringify([ns('a'), ns('b')])).length, 2);
    assert.deepEqual(
      parseManifests(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [ns('a'), ns('b'), ns('c')] })).map((r) => r.key),
      ['Namespace//a', 'Namespace//b', 'Namespace//c'],
    );
  });
  it('reads multi-document YAML and reports syntax errors', () => {
    assert.equal(parseManifests('---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n').length, 2);
    assert.throws(() => parseManifests('a: [1, 2'), ManifestParseError);
    assert.throws(() => parseManifests('{"a": '), ManifestParseError);
  });
  it('normalises pods: IPs, node, service account, named ports, owners', () => {
    const [p] = parseManifests(`apiVersion: v1
kind: Pod
metadata:
  name: web-1
  labels: {app: web}
  ownerReferences: [{kind: ReplicaSet, name: web-abc, controller: true}]
spec:
  nodeName: n1
  containers: [{name: c, ports: [{name: http, containerPort: 80}, {containerPort: 81}, {name: q, containerPort: 53, protocol: UDP}]}]
status: {podIP: 10.1.1.1, podIPs: [{ip: 10.1.1.1}, {ip: "fd00::0:1"}]}`);
    assert.equal(p.kind, 'Pod');
    if (p.kind !== 'Pod') return;
    assert.deepEqual([p.key, p.namespace, p.node, p.serviceAccount, p.ips], ['Pod/default/web-1', 'default', 'n1', 'default', ['10.1.1.1', 'fd00::1']]);
    assert.deepEqual(p.ports, [
      { name: 'http', port: 80, protocol: 6 },
      { name: 'q', port: 53, protocol: 17 },
    ]);
    assert.deepEqual(p.ownerReferences, [{ kind: 'ReplicaSet', name: 'web-abc', uid: undefined, controller: true }]);
  });
});
