import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicySnapshot } from '../../../src/policy';
import { staticFindings } from '../../../src/suggest/static-analysis';

const BASE = `
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: sec }
spec: { order: 10 }
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: plat }
spec: { order: 20, defaultAction: Pass }
`;

function findings(yaml: string) {
  const snap = PolicySnapshot.fromManifests(BASE + yaml);
  return staticFindings(snap, { report: () => true, window: { from: 0, to: 1 } }).findings.map((f) => [
    f.kind,
    `${f.subject!.policy}#${f.subject!.ruleIndex}`,
    f.cover!.coveredBy.map((r) => `${r.policy}#${r.ruleIndex}`).join(','),
  ]);
}

describe('static rule analysis with tier semantics', () => {
  it('finds a rule covered by several earlier rules together, and ignores Log rules as coverers', () => {
    const r = findings(`---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: default.p, namespace: a }
spec:
  selector: all()
  ingress:
    - { action: Log, protocol: TCP }
    - { action: Allow, protocol: TCP, destination: { ports: ["1:100"] } }
    - { action: Deny, protocol: TCP, destination: { ports: ["101:200"] } }
    - { action: Allow, protocol: TCP, destination: { ports: ["50:150"] } }
`);
    assert.deepEqual(r, [['shadowed', 'NetworkPolicy/a/default.p#3', 'NetworkPolicy/a/default.p#1,NetworkPolicy/a/default.p#2']]);
  });

  it('a Pass in an earlier tier does not cover; a Pass earlier in the same tier does', () => {
    const r = findings(`---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: sec.pass }
spec:
  tier: sec
  order: 1
  selector: all()
  ingress: [{ action: Pass, protocol: TCP }, { action: Deny, protocol: TCP, destination: { ports: [22] } }]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: plat.p, namespace: a }
spec:
  tier: plat
  selector: all()
  ingress: [{ action: Allow, protocol: TCP, destination: { ports: [22] } }]
`);
    assert.deepEqual(r, [['shadowed', 'GlobalNetworkPolicy//sec.pass#1', 'GlobalNetworkPolicy//sec.pass#0']]);
  });

  it("an earlier tier ending in Deny with no Pass that reaches the rule shadows it (its end of tier)", () => {
    const r = findings(`---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: sec.only-dns }
spec:
  tier: sec
  selector: all()
  types: [Ingress]
  ingress: [{ action: Pass, protocol: UDP, destination: { ports: [53] } }]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: plat.web, namespace: a }
spec:
  tier: plat
  selector: all()
  ingress: [{ action: Allow, protocol: TCP, destination: { ports: [80] } }, { action: Allow, protocol: UDP, destination: { ports: [53] } }]
`);
    assert.deepEqual(r, [['shadowed', 'NetworkPolicy/a/plat.web#0', 'GlobalNetworkPolicy//sec.only-dns#-1']]);
  });

  it('reports a narrow exception before a broader rule as generalization, and partial overlap as correlation', () => {
    const r = findings(`---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: default.p, namespace: a }
spec:
  selector: app == 'db'
  ingress:
    - { action: Deny, protocol: TCP, destination: { ports: [5433] } }
    - { action: Allow, protocol: TCP, destination: { ports: ["5000:6000"] } }
    - { action: Deny, protocol: TCP, destination: { ports: ["5900:7000"] } }
`);
    assert.deepEqual(r, [
      ['generalization', 'NetworkPolicy/a/default.p#0', 'NetworkPolicy/a/default.p#1'],
      ['correlation', 'NetworkPolicy/a/default.p#2', 'NetworkPolicy/a/default.p#1'],
    ]);
  });

  it('does not compare policies of other namespaces or with other selectors', () => {
    const r = findings(`---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: default.x, namespace: a }
spec: { order: 1, selector: all(), ingress: [{ action: Deny }] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: default.y, namespace: b }
spec: { order: 2, selector: all(), ingress: [{ action: Allow }] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: default.z, namespace: a }
spec: { order: 0, selector: app == 'q', ingress: [{ action: Allow, protocol: TCP }] }
`);
    assert.deepEqual(r, [['generalization', 'NetworkPolicy/a/default.z#0', 'NetworkPolicy/a/default.x#0']]);
  });
});
