import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Direction, parseManifests, PolicyResource } from '../../../src/policy';
import { Prng } from '../../../src/simulator/prng.util';
import type { TrafficEdge } from '../../../src/storage/suggest.repository';
import { checkK8sContainment, k8sRulePart, narrowK8sRule } from '../../../src/suggest/k8s-tighten';

type K8sRule = Record<string, unknown>;

function randomRule(rnd: Prng, field: 'from' | 'to'): K8sRule {
  const rule: K8sRule = {};
  const peers = rnd.int(0, 3);
  if (peers) rule[field] = Array.from({ length: peers }, (_, i) => (i % 2 ? { namespaceSelector: {} } : { podSelector: { matchLabels: { app: `a${i}` } } }));
  const ports = rnd.int(0, 3);
  if (ports) rule.ports = Array.from({ length: ports }, () => ({ ...(rnd.next() < 0.5 ? { protocol: rnd.pick(['TCP', 'UDP', 'SCTP']) } : {}), port: rnd.int(1, 9000) }));
  return rule;
}

const edge = (over: Partial<TrafficEdge>): TrafficEdge => ({
  policy: 'p', ruleIndex: 0, decisionKind: 'rule', direction: 'ingress', localNamespace: 'db', localWorkload: 'pg', peerType: 'wep', peerNamespace: 'shop', peerWorkload: 'ReplicaSet/web',
  peerIp: '', protocol: 'tcp', port: 5432, records: 1, flows: 1, bytes: 1, firstSeen: 0, lastSeen: 0, sampleIds: [], ...over,
});
const opts = { namespace: 'db', stableLabels: () => [['app', 'web']] as Array<[string, string]>, cidrBudget: 0 };

describe('Kubernetes NetworkPolicy rules', () => {
  it('property: maps every model rule index to the written rule, peer and protocol it was converted from', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = new Prng(seed);
      const direction: Direction = rnd.next() < 0.5 ? 'ingress' : 'egress';
      const field = direction === 'ingress' ? 'from' : 'to';
      const rules = Array.from({ length: rnd.int(1, 4) }, () => randomRule(rnd, field));
      const manifest = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'db' }, spec: { podSelector: {}, policyTypes: [direction === 'ingress' ? 'Ingress' : 'Egress'], [direction]: rules } };
      const policy = parseManifests([manifest])[0] as PolicyResource;
      policy[direction].forEach((modelRule, j) => {
        const part = k8sRulePart(rules, direction, j)!;
        assert.equal(modelRule.origin?.path, `spec.${direction}[${part.rule}]`, `seed ${seed} rule ${j}`);
        const protocolName = modelRule.protocol === undefined ? '' : { 6: 'TCP', 17: 'UDP', 132: 'SCTP' }[modelRule.protocol as number];
        assert.equal(part.protocol, protocolName, `seed ${seed} rule ${j} protocol`);
        const peers = (rules[part.rule][field] as unknown[] | undefined) ?? [];
        assert.equal(part.peer === null, peers.length === 0);
      });
      assert.equal(k8sRulePart(rules, direction, policy[direction].length), null);
    }
  });

  it('narrows an ipBlock peer to the observed addresses inside it, keeping the exceptions that still apply', () => {
    const original = { from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 443 }] };
    const edges = [edge({ peerType: 'net', peerIp: '10.0.0.1', port: 443 }), edge({ peerType: 'net', peerIp: '10.0.0.2', port: 443 })];
    const rules = narrowK8sRule(original, 'ingress', { rule: 0, peer: 0, protocol: 'TCP' }, edges, { ...opts, cidrBudget: 2 })!;
    assert.deepEqual(rules, [{ from: [{ ipBlock: { cidr: '10.0.0.0/30' } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
    assert.deepEqual(checkK8sContainment(original, rules, 'ingress'), { contained: true, problems: [] });
    assert.equal(narrowK8sRule(original, 'ingress', { rule: 0, peer: 0, protocol: 'TCP' }, [edge({})], opts), null, 'a pod seen through an ipBlock cannot be written as one');
  });

  it('keeps named ports as written and writes observed ranges as port/endPort', () => {
    const named = narrowK8sRule({ ports: [{ port: 'http' }] }, 'ingress', { rule: 0, peer: null, protocol: 'TCP' }, [edge({ port: 8080 })], opts)!;
    assert.deepEqual(named, [{ from: [{ podSelector: { matchLabels: { app: 'web' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }], ports: [{ port: 'http' }] }]);
    const ranged = narrowK8sRule({}, 'egress', { rule: 0, peer: null, protocol: '' }, [8000, 8001, 8002, 9000].map((port) => edge({ port, peerNamespace: 'db' })), opts)!;
    assert.deepEqual(ranged, [{ to: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 8000, endPort: 8002 }, { protocol: 'TCP', port: 9000 }] }]);
  });

  it('reports a proposed rule that would allow more than the original', () => {
    const original = { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] };
    const wider = [
      { from: [{ podSelector: {} }], ports: [{ port: 5432 }] },
      { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432, endPort: 5433 }] },
      { from: [{ podSelector: { matchLabels: { app: 'web' } }, namespaceSelector: {} }], ports: [{ port: 5432 }] },
      { ports: [{ port: 5432 }] },
      { from: [{ podSelector: { matchLabels: { app: 'web', tier: 'x' } } }], ports: [{ protocol: 'UDP', port: 5432 }] },
    ];
    assert.deepEqual(checkK8sContainment(original, wider, 'ingress').problems, [
      'rule 0: from[0] is not inside a peer of the original',
      'rule 1: ports are not inside the original\'s',
      'rule 2: from[0] is not inside a peer of the original',
      'rule 3: allows any peer where the original named peers',
      'rule 4: ports are not inside the original\'s',
    ]);
  });
});
