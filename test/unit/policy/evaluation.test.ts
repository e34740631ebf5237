import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FlowInputError } from '../../../src/policy';
import { API, CLIENT, DEVWEB, HOST, snap, WEB } from './helpers';

const tcp = (src: string, dst: string, dstPort = 80) => ({ srcIp: src, dstIp: dst, protocol: 'TCP', srcPort: 40000, dstPort });

function gnp(name: string, spec: string, kind = 'GlobalNetworkPolicy', ns = ''): string {
  return `apiVersion: projectcalico.org/v3\nkind: ${kind}\nmetadata: {name: ${name}${ns ? `, namespace: ${ns}` : ''}}\nspec:\n${spec
    .trim()
    .split('\n')
    .map((l) => '  ' + l)
    .join('\n')}`;
}
const tier = (name: string, order?: number, defaultAction?: string) =>
  `apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: ${name}}\nspec: {${[order === undefined ? '' : `order: ${order}`, defaultAction ? `defaultAction: ${defaultAction}` : ''].filter(Boolean).join(', ')}}`;

describe('profiles and default behaviour', () => {
  it('a pod no policy selects is allowed by its kns profile', () => {
    const r = snap().evaluateFlow(tcp(CLIENT, WEB));
    assert.equal(r.allowed, true);
    assert.equal(r.ingress?.enforced.decision.kind, 'profile');
    assert.equal(r.ingress?.enforced.decision.name, 'kns.prod');
    assert.deepEqual(
      r.ingress?.enforced.trace.hits.map((h) => [h.tier, h.kind, h.name, h.action, h.ruleIndex]),
      [['__PROFILE__', 'Profile', 'kns.prod', 'allow', 0]],
    );
  });
  it('a host endpoint without profiles is denied (no profile)', () => {
    const r = snap().evaluateFlow(tcp(CLIENT, HOST, 22));
    assert.equal(r.allowed, false);
    assert.equal(r.ingress?.enforced.decision.kind, 'no-profile');
    assert.equal(r.egress?.enforced.decision.verdict, 'allow');
  });
  it('a host endpoint with projectcalico-default-allow is allowed', () => {
    const s = snap(`apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: node2-eth0}
spec: {node: node2, expectedIPs: [192.168.1.11], profiles: [projectcalico-default-allow]}`);
    assert.equal(s.decideFlow(tcp(CLIENT, '192.168.1.11')).allowed, true);
  });
  it('a user profile on a host endpoint decides by its rules', () => {
    const s = snap(`apiVersion: projectcalico.org/v3
kind: Profile
metadata: {name: ssh-only}
spec:
  ingress: [{action: Allow, protocol: TCP, destination: {ports: [22]}}]
---
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: node3-eth0}
spec: {node: node3, expectedIPs: [192.168.1.12], profiles: [ssh-only]}`);
    assert.equal(s.decideFlow(tcp(CLIENT, '192.168.1.12', 22)).allowed, true);
    const denied = s.evaluateFlow(tcp(CLIENT, '192.168.1.12', 80));
    assert.equal(denied.allowed, false);
    assert.deepEqual([denied.ingress?.enforced.decision.kind, denied.ingress?.enforced.decision.ruleIndex], ['profile', -1]);
  });
  it('flows between two unknown IPs are not evaluated', () => {
    const r = snap().evaluateFlow(tcp('8.8.8.8', '1.1.1.1'));
    assert.equal(r.egress, null);
    assert.equal(r.ingress, null);
    assert.equal(r.allowed, true);
  });
});

