import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT, snap, WEB } from './helpers';
import { fromGoldmanePolicyHit, fromGoldmanePolicyHits, parsePolicyHitString, parsePolicyHitStrings, PolicyHitParseError } from '../../../src/policy';

const brief = (s: string) => {
  const h = parsePolicyHitString(s);
  return [h.index, h.tier, h.kind, h.namespace, h.name, h.action, h.ruleIndex];
};

describe('policy-hit strings', () => {
  it('G1: four fields, no rule index', () => {
    assert.deepEqual(brief('0|default|policy-demo/default.access-nginx|allow'), [0, 'default', 'NetworkPolicy', 'policy-demo', 'default.access-nginx', 'allow', -2]);
  });
  it('G2: every name form', () => {
    assert.deepEqual(brief('0|security|security.block|deny|1'), [0, 'security', 'GlobalNetworkPolicy', '', 'security.block', 'deny', 1]);
    assert.deepEqual(brief('1|tier1|ns1/tier1.np|pass|0'), [1, 'tier1', 'NetworkPolicy', 'ns1', 'tier1.np', 'pass', 0]);
    assert.deepEqual(brief('2|default|ns1/knp.default.web|allow|3'), [2, 'default', 'KubernetesNetworkPolicy', 'ns1', 'knp.default.web', 'allow', 3]);
    assert.deepEqual(brief('0|tier1|ns1/staged:tier1.np|deny|-1'), [0, 'tier1', 'StagedNetworkPolicy', 'ns1', 'tier1.np', 'deny', -1]);
    assert.deepEqual(brief('0|tier1|ns1/tier1.staged:np|deny|-1'), [0, 'tier1', 'StagedNetworkPolicy', 'ns1', 'tier1.np', 'deny', -1]);
    assert.deepEqual(brief('0|tier1|staged:tier1.g|allow|0'), [0, 'tier1', 'StagedGlobalNetworkPolicy', '', 'tier1.g', 'allow', 0]);
    assert.deepEqual(brief('0|default|ns1/staged:knp.default.web|allow|0'), [0, 'default', 'StagedKubernetesNetworkPolicy', 'ns1', 'knp.default.web', 'allow', 0]);
    assert.deepEqual(brief('1|__PROFILE__|__PROFILE__.kns.curl-ns|allow|0'), [1, '__PROFILE__', 'Profile', '', 'kns.curl-ns', 'allow', 0]);
    assert.deepEqual(brief('1|__PROFILE__|__PROFILE__.ksa.ns.sa|allow|0'), [1, '__PROFILE__', 'Profile', '', 'ksa.ns.sa', 'allow', 0]);
  });
  it('G3: kind-prefixed names', () => {
    assert.deepEqual(brief('0|tier1|np:default/tier1.np1-1|pass|0'), [0, 'tier1', 'NetworkPolicy', 'default', 'tier1.np1-1', 'pass', 0]);
    assert.deepEqual(brief('1|tier2|snp:default/tier2.np2-1|deny|-1'), [1, 'tier2', 'StagedNetworkPolicy', 'default', 'tier2.np2-1', 'deny', -1]);
    assert.deepEqual(brief('0|default|knp:namespace/name|allow|2'), [0, 'default', 'KubernetesNetworkPolicy', 'namespace', 'knp.default.name', 'allow', 2]);
    assert.deepEqual(brief('0|default|sknp:ns/name|allow|2'), [0, 'default', 'StagedKubernetesNetworkPolicy', 'ns', 'knp.default.name', 'allow', 2]);
    assert.deepEqual(brief('0|kube-admin|kcnp:name|deny|1'), [0, 'kube-admin', 'ClusterNetworkPolicy', '', 'name', 'deny', 1]);
    assert.deepEqual(brief('1|__PROFILE__|pro:kns.default|allow|0'), [1, '__PROFILE__', 'Profile', '', 'kns.default', 'allow', 0]);
    assert.deepEqual(brief('0|sec|gnp:sec.block|deny|0'), [0, 'sec', 'GlobalNetworkPolicy', '', 'sec.block', 'deny', 0]);
    assert.deepEqual(brief('0|sec|sgnp:block|deny|0'), [0, 'sec', 'StagedGlobalNetworkPolicy', '', 'sec.block', 'deny', 0]);
    assert.deepEqual(brief('2|t|eot:__NO_MATCH__|deny|-1'), [2, 't', 'EndOfTier', '', '__NO_MATCH__', 'deny', -1]);
  });
  it('next-tier is pass', () => assert.equal(parsePolicyHitString('0|t|t.p|next-tier|0').action, 'pass'));
  it('sorts by leading index', () => {
    const hits = parsePolicyHitStrings(['2|__PROFILE__|pro:kns.a|allow|0', '0|t1|gnp:t1.a|pass|1', '1|t2|gnp:t2.b|pass|-1']);
    assert.deepEqual(
      hits.map((h) => h.index),
      [0, 1, 2],
    );
  });
  it('G2 and G3 spellings of the same policy normalise to the same hit', () => {
    const { index: _a, ...g2 } = parsePolicyHitString('0|default|ns/knp.default.web|allow|1');
    const { index: _b, ...g3 } = parsePolicyHitString('5|default|knp:ns/web|allow|1');
    assert.deepEqual(g2, g3);
  });
  const bad: Array<[string, string]> = [
    ['0|default|x', 'fields'],
    ['a|default|ns/p|allow|0', 'index'],
    ['0||ns/p|allow|0', 'tier'],
    ['0|default|ns/p|accept|0', 'action'],
    ['0|default|ns/p|allow|x', 'ruleIndex'],
    ['0|default|ns/p|allow|-3', 'ruleIndex'],
    ['0|default|np:p|allow|0', 'name'],
    ['0|default||allow|0', 'name'],
  ];
  for (const [s, field] of bad) {
    it(`rejects ${s} naming field ${field}`, () => {
      assert.throws(
        () => parsePolicyHitString(s),
        (e: unknown) => e instanceof PolicyHitParseError && e.field === field && e.message.includes(JSON.stringify(s)),
      );
    });
  }
});

