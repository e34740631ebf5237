/**
 * Edge cases of the build-time work behind fast decisions: rules specialised for the local
 * endpoint, programs shared by endpoints of identical labels and named ports, selector results
 * memoised per peer. Each case would give a wrong verdict if that work were done naively.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { API, CLIENT, snap, WEB } from './helpers';

const tcp = (src: string, dst: string, dstPort = 80) => ({ srcIp: src, dstIp: dst, protocol: 'TCP', srcPort: 40000, dstPort });
const gnp = (name: string, body: string) => `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: ${name}}\nspec:\n  ${body.trim().split('\n').join('\n  ')}`;
const pod = (ns: string, name: string, ip: string, labels: string, ports = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${ns}, labels: {${labels}}}\nspec: {containers: [{name: c${ports ? `, ports: [${ports}]` : ''}}]}\nstatus: {podIP: ${ip}}`;

describe('local side decided when the endpoint program is built', () => {
  it('a local destination selector can still match through a network set containing the endpoint IP', () => {
    const set = `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: dmz, labels: {zone: dmz}}\nspec: {nets: [10.0.0.0/31]}`;
    const s = snap(set, gnp('to-dmz', `selector: all()\ningress: [{action: Deny, destination: {selector: "zone == 'dmz'"}}]`));
    // WEB (10.0.0.0/31) is in the set: the pod's own labels do not match, its IP does.
    assert.equal(s.decideFlow(tcp(CLIENT, WEB)).ingress?.kind, 'rule');
    assert.equal(s.decideFlow(tcp(CLIENT, API)).ingress?.kind, 'end-of-tier');
    // The same endpoint evaluated with an IP outside the set.
    assert.equal(s.decideDirection({ namespace: 'prod', name: 'web' }, 'ingress', { ...tcp(CLIENT, '10.9.9.9') }).kind, 'end-of-tier');
  });
  it('a local notSelector the endpoint matches removes the rule; one it does not match always passes', () => {
    const s = snap(gnp('not-me', `selector: all()\ningress: [{action: Allow, destination: {notSelector: "app == 'web'"}}]`));
    assert.equal(s.decideFlow(tcp(CLIENT, WEB)).ingress?.kind, 'end-of-tier');
    assert.equal(s.decideFlow(tcp(CLIENT, API)).ingress?.kind, 'rule');
  });
  it('local named ports resolve per protocol', () => {
    // prod/web declares http 8080/TCP and dns 5353/UDP.
    const s = snap(gnp('named', `selector: app == 'web'\ningress: [{action: Allow, destination: {ports: [http, dns]}}]`));
    assert.equal(s.decideFlow(tcp(CLIENT, WEB, 8080)).allowed, true);
    assert.equal(s.decideFlow(tcp(CLIENT, WEB, 5353)).allowed, false);
    assert.equal(s.decideFlow({ srcIp: CLIENT, dstIp: WEB, protocol: 'udp', dstPort: 5353 }).allowed, true);
    assert.equal(s.decideFlow({ srcIp: CLIENT, dstIp: WEB, protocol: 'udp', dstPort: 8080 }).allowed, false);
  });
  it('a named port the endpoint does not declare never matches, in notPorts never excludes', () => {
    const s = snap(
      gnp('deny-rest', `order: 10\nselector: app == 'api'\ningress: [{action: Deny, protocol: TCP, destination: {notPorts: [metrics, 22]}}]`),
      gnp('ssh', `order: 20\nselector: app == 'api'\ningress: [{action: Allow, destination: {ports: [metrics]}}]`),
    );
    assert.equal(s.decideFlow(tcp(CLIENT, API, 9000)).ingress?.name, 'default.deny-rest');
    assert.equal(s.decideFlow(tcp(CLIENT, API, 22)).ingress?.kind, 'end-of-tier');
  });
});

describe('endpoints sharing programs', () => {
  const twins = [
    pod('prod', 'a', '10.0.2.1', 'app: twin', '{name: http, containerPort: 8080}'),
    pod('prod', 'b', '10.0.2.2', 'app: twin', '{name: http, containerPort: 9090}'),
    pod('prod', 'c', '10.0.2.3', 'app: twin', '{name: http, containerPort: 8080}'),
  ];
  it('endpoints with equal labels but different named ports get their own ports', () => {
    const s = snap(...twins, gnp('http', `selector: app == 'twin'\ningress: [{action: Allow, destination: {ports: [http]}}]`));
    assert.equal(s.decideFlow(tcp(CLIENT, '10.0.2.1', 8080)).allowed, true);
    assert.equal(s.decideFlow(tcp(CLIENT, '10.0.2.2', 8080)).allowed, false);
    assert.equal(s.decideFlow(tcp(CLIENT, '10.0.2.2', 9090)).allowed, true);
    assert.equal(s.decideFlow(tcp(CLIENT, '10.0.2.3', 9090)).allowed, false);
  });
  it('pending programs are shared with enforced ones only where no staged policy applies', () => {
    const staged = `apiVersion: projectcalico.org/v3\nkind: StagedGlobalNetworkPolicy\nmetadata: {name: lock}\nspec:\n  selector: "app == 'twin' && has(lock)"\n  ingress: [{action: Deny}]`;
    const s = snap(pod('prod', 'x', '10.0.2.1', 'app: twin'), pod('prod', 'y', '10.0.2.2', 'app: twin'), staged, pod('prod', 'z', '10.0.2.3', 'app: twin, lock: "yes"'));
    for (const ip of ['10.0.2.1', '10.0.2.2']) {
      assert.equal(s.decideDirection(s.resolveIp(ip), 'ingress', tcp(CLIENT, ip), { pending: true }).verdict, 'allow');
    }
    assert.equal(s.decideDirection(s.resolveIp('10.0.2.3'), 'ingress', tcp(CLIENT, '10.0.2.3'), { pending: true }).verdict, 'deny');
    assert.equal(s.decideDirection(s.resolveIp('10.0.2.3'), 'ingress', tcp(CLIENT, '10.0.2.3')).verdict, 'allow');
  });
});

describe('selector results memoised per peer', () => {
  it('one peer, many selectors; many peers, one selector', () => {
    const s = snap(
      gnp('p1', `order: 1\nselector: app == 'web'\ningress: [{action: Pass, source: {selector: "app == 'client'"}}, {action: Deny, source: {selector: "app == 'api'"}}]`),
      gnp('p2', `order: 2\nselector: app == 'web'\ningress: [{action: Allow, source: {selector: "app == 'api' || app == 'client'"}}]`),
    );
    for (let round = 0; round < 3; round++) {
      assert.equal(s.decideFlow(tcp(CLIENT, WEB)).ingress?.kind, 'profile');
      assert.equal(s.decideFlow(tcp(API, WEB)).ingress?.name, 'default.p1');
      assert.equal(s.decideFlow(tcp('8.8.8.8', WEB)).ingress?.kind, 'end-of-tier');
      assert.equal(s.decideFlow(tcp('10.0.1.2', WEB)).ingress?.kind, 'end-of-tier');
    }
  });
});