describe('tiers, order and end of tier', () => {
  it('end of tier Deny with rule index -1 attributed to the last applying policy', () => {
    const s = snap(
      tier('security', 100),
      gnp('security.a', `tier: security\norder: 10\nselector: app == 'web'\ningress: [{action: Allow, protocol: TCP, destination: {ports: [443]}}]`),
      gnp('security.b', `tier: security\norder: 20\nselector: app == 'web'\ningress: [{action: Allow, protocol: UDP}]`),
    );
    const r = s.evaluateFlow(tcp(CLIENT, WEB, 80));
    assert.equal(r.allowed, false);
    const d = r.ingress!.enforced.decision;
    assert.deepEqual([d.kind, d.tier, d.name, d.ruleIndex, d.tierOrder], ['end-of-tier', 'security', 'security.b', -1, 100]);
    assert.equal(s.decideFlow(tcp(CLIENT, WEB, 443)).allowed, true);
  });
  it('end of tier Pass continues to the next tier', () => {
    const s = snap(
      tier('platform', 100, 'Pass'),
      gnp('platform.p', `tier: platform\nselector: app == 'web'\ningress: [{action: Deny, protocol: UDP}]`),
    );
    const r = s.evaluateFlow(tcp(CLIENT, WEB));
    assert.equal(r.allowed, true);
    assert.deepEqual(
      r.ingress!.enforced.trace.hits.map((h) => [h.tier, h.ruleIndex, h.action]),
      [
        ['platform', -1, 'pass'],
        ['__PROFILE__', 0, 'allow'],
      ],
    );
  });
  it('a tier with no applying policy is skipped (its Deny default never runs)', () => {
    const s = snap(tier('security', 100), gnp('security.only-api', `tier: security\nselector: app == 'api'\ningress: [{action: Allow}]`));
    const r = s.evaluateFlow(tcp(CLIENT, WEB));
    assert.equal(r.allowed, true);
    assert.equal(r.ingress!.enforced.trace.hits.some((h) => h.tier === 'security'), false);
  });
  it('Pass skips the rest of the tier and goes to the next applying tier', () => {
    const s = snap(
      tier('t1', 1),
      tier('t2', 2),
      gnp('t1.pass', `tier: t1\norder: 1\ningress: [{action: Pass, source: {selector: "app == 'client'"}}]`),
      gnp('t1.deny', `tier: t1\norder: 2\ningress: [{action: Deny}]`),
      gnp('t2.allow', `tier: t2\ningress: [{action: Allow}]`),
    );
    const r = s.evaluateFlow(tcp(CLIENT, WEB));
    assert.equal(r.allowed, true);
    assert.deepEqual(
      r.ingress!.enforced.trace.hits.map((h) => [h.index, h.tier, h.name, h.action, h.ruleIndex]),
      [
        [0, 't1', 't1.pass', 'pass', 0],
        [1, 't2', 't2.allow', 'allow', 0],
      ],
    );
    // Without the Pass match the deny in t1 decides.
    assert.equal(s.decideFlow(tcp(API, WEB)).allowed, false);
  });
  it('tiers sort by order, then name; unordered tiers come last', () => {
    const s = snap(tier('zeta', 5), tier('alpha', 5), tier('unordered'), tier('first', 1));
    const names = s.tiers.map((t) => t.name);
    assert.deepEqual(names, ['first', 'alpha', 'zeta', 'kube-admin', 'default', 'kube-baseline', 'unordered']);
    assert.deepEqual(
      s.tiers.filter((t) => ['kube-admin', 'default', 'kube-baseline'].includes(t.name)).map((t) => [t.order, t.defaultAction]),
      [
        [1000, 'Pass'],
        [1_000_000, 'Deny'],
        [10_000_000, 'Pass'],
      ],
    );
  });
  it('policies sort by order then name, unordered last; first decisive rule wins', () => {
    const s = snap(
      gnp('no-order', `ingress: [{action: Deny}]`),
      gnp('b-allow', `order: 10\ningress: [{action: Allow}]`),
      gnp('a-deny', `order: 10\ningress: [{action: Deny}]`),
      gnp('late', `order: 500\ningress: [{action: Allow}]`),
    );
    assert.deepEqual(
      s.policiesOf('default').map((p) => p.name),
      ['default.a-deny', 'default.b-allow', 'default.late', 'default.no-order'],
    );
    const d = s.evaluateFlow(tcp(CLIENT, WEB)).ingress!.enforced.decision;
    assert.deepEqual([d.verdict, d.name, d.policyOrder], ['deny', 'default.a-deny', 10]);
  });
  it('Log records and evaluation continues', () => {
    const s = snap(gnp('logger', `selector: app == 'web'\ningress: [{action: Log}, {action: Allow, protocol: TCP}]`));
    const r = s.evaluateFlow(tcp(CLIENT, WEB));
    assert.equal(r.allowed, true);
    const t = r.ingress!.enforced.trace;
    assert.deepEqual(
      t.logs.map((l) => [l.name, l.ruleIndex, l.afterHit]),
      [['default.logger', 0, 0]],
    );
    assert.deepEqual(
      t.hits.map((h) => [h.name, h.ruleIndex, h.action]),
      [['default.logger', 1, 'allow']],
    );
  });
  it('a Log-only policy never decides: end of tier applies', () => {
    const s = snap(gnp('logger', `selector: app == 'web'\ningress: [{action: Log}]`));
    const r = s.evaluateFlow(tcp(CLIENT, WEB));
    assert.equal(r.allowed, false);
    assert.equal(r.ingress!.enforced.trace.logs.length, 1);
    assert.equal(r.ingress!.enforced.decision.kind, 'end-of-tier');
  });
  it('policy types decide the direction: egress-only policy does not touch ingress', () => {
    const s = snap(gnp('eg', `selector: app == 'web'\negress: [{action: Deny}]`));
    assert.deepEqual(s.resources.find((r) => r.name === 'default.eg') && (s.policiesOf('default')[0].types as string[]), ['egress']);
    assert.equal(s.decideFlow(tcp(CLIENT, WEB)).allowed, true);
    assert.equal(s.decideFlow(tcp(WEB, CLIENT)).allowed, false);
  });
  it('a policy with no rules defaults to Ingress and denies at end of tier', () => {
    const s = snap(gnp('isolate', `selector: app == 'web'`));
    assert.equal(s.decideFlow(tcp(CLIENT, WEB)).allowed, false);
    assert.equal(s.decideFlow(tcp(WEB, CLIENT)).allowed, true);
  });
});

