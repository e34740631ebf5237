import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseManifests, PolicyResource } from '../../../src/policy';
import type { RuleUse } from '../../../src/storage/suggest.repository';
import { cidrsWithin, coverAddresses } from '../../../src/suggest/cidr-cover';
import { confidenceOf } from '../../../src/suggest/confidence';
import { unusedFindings } from '../../../src/suggest/findings';
import { mergePorts, portManifestValues } from '../../../src/suggest/port-set';
import { checkContainment, placementFor } from '../../../src/suggest/proposals';
import { selectorFor, stableLabels } from '../../../src/suggest/workload';

describe('ports', () => {
  it('merges ports into sorted lists and ranges', () => {
    assert.deepEqual(portManifestValues(mergePorts([443, 80, 81, 82, 8080, { min: 8000, max: 8079 }])), ['80:82', 443, '8000:8080']);
  });
});

describe('CIDRs within a budget of never-seen addresses', () => {
  it('is exact with no budget, merging only complete blocks', () => {
    assert.deepEqual(coverAddresses(['10.0.0.1', '10.0.0.0', '10.0.0.7'], 0), ['10.0.0.0/31', '10.0.0.7/32']);
  });
  it('widens while the never-seen addresses stay within the budget', () => {
    assert.deepEqual(coverAddresses(['10.0.0.1', '10.0.0.0', '10.0.0.7'], 5), ['10.0.0.0/29']);
    assert.deepEqual(coverAddresses(['10.0.0.1', '10.0.0.0', '10.0.0.7'], 2), ['10.0.0.0/30', '10.0.0.7/32']);
  });
  it('writes IPv6 addresses as single-address prefixes and checks containment', () => {
    assert.deepEqual(coverAddresses(['fd00::1'], 10), ['fd00::1/128']);
    assert.equal(cidrsWithin(['10.0.0.0/29'], ['10.0.0.0/24']), true);
    assert.equal(cidrsWithin(['10.0.0.0/23'], ['10.0.0.0/24']), false);
  });
});

describe('stable labels', () => {
  it('keeps labels every pod carried with the same value, never per-pod or per-revision ones', () => {
    const sets = [
      { app: 'web', version: 'v1', 'pod-template-hash': 'a' },
      { app: 'web', version: 'v2', 'pod-template-hash': 'a' },
    ];
    assert.deepEqual(stableLabels(sets), [['app', 'web']]);
    assert.equal(selectorFor(stableLabels([{ app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0', tier: "it's" }])), "app == 'db' && tier == 'it\\'s'");
    assert.equal(selectorFor([]), 'all()');
  });
});

describe('containment of a proposed rule in the original', () => {
  const original = { action: 'Allow', protocol: 'TCP', source: { namespaceSelector: 'all()' }, destination: { ports: [5432, '8000:9000'] } };
  it('accepts narrower ports, AND-ed selectors and a dropped any-namespace selector', () => {
    const ok = checkContainment(original, [{ action: 'Allow', protocol: 'TCP', source: { selector: "app == 'web'" }, destination: { ports: [5432, 8080] } }], 'ingress');
    assert.deepEqual(ok, { contained: true, problems: [] });
  });
  it('rejects a selector that replaces instead of AND-ing the original', () => {
    const o = { action: 'Allow', source: { selector: "app == 'a'" } };
    assert.deepEqual(checkContainment(o, [{ action: 'Allow', source: { selector: "app == 'b'" } }], 'ingress').problems, ["rule 0: source selector does not narrow the original's"]);
    assert.equal(checkContainment(o, [{ action: 'Allow', source: { selector: "(app == 'a') && (x == 'y')" } }], 'ingress').contained, true);
  });
  it('names every way a rule escapes', () => {
    const bad = checkContainment(original, [{ action: 'Deny', protocol: 'UDP', source: { namespaceSelector: "team == 'x'", notSelector: 'a' }, destination: { ports: [22] } }], 'ingress');
    assert.deepEqual(bad.problems, [
      'rule 0: action differs from the original',
      'rule 0: protocol differs from the original',
      'rule 0: source.notSelector differs from the original',
      'rule 0: destination ports are not inside the original\'s',
    ]);
  });
});

describe('unused', () => {
  const policies = parseManifests(`
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: default.p, namespace: a }
spec:
  selector: all()
  ingress: [{ action: Log }, { action: Allow, protocol: TCP }]
---
apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata: { name: default.s, namespace: a }
spec:
  selector: all()
  ingress: [{ action: Deny }]
`) as PolicyResource[];
  const w = { from: 1000, to: 2000 };
  const use = (ruleIndex: number, hits: number): RuleUse => ({ policy: policies[0].key, direction: 'ingress', ruleIndex, hits, lastHit: hits ? 1500 : null, lastHitBefore: 500 });
  it('counts a Log rule hit as use and never reports a staged policy', () => {
    const f = unusedFindings(policies.map((resource) => ({ resource, since: 0, manifest: {} })), [use(0, 3), use(1, 0)], w);
    assert.deepEqual(f.map((x) => [x.kind, x.subject?.ruleIndex, x.unused?.lastHitBefore]), [['unused', 1, new Date(500).toISOString()]]);
  });
  it('reports a policy whose version is younger than the window as changed recently', () => {
    const f = unusedFindings([{ resource: policies[0], since: 1200, manifest: {} }], [], w);
    assert.deepEqual(f.map((x) => [x.kind, x.subject?.ruleIndex]), [['changed-recently', null]]);
  });
});

describe('placement and confidence', () => {
  it('places a new policy in the last Deny tier after its policies', () => {
    const p = placementFor(
      [
        { name: 'sec', order: 10, defaultAction: 'Deny' },
        { name: 'default', order: 1_000_000, defaultAction: 'Deny' },
        { name: 'late', order: null, defaultAction: 'Pass' },
      ],
      parseManifests('apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: { name: default.x, namespace: a }\nspec: { order: 250, selector: all() }\n') as PolicyResource[],
    );
    assert.deepEqual([p.tier, p.order], ['default', 300]);
  });
  it('rates coverage, volume and recurrence', () => {
    const day = 86_400_000;
    const edge = (first: number, last: number, records: number) => ({ firstSeen: first, lastSeen: last, records }) as never;
    const high = confidenceOf([edge(0, 3 * day, 2000)], 7, { from: 0, to: 7 * day });
    assert.deepEqual([high.level, high.score, high.reasons], ['high', 1, []]);
    const low = confidenceOf([edge(0, 1000, 3)], 2, { from: 0, to: 7 * day });
    assert.equal(low.level, 'low');
    assert.deepEqual(low.reasons, ['data on 2 of 7 days', '3 flow records (1000 or more for full weight)', '1 of 1 peer/port pairs seen on one day only']);
  });
});