describe('Goldmane PolicyHit conversion', () => {
  it('maps integer enums and fills omitted zero values', () => {
    const h = fromGoldmanePolicyHit({ kind: 6, namespace: 'shop', name: 'web', tier: 'default', action: 1, rule_index: 2 });
    assert.deepEqual(h, { index: 0, tier: 'default', kind: 'KubernetesNetworkPolicy', namespace: 'shop', name: 'knp.default.web', action: 'allow', ruleIndex: 2 });
  });
  it('converts end-of-tier hits with their trigger', () => {
    const h = fromGoldmanePolicyHit({
      kind: 10,
      name: '__NO_MATCH__',
      tier: 'security',
      action: 2,
      policy_index: 1,
      rule_index: -1,
      trigger: { kind: 2, name: 'security.block', tier: 'security', action: 2 },
    });
    assert.deepEqual([h.kind, h.action, h.ruleIndex, h.trigger?.kind, h.trigger?.name], ['EndOfTier', 'deny', -1, 'GlobalNetworkPolicy', 'security.block']);
  });
  it('maps every kind and pass', () => {
    const kinds = [1, 2, 3, 4, 5, 6, 9, 11].map((k) => fromGoldmanePolicyHit({ kind: k, name: 'p', namespace: 'n', tier: 't', action: 3 }).kind);
    assert.deepEqual(kinds, [
      'NetworkPolicy',
      'GlobalNetworkPolicy',
      'StagedNetworkPolicy',
      'StagedGlobalNetworkPolicy',
      'StagedKubernetesNetworkPolicy',
      'KubernetesNetworkPolicy',
      'Profile',
      'ClusterNetworkPolicy',
    ]);
    assert.equal(fromGoldmanePolicyHit({ kind: 1, name: 'p', namespace: 'n', tier: 't', action: 3 }).action, 'pass');
  });
  it('accepts the kinds and names of other Goldmane versions', () => {
    const kindOf = (kind: number | string) => fromGoldmanePolicyHit({ kind, name: 'p', tier: 'kube-admin', action: 2 }).kind;
    assert.deepEqual([7, 8, 'AdminNetworkPolicy', 'ClusterNetworkPolicyBaselineTier'].map(kindOf), Array(4).fill('ClusterNetworkPolicy'));
    assert.equal(kindOf('CalicoGlobalNetworkPolicy'), 'GlobalNetworkPolicy');
    assert.equal(fromGoldmanePolicyHit({ kind: 2, name: 'p', tier: 't', action: 'deny' }).action, 'deny');
    assert.throws(() => fromGoldmanePolicyHit({ kind: 12, name: 'p', tier: 't', action: 1 }), /unknown PolicyKind 12/);
  });
  it('sorts by policy_index and rejects unknown enums', () => {
    assert.deepEqual(
      fromGoldmanePolicyHits([
        { kind: 9, name: 'kns.a', tier: '__PROFILE__', action: 1, policy_index: 1 },
        { kind: 2, name: 'g', tier: 't', action: 3 },
      ]).map((h) => h.name),
      ['t.g', 'kns.a'],
    );
    assert.throws(() => fromGoldmanePolicyHit({ kind: 12, name: 'x', tier: 't', action: 1 }), (e: unknown) => e instanceof PolicyHitParseError && e.field === 'kind');
    assert.throws(() => fromGoldmanePolicyHit({ kind: 1, name: 'x', tier: 't', action: 0 }), (e: unknown) => e instanceof PolicyHitParseError && e.field === 'action');
  });
});

describe('trace hits and recorded hits share one shape', () => {
  it('an engine trace equals the parsed G2 and G3 record of the same decision', () => {
    const s = snap(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: 443}]}]`);
    const trace = s.evaluateFlow({ srcIp: CLIENT, dstIp: WEB, protocol: 'tcp', dstPort: 80 }).ingress!.enforced.trace.hits;
    const strip = (h: { index: number; tier: string; kind: string; namespace: string; name: string; action: string; ruleIndex: number }) => [
      h.index,
      h.tier,
      h.kind,
      h.namespace,
      h.name,
      h.action,
      h.ruleIndex,
    ];
    assert.deepEqual(trace.map(strip), parsePolicyHitStrings(['0|default|prod/knp.default.web|deny|-1']).map(strip));
    assert.deepEqual(trace.map(strip), parsePolicyHitStrings(['0|default|knp:prod/web|deny|-1']).map(strip));
  });
});