describe('staged policies', () => {
  const staged = gnp('deny-web', `selector: app == 'web'\ningress: [{action: Deny}]`, 'StagedGlobalNetworkPolicy');
  it('are ignored by the enforced evaluation and enforced by the pending one', () => {
    const r = snap(staged).evaluateFlow(tcp(CLIENT, WEB));
    assert.equal(r.allowed, true);
    assert.equal(r.pendingAllowed, false);
    const p = r.ingress!.pending;
    assert.deepEqual([p.decision.policyKind, p.decision.name, p.decision.ruleIndex], ['StagedGlobalNetworkPolicy', 'default.deny-web', 0]);
    assert.equal(r.ingress!.enforced.trace.hits.some((h) => h.kind === 'StagedGlobalNetworkPolicy'), false);
  });
  it('a staged Set replaces its enforced twin in the pending view', () => {
    const s = snap(
      gnp('web', `selector: app == 'web'\ningress: [{action: Deny}]`),
      gnp('web', `selector: app == 'web'\ningress: [{action: Allow}]`, 'StagedGlobalNetworkPolicy'),
    );
    const r = s.evaluateFlow(tcp(CLIENT, WEB));
    assert.equal(r.allowed, false);
    assert.equal(r.pendingAllowed, true);
  });
  it('a staged Delete removes its enforced twin in the pending view', () => {
    const s = snap(
      gnp('web', `selector: app == 'web'\ningress: [{action: Deny}]`),
      gnp('web', `stagedAction: Delete\nselector: app == 'web'`, 'StagedGlobalNetworkPolicy'),
    );
    const r = s.evaluateFlow(tcp(CLIENT, WEB));
    assert.deepEqual([r.allowed, r.pendingAllowed], [false, true]);
  });
  it('staged Kubernetes policy only affects pending', () => {
    const s = snap(`apiVersion: projectcalico.org/v3
kind: StagedKubernetesNetworkPolicy
metadata: {name: lock, namespace: prod}
spec: {podSelector: {}, policyTypes: [Ingress]}`);
    const r = s.evaluateFlow(tcp(CLIENT, WEB));
    assert.deepEqual([r.allowed, r.pendingAllowed], [true, false]);
    assert.deepEqual([r.ingress!.pending.decision.policyKind, r.ingress!.pending.decision.name], ['StagedKubernetesNetworkPolicy', 'knp.default.lock']);
  });
});

