import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyHit, parsePolicyHitString, renderPolicyHitG3 } from '../../../src/policy';

/** One canonical hit per kind, as the engine's parsers produce them. */
const HITS: PolicyHit[] = [
  { index: 0, tier: 'security', kind: 'GlobalNetworkPolicy', namespace: '', name: 'security.block-list', action: 'pass', ruleIndex: -1 },
  { index: 1, tier: 'tier1', kind: 'NetworkPolicy', namespace: 'default', name: 'tier1.np1-1', action: 'pass', ruleIndex: 0 },
  { index: 2, tier: 'default', kind: 'KubernetesNetworkPolicy', namespace: 'shop', name: 'knp.default.allow-web', action: 'allow', ruleIndex: 2 },
  { index: 3, tier: 'security', kind: 'StagedGlobalNetworkPolicy', namespace: '', name: 'security.lockdown', action: 'deny', ruleIndex: 4 },
  { index: 1, tier: 'tier2', kind: 'StagedNetworkPolicy', namespace: 'default', name: 'tier2.np2-1', action: 'deny', ruleIndex: -1 },
  { index: 2, tier: 'default', kind: 'StagedKubernetesNetworkPolicy', namespace: 'shop', name: 'knp.default.lockdown', action: 'deny', ruleIndex: -2 },
  { index: 0, tier: 'kube-admin', kind: 'ClusterNetworkPolicy', namespace: '', name: 'name', action: 'deny', ruleIndex: 1 },
  { index: 1, tier: '__PROFILE__', kind: 'Profile', namespace: '', name: 'kns.default', action: 'allow', ruleIndex: 0 },
  { index: 4, tier: 'tier3', kind: 'EndOfTier', namespace: '', name: '__NO_MATCH__', action: 'deny', ruleIndex: -1 },
];

describe('renderPolicyHitG3', () => {
  it('covers every kind the engine knows', () => {
    assert.deepEqual(new Set(HITS.map((h) => h.kind)).size, 9);
  });

  for (const hit of HITS) {
    it(`round-trips ${hit.kind} through parsePolicyHitString`, () => {
      const s = renderPolicyHitG3(hit);
      assert.deepEqual(parsePolicyHitString(s), hit);
    });
  }

  it('writes the documented G3 forms', () => {
    assert.equal(renderPolicyHitG3(HITS[1]), '1|tier1|np:default/tier1.np1-1|pass|0');
    assert.equal(renderPolicyHitG3(HITS[4]), '1|tier2|snp:default/tier2.np2-1|deny|-1');
    assert.equal(renderPolicyHitG3({ ...HITS[2], index: 0, namespace: 'namespace', name: 'knp.default.name' }), '0|default|knp:namespace/name|allow|2');
    assert.equal(renderPolicyHitG3(HITS[6]), '0|kube-admin|kcnp:name|deny|1');
    assert.equal(renderPolicyHitG3(HITS[7]), '1|__PROFILE__|pro:kns.default|allow|0');
    assert.equal(renderPolicyHitG3(HITS[8]), '4|tier3|eot:__NO_MATCH__|deny|-1');
  });

  it('drops a G2-style `__PROFILE__.` prefix from profile names', () => {
    assert.equal(renderPolicyHitG3({ ...HITS[7], name: '__PROFILE__.kns.curl-ns' }), '1|__PROFILE__|pro:kns.curl-ns|allow|0');
  });

  it('refuses hits that have no G3 string', () => {
    assert.throws(() => renderPolicyHitG3({ ...HITS[1], namespace: '' }), /namespace: NetworkPolicy "tier1.np1-1" has no namespace/);
    assert.throws(() => renderPolicyHitG3({ ...HITS[0], name: 'security.a|b' }), /contains '\|'/);
    assert.throws(() => renderPolicyHitG3({ ...HITS[6], name: 'a/b' }), /contains '\/'/);
  });
});
