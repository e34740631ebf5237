import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goldmaneFlowToRecord } from '../../../../src/ingest/formats/goldmane-flow.parser';
import { parsePolicyHitString } from '../../../../src/policy';
import { FELIX_EOT_DENY } from './felix-fixtures';

/**
 * Calico renders an end-of-tier hit as its trigger's name part with rule -1 (goldmane/proto/
 * methods.go makeNamePart); Felix sends the struct HitFromString builds from that string. Reading
 * the struct must give the hit flowscope reads from Calico's string, for every policy kind.
 */
interface Kind {
  readonly n: number;
  /** The trigger's name as HitFromString leaves it, and the string's name part (makeNamePart). */
  readonly build: (tier: string, ns: string, base: string) => { name: string; namespace?: string; part: string };
}

const KINDS: readonly Kind[] = [
  { n: 2, build: (tier, _ns, base) => ({ name: `${tier}.${base}`, part: `${tier}.${base}` }) },
  { n: 1, build: (tier, ns, base) => ({ name: `${tier}.${base}`, namespace: ns, part: `${ns}/${tier}.${base}` }) },
  { n: 6, build: (_tier, ns, base) => ({ name: base, namespace: ns, part: `${ns}/knp.default.${base}` }) },
  { n: 5, build: (_tier, ns, base) => ({ name: base, namespace: ns, part: `${ns}/staged:knp.default.${base}` }) },
  { n: 4, build: (tier, _ns, base) => ({ name: base, part: `${tier}.staged:${base}` }) },
  { n: 3, build: (tier, ns, base) => ({ name: base, namespace: ns, part: `${ns}/${tier}.staged:${base}` }) },
];

/** A small deterministic PRNG (mulberry32): reproducible cases without a dependency. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function readHit(hit: Record<string, unknown>): string {
  return goldmaneFlowToRecord({ ...FELIX_EOT_DENY, Key: { ...FELIX_EOT_DENY.Key, policies: { enforced_policies: [hit] } } }).enforcedHits[0];
}

describe('end-of-tier hits read from Felix structs equal Calico strings', () => {
  it("matches Calico's own end-of-tier test strings", () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['0|tier1|ns1/tier1.policy1|deny|-1', { kind: 10, tier: 'tier1', action: 2, rule_index: -1, trigger: { kind: 1, namespace: 'ns1', name: 'tier1.policy1', tier: 'tier1' } }],
      ['1|tier1|ns1/tier1.policy1|allow|-1', { kind: 10, tier: 'tier1', action: 1, policy_index: 1, rule_index: -1, trigger: { kind: 1, namespace: 'ns1', name: 'tier1.policy1', tier: 'tier1' } }],
      ['2|adminnetworkpolicy|adminnetworkpolicy.policy1|allow|-1', { kind: 10, tier: 'adminnetworkpolicy', action: 1, policy_index: 2, rule_index: -1, trigger: { kind: 2, name: 'adminnetworkpolicy.policy1', tier: 'adminnetworkpolicy' } }],
      ['1|tier2|default/tier2.staged:np2-1|deny|-1', { kind: 10, tier: 'tier2', action: 2, policy_index: 1, rule_index: -1, trigger: { kind: 3, namespace: 'default', name: 'np2-1', tier: 'tier2' } }],
    ];
    for (const [calico, struct] of cases) assert.deepEqual(parsePolicyHitString(readHit(struct)), parsePolicyHitString(calico), calico);
  });

  it('holds for random kinds, tiers, namespaces, names, actions and positions', () => {
    const rnd = prng(9);
    const word = () => ['web', 'db', 'kube-system', 'a1', 'x-y-z', 'pay.ments'][Math.floor(rnd() * 6)];
    for (let i = 0; i < 500; i++) {
      const kind = KINDS[Math.floor(rnd() * KINDS.length)];
      const tier = ['default', 'security', 'platform', 't1'][Math.floor(rnd() * 4)];
      const ns = word();
      const base = `${word()}-${i}`;
      const action = 1 + Math.floor(rnd() * 3);
      const index = Math.floor(rnd() * 8);
      const { name, namespace, part } = kind.build(tier, ns, base);
      const trigger: Record<string, unknown> = { kind: kind.n, name, tier };
      if (namespace) trigger.namespace = namespace;
      const struct: Record<string, unknown> = { kind: 10, tier, action, rule_index: -1, trigger };
      if (index) struct.policy_index = index;
      const calico = `${index}|${tier}|${part}|${['', 'allow', 'deny', 'pass'][action]}|-1`;
      assert.deepEqual(parsePolicyHitString(readHit(struct)), parsePolicyHitString(calico), calico);
    }
  });
});