describe('namespace scoping of selectors', () => {
  it('a namespaced policy only selects endpoints of its namespace', () => {
    const s = snap(gnp('lock', `selector: app == 'web'`, 'NetworkPolicy', 'prod'));
    assert.equal(s.decideFlow(tcp(CLIENT, WEB)).allowed, false);
    assert.equal(s.decideFlow(tcp(CLIENT, DEVWEB)).allowed, true);
  });
  it('a namespaced rule selector without namespaceSelector only sees its own namespace', () => {
    const s = snap(gnp('from-web', `selector: app == 'api'\ningress: [{action: Allow, source: {selector: "app == 'web'"}}]`, 'NetworkPolicy', 'prod'));
    assert.equal(s.decideFlow(tcp(WEB, API)).allowed, true);
    assert.equal(s.decideFlow(tcp(DEVWEB, API)).allowed, false);
  });
  it('namespaceSelector widens a namespaced rule to matching namespaces', () => {
    const s = snap(
      gnp('from-dev', `selector: app == 'api'\ningress: [{action: Allow, source: {selector: "app == 'client'", namespaceSelector: "env == 'dev'"}}]`, 'NetworkPolicy', 'prod'),
    );
    assert.equal(s.decideFlow(tcp(CLIENT, API)).allowed, true);
    assert.equal(s.decideFlow(tcp(WEB, API)).allowed, false);
  });
  it('a global policy rule selector sees every namespace', () => {
    const s = snap(gnp('from-web', `selector: app == 'api'\ningress: [{action: Allow, source: {selector: "app == 'web'"}}]`));
    assert.equal(s.decideFlow(tcp(WEB, API)).allowed, true);
    assert.equal(s.decideFlow(tcp(DEVWEB, API)).allowed, true);
    assert.equal(s.decideFlow(tcp(CLIENT, API)).allowed, false);
  });
  it('GlobalNetworkPolicy namespaceSelector narrows the endpoints it applies to', () => {
    const s = snap(gnp('dev-lock', `namespaceSelector: env == 'dev'\ningress: [{action: Deny}]`));
    assert.equal(s.decideFlow(tcp(WEB, DEVWEB)).allowed, false);
    assert.equal(s.decideFlow(tcp(CLIENT, WEB)).allowed, true);
    assert.equal(s.decideFlow(tcp(CLIENT, HOST)).ingress?.kind, 'no-profile'); // host endpoints have no namespace
  });
  it('serviceAccounts names and selector match the peer pod service account', () => {
    const s = snap(
      gnp('sa', `selector: app == 'api'\ningress: [{action: Allow, source: {serviceAccounts: {selector: "trust == 'high'"}}}, {action: Deny}]`),
      gnp('sa-names', `selector: app == 'client'\ningress: [{action: Allow, source: {serviceAccounts: {names: [web-sa]}}}, {action: Deny}]`),
    );
    assert.equal(s.decideFlow(tcp(WEB, API)).allowed, true);
    assert.equal(s.decideFlow(tcp(DEVWEB, API)).allowed, false);
    assert.equal(s.decideFlow(tcp(WEB, CLIENT)).allowed, true);
    assert.equal(s.decideFlow(tcp(API, CLIENT)).allowed, false);
  });
  it('projectcalico.org/namespace and projectcalico.org/name labels are available', () => {
    const s = snap(
      gnp('by-ns-label', `selector: "projectcalico.org/namespace == 'dev'"\ningress: [{action: Deny, source: {namespaceSelector: "projectcalico.org/name == 'prod'"}}, {action: Allow}]`),
    );
    assert.equal(s.decideFlow(tcp(WEB, CLIENT)).allowed, false);
    assert.equal(s.decideFlow(tcp(DEVWEB, CLIENT)).allowed, true);
  });
});

describe('rule matching', () => {
  it('named ports resolve against the destination endpoint that declares them', () => {
    const s = snap(
      gnp('named', `selector: has(app)\ningress: [{action: Allow, protocol: TCP, destination: {ports: [http]}}, {action: Allow, protocol: UDP, destination: {ports: [dns]}}]`),
    );
    assert.equal(s.decideFlow(tcp(CLIENT, WEB, 8080)).ingress?.verdict, 'allow');
    assert.equal(s.decideFlow(tcp(CLIENT, API, 9000)).ingress?.verdict, 'allow');
    assert.equal(s.decideFlow(tcp(CLIENT, API, 8080)).ingress?.verdict, 'deny');
    assert.equal(s.decideFlow({ srcIp: CLIENT, dstIp: WEB, protocol: 'udp', dstPort: 5353 }).ingress?.verdict, 'allow');
    // the named port is TCP only on api: a UDP flow to 9000 does not match `http`
    assert.equal(s.decideFlow({ srcIp: CLIENT, dstIp: API, protocol: 'udp', dstPort: 9000 }).ingress?.verdict, 'deny');
  });
  it('port ranges and notPorts', () => {
    const s = snap(gnp('ranges', `selector: app == 'web'\ningress: [{action: Allow, protocol: TCP, destination: {ports: ["8000:8100"], notPorts: [8080]}}]`));
    assert.equal(s.decideFlow(tcp(CLIENT, WEB, 8000)).allowed, true);
    assert.equal(s.decideFlow(tcp(CLIENT, WEB, 8100)).allowed, true);
    assert.equal(s.decideFlow(tcp(CLIENT, WEB, 8080)).allowed, false);
    assert.equal(s.decideFlow(tcp(CLIENT, WEB, 8101)).allowed, false);
  });
  it('protocol by name or number, and notProtocol', () => {
    const s = snap(gnp('p', `selector: app == 'web'\ningress: [{action: Allow, protocol: 17}, {action: Allow, notProtocol: TCP, protocol: SCTP}]`));
    assert.equal(s.decideFlow({ srcIp: CLIENT, dstIp: WEB, protocol: 'udp', dstPort: 1 }).allowed, true);
    assert.equal(s.decideFlow({ srcIp: CLIENT, dstIp: WEB, protocol: 132, dstPort: 1 }).allowed, true);
    assert.equal(s.decideFlow(tcp(CLIENT, WEB)).allowed, false);
  });
  it('nets and notNets (Kubernetes ipBlock with except semantics)', () => {
    const s = snap(gnp('nets', `selector: app == 'web'\ningress: [{action: Allow, source: {nets: [10.0.0.0/16], notNets: [10.0.1.0/24]}}]`));
    assert.equal(s.decideFlow(tcp(API, WEB)).allowed, true);
    assert.equal(s.decideFlow(tcp(CLIENT, WEB)).allowed, false);
    assert.equal(s.decideFlow(tcp('10.1.0.1', WEB)).allowed, false);
  });
  it('IPv6 CIDRs match IPv6 flows', () => {
    const s = snap(gnp('v6', `selector: app == 'web'\ningress: [{action: Allow, source: {nets: ["fd00::/64"]}}]`));
    assert.equal(s.decideFlow({ srcIp: 'fd00::2', dstIp: 'fd00::1', protocol: 'tcp', dstPort: 80 }).allowed, true);
    assert.equal(s.decideFlow({ srcIp: 'fd00:0:0:1::2', dstIp: 'fd00::1', protocol: 'tcp', dstPort: 80 }).allowed, false);
  });
  it('a /0 of one family never matches the other family', () => {
    const s = snap(gnp('v4-any', `selector: app == 'web'\ningress: [{action: Allow, source: {nets: [0.0.0.0/0]}}]`));
    assert.equal(s.decideFlow(tcp('8.8.8.8', WEB)).allowed, true);
    assert.equal(s.decideFlow({ srcIp: '2001:db8::1', dstIp: 'fd00::1', protocol: 'tcp', dstPort: 80 }).allowed, false);
    const s6 = snap(gnp('v6-any', `selector: app == 'web'\ningress: [{action: Allow, source: {nets: ["::/0"]}}]`));
    assert.equal(s6.decideFlow(tcp('8.8.8.8', WEB)).allowed, false);
  });
  it('ipVersion restricts the family', () => {
    const s = snap(gnp('v6only', `selector: app == 'web'\ningress: [{action: Allow, ipVersion: 6}]`));
    assert.equal(s.decideFlow({ srcIp: 'fd00::2', dstIp: 'fd00::1', protocol: 'tcp', dstPort: 80 }).allowed, true);
    assert.equal(s.decideFlow(tcp(API, WEB)).allowed, false);
  });
  it('icmp type/code and notICMP', () => {
    const s = snap(gnp('icmp', `selector: app == 'web'\ningress: [{action: Allow, protocol: ICMP, icmp: {type: 8, code: 0}}, {action: Allow, protocol: ICMPv6, notICMP: {type: 128}}]`));
    const icmp = (type: number, code: number) => s.decideFlow({ srcIp: CLIENT, dstIp: WEB, protocol: 'icmp', icmpType: type, icmpCode: code }).allowed;
    assert.equal(icmp(8, 0), true);
    assert.equal(icmp(8, 1), false);
    assert.equal(icmp(0, 0), false);
    const v6 = (type: number) => s.decideFlow({ srcIp: 'fd00::2', dstIp: 'fd00::1', protocol: 58, icmpType: type, icmpCode: 0 }).allowed;
    assert.equal(v6(129), true);
    assert.equal(v6(128), false);
  });
  it('selector never matches an unknown IP; notSelector in a global policy does', () => {
    const s = snap(
      gnp('sel', `selector: app == 'web'\ningress: [{action: Allow, source: {selector: all()}}]`),
      gnp('not-sel', `selector: app == 'api'\ningress: [{action: Allow, source: {notSelector: "app == 'web'"}}]`),
    );
    assert.equal(s.decideFlow(tcp('8.8.8.8', WEB)).allowed, false);
    assert.equal(s.decideFlow(tcp(CLIENT, WEB)).allowed, true);
    assert.equal(s.decideFlow(tcp('8.8.8.8', API)).allowed, true);
    assert.equal(s.decideFlow(tcp(WEB, API)).allowed, false);
    assert.equal(s.decideFlow(tcp(CLIENT, API)).allowed, true);
  });
  it('notSelector in a namespaced policy only admits its own namespace', () => {
    const s = snap(gnp('not-sel', `selector: app == 'api'\ningress: [{action: Allow, source: {notSelector: "app == 'web'"}}]`, 'NetworkPolicy', 'prod'));
    assert.equal(s.decideFlow(tcp('8.8.8.8', API)).allowed, false);
    assert.equal(s.decideFlow(tcp(CLIENT, API)).allowed, false);
    assert.equal(s.decideFlow(tcp(WEB, API)).allowed, false);
  });
  it('services match only when the flow carries the service identity', () => {
    const s = snap(gnp('svc', `selector: app == 'web'\negress: [{action: Allow, destination: {services: {name: api, namespace: prod}}}]`));
    assert.equal(s.decideFlow({ ...tcp(WEB, API), dstService: { name: 'api', namespace: 'prod' } }).allowed, true);
    assert.equal(s.decideFlow(tcp(WEB, API)).allowed, false);
  });
});

describe('network sets and endpoint resolution', () => {
  const sets = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: corp, labels: {zone: corp}}
spec: {nets: [172.16.0.0/12]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: lab, labels: {zone: lab}}
spec: {nets: [172.16.5.0/24]}
---
apiVersion: projectcalico.org/v3
kind: NetworkSet
metadata: {name: partners, namespace: prod, labels: {zone: partner}}
spec: {nets: [203.0.113.0/24]}`;
  it('resolves pods, host endpoints, network sets (longest prefix) and unknown IPs', () => {
    const s = snap(sets);
    const pod = s.resolveIp(WEB);
    assert.deepEqual([pod.type, pod.namespace, pod.name, pod.serviceAccount, pod.labels.app], ['wep', 'prod', 'web', 'web-sa', 'web']);
    assert.deepEqual([s.resolveIp(HOST).type, s.resolveIp(HOST).name], ['hep', 'node1-eth0']);
    const lab = s.resolveIp('172.16.5.9');
    assert.deepEqual([lab.type, lab.name, lab.networkSets.map((n) => n.name)], ['ns', 'lab', ['lab', 'corp']]);
    assert.equal(s.resolveIp('172.17.0.1').name, 'corp');
    assert.equal(s.resolveIp('8.8.8.8').type, 'net');
    assert.equal(s.resolveIp('fd00::1').name, 'web');
  });
  it('a selector matches an IP through any containing network set', () => {
    const s = snap(sets, gnp('corp', `selector: app == 'web'\ningress: [{action: Allow, source: {selector: "zone == 'corp'"}}]`));
    assert.equal(s.decideFlow(tcp('172.16.5.9', WEB)).allowed, true); // in lab (longest) and corp
    assert.equal(s.decideFlow(tcp('10.200.0.1', WEB)).allowed, false);
  });
  it('namespaced policies see GlobalNetworkSets only through namespaceSelector global()', () => {
    const s = snap(
      sets,
      gnp('no-global', `selector: app == 'web'\ningress: [{action: Allow, source: {selector: "zone == 'corp'"}}]`, 'NetworkPolicy', 'prod'),
      gnp('with-global', `selector: app == 'api'\ningress: [{action: Allow, source: {selector: "zone == 'corp'", namespaceSelector: global()}}]`, 'NetworkPolicy', 'prod'),
    );
    assert.equal(s.decideFlow(tcp('172.17.0.1', WEB)).allowed, false);
    assert.equal(s.decideFlow(tcp('172.17.0.1', API)).allowed, true);
  });
  it('a namespaced NetworkSet is visible to policies of its namespace', () => {
    const s = snap(sets, gnp('partners', `selector: app == 'web'\ningress: [{action: Allow, source: {selector: "zone == 'partner'"}}]`, 'NetworkPolicy', 'prod'));
    assert.equal(s.decideFlow(tcp('203.0.113.7', WEB)).allowed, true);
    const other = snap(sets, gnp('partners', `selector: app == 'web'\ningress: [{action: Allow, source: {selector: "zone == 'partner'"}}]`, 'NetworkPolicy', 'dev'));
    assert.equal(other.decideFlow(tcp('203.0.113.7', DEVWEB)).allowed, false);
  });
  it('accepts already-resolved endpoints by identity', () => {
    const s = snap(gnp('from-client', `selector: app == 'web'\ningress: [{action: Allow, source: {selector: "app == 'client'"}}]`));
    const r = s.evaluateFlow({ protocol: 'tcp', dstPort: 80, src: { namespace: 'dev', name: 'client' }, dst: { kind: 'Pod', namespace: 'prod', name: 'web' } });
    assert.equal(r.allowed, true);
    assert.equal(r.dst.ip, WEB);
    const again = s.evaluateFlow({ protocol: 'tcp', dstPort: 80, src: s.resolveIp(API), dst: s.resolveIp(WEB) });
    assert.equal(again.allowed, false);
    assert.throws(() => s.evaluateFlow({ protocol: 'tcp', src: { namespace: 'x', name: 'nope' } }), FlowInputError);
  });
  it('evaluateDirection and applyingPolicies expose one side', () => {
    const s = snap(gnp('lock', `selector: app == 'web'\ningress: [{action: Allow, source: {selector: "app == 'api'"}}]`));
    const side = s.evaluateDirection({ namespace: 'prod', name: 'web' }, 'ingress', { srcIp: CLIENT, protocol: 'tcp', dstPort: 80 });
    assert.equal(side.decision.kind, 'end-of-tier');
    const applying = s.applyingPolicies({ namespace: 'prod', name: 'web' }, 'ingress');
    assert.deepEqual(applying.map((a) => [a.tier.name, a.policies.map((p) => p.name)]), [['default', ['default.lock']]]);
    assert.deepEqual(s.applyingPolicies({ namespace: 'prod', name: 'web' }, 'egress'), []);
  });
  it('rejects malformed flows', () => {
    const s = snap();
    assert.throws(() => s.decideFlow({ srcIp: 'nope', dstIp: WEB, protocol: 'tcp' }), FlowInputError);
    assert.throws(() => s.decideFlow({ srcIp: CLIENT, dstIp: WEB, protocol: 'bogus' }), FlowInputError);
    assert.throws(() => s.decideFlow({ srcIp: CLIENT, dstIp: 'fd00::1', protocol: 'tcp' }), FlowInputError);
  });
});

describe('staged policies replace their twin only in the directions they cover', () => {
  const enforced = gnp('web', `selector: app == 'web'\ntypes: [Ingress, Egress]\ningress: [{action: Deny}]\negress: [{action: Deny}]`);
  it('an ingress-only staged twin leaves the enforced egress in the pending view', () => {
    const s = snap(enforced, gnp('web', `selector: app == 'web'\ntypes: [Ingress]\ningress: [{action: Allow}]`, 'StagedGlobalNetworkPolicy'));
    const inbound = s.evaluateFlow(tcp(CLIENT, WEB));
    assert.equal(inbound.ingress!.pending.decision.verdict, 'allow');
    assert.equal(inbound.ingress!.pending.decision.policyKind, 'StagedGlobalNetworkPolicy');
    const outbound = s.evaluateFlow(tcp(WEB, CLIENT));
    assert.equal(outbound.egress!.pending.decision.verdict, 'deny');
    assert.deepEqual([outbound.egress!.pending.decision.policyKind, outbound.egress!.pending.decision.name], ['GlobalNetworkPolicy', 'default.web']);
    assert.equal(outbound.pendingAllowed, false);
  });
  it('an egress-only staged twin leaves the enforced ingress in the pending view', () => {
    const s = snap(enforced, gnp('web', `selector: app == 'web'\ntypes: [Egress]\negress: [{action: Allow}]`, 'StagedGlobalNetworkPolicy'));
    assert.equal(s.evaluateFlow(tcp(CLIENT, WEB)).ingress!.pending.decision.policyKind, 'GlobalNetworkPolicy');
    assert.equal(s.evaluateFlow(tcp(WEB, CLIENT)).egress!.pending.decision.policyKind, 'StagedGlobalNetworkPolicy');
    assert.equal(s.decideDirection(s.resolveIp(WEB), 'ingress', tcp(CLIENT, WEB), { pending: true }).policyKind, 'GlobalNetworkPolicy');
  });
  it('a staged Delete removes the twin in both directions', () => {
    const s = snap(enforced, gnp('web', `stagedAction: Delete\nselector: app == 'web'`, 'StagedGlobalNetworkPolicy'));
    assert.equal(s.evaluateFlow(tcp(CLIENT, WEB)).ingress!.pending.decision.kind, 'profile');
    assert.equal(s.evaluateFlow(tcp(WEB, CLIENT)).egress!.pending.decision.kind, 'profile');
  });
});

describe('an endpoint with no applying policy and no profile', () => {
  it('records the deny as a __PROFILE__ hit with rule index -1, like the dataplane', () => {
    const r = snap().evaluateFlow(tcp(CLIENT, HOST, 22));
    const side = r.ingress!.enforced;
    assert.deepEqual(
      side.trace.hits.map((h) => [h.tier, h.kind, h.name, h.ruleIndex, h.action]),
      [['__PROFILE__', 'Profile', '__PROFILE__', -1, 'deny']],
    );
    assert.deepEqual([side.decision.kind, side.decision.tier, side.decision.name, side.decision.ruleIndex], ['no-profile', '__PROFILE__', '__PROFILE__', -1]);
  });
});

describe('tiers referenced but not declared', () => {
  it('sort after every declared tier, ordered or not, and are reported in warnings', () => {
    const s = snap(
      tier('zz-unordered'),
      tier('late', 50_000_000),
      gnp('ghost.p', `tier: ghost\nselector: app == 'web'\ningress: [{action: Allow}]`),
      gnp('aaa.p', `tier: aaa\nselector: app == 'web'\ningress: [{action: Pass}]`),
    );
    const names = s.tiers.map((t) => t.name);
    assert.deepEqual(names.slice(-4), ['late', 'zz-unordered', 'aaa', 'ghost']);
    assert.equal(s.warnings.filter((w) => /not declared/.test(w)).length, 2);
    assert.match(s.warnings.join('\n'), /GlobalNetworkPolicy\/\/ghost\.p references tier ghost/);
  });
});

describe('HTTP match (application layer policy)', () => {
  const onlyGetX = gnp(
    'api-get',
    `selector: app == 'web'\ningress:\n- {action: Allow, protocol: TCP, destination: {ports: [80]}, http: {methods: [GET], paths: [{exact: /x}, {prefix: /static/}]}}`,
  );
  const withHttp = (method: string | null, path: string | null) => ({ ...tcp(CLIENT, WEB), httpMethod: method, httpPath: path });
  it('allows a request whose method and path match', () => {
    const s = snap(onlyGetX);
    for (const path of ['/x', '/x?q=1', '/static/app.js', '/x#frag']) {
      const d = s.decideFlow(withHttp('GET', path)).ingress!;
      assert.deepEqual([d.verdict, d.kind, d.ruleIndex, d.uncertain], ['allow', 'rule', 0, undefined], path);
    }
  });
  it('does not match another method or path (the rule does not allow all traffic on its ports)', () => {
    const s = snap(onlyGetX);
    for (const [m, p] of [['POST', '/x'], ['GET', '/y'], ['GET', '/xx'], ['GET', '/static']] as const) {
      const d = s.decideFlow(withHttp(m, p)).ingress!;
      assert.deepEqual([d.verdict, d.kind, d.uncertain], ['deny', 'end-of-tier', undefined], `${m} ${p}`);
    }
  });
  it('without method and path the outcome is uncertain, never a silent allow', () => {
    const s = snap(onlyGetX);
    const r = s.evaluateFlow(tcp(CLIENT, WEB));
    assert.equal(r.ingress!.enforced.decision.verdict, 'deny');
    assert.equal(r.ingress!.enforced.decision.uncertain, true);
    assert.equal(s.decideDirection(s.resolveIp(WEB), 'ingress', tcp(CLIENT, WEB)), r.ingress!.enforced.decision);
    // A criterion the flow does answer still decides: a wrong method is a certain no-match.
    assert.equal(s.decideFlow(withHttp('POST', null)).ingress!.uncertain, undefined);
    assert.equal(s.decideFlow(withHttp('GET', null)).ingress!.uncertain, true);
  });
  it('a flow the HTTP rule cannot concern (other port) is certain', () => {
    const d = snap(onlyGetX).decideFlow(tcp(CLIENT, WEB, 443)).ingress!;
    assert.deepEqual([d.verdict, d.uncertain], ['deny', undefined]);
  });
  it('an empty http block matches any request', () => {
    const s = snap(gnp('any', `selector: app == 'web'\ningress: [{action: Allow, http: {}}]`));
    assert.equal(s.decideFlow(tcp(CLIENT, WEB)).ingress!.verdict, 'allow');
  });
  it('is rejected in egress rules and when malformed, naming the field', () => {
    const bad: Array<[string, string]> = [
      [`egress: [{action: Allow, http: {methods: [GET]}}]`, 'spec.egress[0].http'],
      [`ingress: [{action: Allow, http: {paths: [{exact: /a, prefix: /b}]}}]`, 'spec.ingress[0].http.paths[0]'],
      [`ingress: [{action: Allow, http: {paths: [{exact: a}]}}]`, 'spec.ingress[0].http.paths[0].exact'],
      [`ingress: [{action: Allow, http: {methods: ["GET /"]}}]`, 'spec.ingress[0].http.methods[0]'],
      [`ingress: [{action: Allow, http: {verbs: [GET]}}]`, 'spec.ingress[0].http.verbs'],
    ];
    for (const [spec, path] of bad) {
      assert.throws(() => snap(gnp('bad', spec)), (e: Error & { path?: string }) => e.path === path, spec);
    }
  });
});
