import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testConfig } from '../support/test-config';
import { startTestApp, TestApp } from '../support/test-app';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', name), 'utf8');
const T0 = '2026-11-26T06:00:00Z';
const T1 = '2026-11-26T06:10:00Z';
const web = { namespace: 'shop', name: 'web-1' };
const pg = { ip: '10.244.2.7' };

describe('explain API on an applied manifest set (embedded ClickHouse)', () => {
  let t: TestApp;
  const explain = (body: object) => t.http().post('/api/v1/explain').send(body);

  before(async () => {
    t = await startTestApp(testConfig());
    await t.http().post('/api/v1/inventory').query({ validFrom: T0 }).set('content-type', 'application/yaml').send(fixture('shop-cluster.yaml')).expect(200);
    await t.http().post('/api/v1/inventory').query({ validFrom: T1 }).set('content-type', 'application/yaml').send(fixture('shop-pg-policy.yaml')).expect(200);
  });
  after(async () => t?.close());

  it('allows web -> postgres by the platform tier rule, after security passes', async () => {
    const res = await explain({ source: web, destination: pg, protocol: 'tcp', port: 5432 }).expect(200);
    const e = res.body;
    assert.equal(e.verdict, 'allow');
    const { label, rule, uncertain, ...decidedBy } = e.decidedBy;
    assert.equal(label, 'rule 0 (spec.ingress[0]) of NetworkPolicy/db/platform.pg-from-web: Allow');
    assert.equal(rule.manifestPath, 'spec.ingress[0]');
    assert.equal(uncertain, false);
    assert.deepEqual(decidedBy, {
      direction: 'ingress',
      verdict: 'allow',
      kind: 'rule',
      tier: 'platform',
      tierOrder: 500,
      policy: 'NetworkPolicy/db/platform.pg-from-web',
      policyOrder: 100,
      ruleIndex: 0,
    });
    assert.deepEqual(
      e.ingress.enforced.trace.map((h: { policy: string; ruleIndex: number; action: string }) => [h.policy, h.ruleIndex, h.action]),
      [
        ['GlobalNetworkPolicy//security.baseline', 2, 'pass'],
        ['NetworkPolicy/db/platform.pg-from-web', 0, 'allow'],
      ],
    );
    // Egress at web: security passes, nothing else selects web, the namespace profile allows.
    assert.equal(e.egress.enforced.decision.kind, 'profile');
    assert.equal(e.source.name, 'web-1');
    assert.equal(e.destination.name, 'pg-0');
  });

  it('the staged lockdown would deny what is allowed today (pending verdict)', async () => {
    const e = (await explain({ source: web, destination: pg, protocol: 'tcp', port: 5432 }).expect(200)).body;
    assert.equal(e.verdict, 'allow');
    assert.equal(e.pendingVerdict, 'deny');
    assert.equal(e.egress.pending.decision.policy, 'StagedGlobalNetworkPolicy//security.lockdown-web');
    assert.equal(e.egress.pending.decision.ruleIndex, 0);
  });

  it('denies SSH by the security rule and reports the Log rule that matched before it', async () => {
    const e = (await explain({ source: web, destination: pg, protocol: 'TCP', port: 22 }).expect(200)).body;
    assert.equal(e.verdict, 'deny');
    assert.equal(e.decidedBy.direction, 'ingress');
    assert.equal(e.decidedBy.policy, 'GlobalNetworkPolicy//security.baseline');
    assert.equal(e.decidedBy.ruleIndex, 1);
    assert.deepEqual(e.ingress.enforced.logs.map((l: { ruleIndex: number }) => l.ruleIndex), [0]);
  });

  it('falls through the Pass default of platform into the Kubernetes default-deny (end of tier)', async () => {
    const e = (await explain({ source: web, destination: pg, protocol: 'tcp', port: 8080 }).expect(200)).body;
    assert.equal(e.verdict, 'deny');
    assert.equal(e.decidedBy.kind, 'end-of-tier');
    assert.equal(e.decidedBy.tier, 'default');
    assert.equal(e.decidedBy.policy, 'KubernetesNetworkPolicy/db/knp.default.default-deny');
    assert.equal(e.decidedBy.ruleIndex, -1);
  });

  it('denies egress to a bad network set at the source', async () => {
    const e = (await explain({ source: web, destination: { ip: '203.0.113.9' }, protocol: 'tcp', port: 443 }).expect(200)).body;
    assert.equal(e.verdict, 'deny');
    assert.equal(e.decidedBy.direction, 'egress');
    assert.equal(e.decidedBy.ruleIndex, 0);
    assert.equal(e.destination.type, 'ns');
    assert.equal(e.destination.networkSet, 'GlobalNetworkSet//blocked-range');
    assert.equal(e.ingress, null, 'an outside network has no ingress side');
  });

  it('answers as of an earlier instant, before the platform policy existed', async () => {
    const e = (await explain({ source: web, destination: pg, protocol: 'tcp', port: 5432, time: '2026-11-26T06:05:00Z' }).expect(200)).body;
    assert.equal(e.verdict, 'deny');
    assert.equal(e.decidedBy.policy, 'KubernetesNetworkPolicy/db/knp.default.default-deny');
    assert.equal(e.time, '2026-11-26T06:05:00.000Z');
  });

  it('answers 400 naming the field for bad or unknown input', async () => {
    const noPeer = await explain({ source: {}, destination: pg, protocol: 'tcp', port: 80 }).expect(400);
    assert.equal(noPeer.body.details[0].field, 'source.ip');
    const badPort = await explain({ source: web, destination: pg, protocol: 'tcp', port: 70000 }).expect(400);
    assert.equal(badPort.body.details[0].field, 'port');
    const unknown = await explain({ source: { namespace: 'shop', name: 'ghost' }, destination: pg, protocol: 'tcp', port: 80 }).expect(400);
    assert.equal(unknown.body.details[0].field, 'source');
    const beforePod = await explain({ source: web, destination: pg, protocol: 'tcp', port: 80, time: '2026-11-26T05:00:00Z' }).expect(400);
    assert.match(beforePod.body.message, /no endpoint shop\/web-1 in the inventory at 2026-11-26T05:00:00.000Z/);
  });

  it('gives the deciding rule as written, and for Kubernetes policies the ingress[i] it came from', async () => {
    const e = (await explain({ source: web, destination: pg, protocol: 'tcp', port: 5432 }).expect(200)).body;
    assert.deepEqual(e.decidedBy.rule, {
      manifestPath: 'spec.ingress[0]',
      text: "{ action: Allow, protocol: TCP, source: { selector: app == 'web', namespaceSelector: team == 'web' }, destination: { ports: [ pg ] } }",
    });
    assert.equal(e.decidedBy.label, 'rule 0 (spec.ingress[0]) of NetworkPolicy/db/platform.pg-from-web: Allow');
    await t.http().post('/api/v1/inventory').query({ validFrom: T1 }).set('content-type', 'application/yaml').send(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: cache, namespace: db }
spec:
  podSelector: { matchLabels: { app: cache } }
  ingress:
    - from: [{ podSelector: { matchLabels: { app: nobody } } }]
    - from: [{ namespaceSelector: { matchLabels: { team: web } } }, { ipBlock: { cidr: 10.0.0.0/8 } }]
      ports: [{ port: 6379 }]
`).expect(200);
    await t.http().post('/api/v1/inventory').query({ validFrom: T1 }).set('content-type', 'application/yaml').send(`apiVersion: v1
kind: Pod
metadata: { name: cache-0, namespace: db, labels: { app: cache } }
spec: { containers: [{ name: c }] }
status: { podIP: 10.244.2.9 }
`).expect(200);
    const c = (await explain({ source: web, destination: { ip: '10.244.2.9' }, protocol: 'tcp', port: 6379 }).expect(200)).body;
    assert.equal(c.verdict, 'allow');
    // Calico expanded the Kubernetes rules into 3 (one per peer): rule 1 is the second Kubernetes rule.
    assert.equal(c.decidedBy.ruleIndex, 1);
    assert.equal(c.decidedBy.rule.manifestPath, 'spec.ingress[1]');
    assert.match(c.decidedBy.rule.text, /namespaceSelector: \{ matchLabels: \{ team: web \} \}/);
  });

  it('lays out the whole evaluation path: tiers and policies in order, why each rule did not match, end-of-tier labels', async () => {
    const e = (await explain({ source: web, destination: { ip: '10.244.2.9' }, protocol: 'tcp', port: 80 }).expect(200)).body;
    assert.equal(e.verdict, 'deny');
    const p = e.ingress.enforced.path;
    assert.deepEqual(p.tiers.map((t: { tier: string; order: number | null }) => [t.tier, t.order]), [['security', 100], ['default', 1000000]]);
    const security = p.tiers[0].policies[0];
    assert.deepEqual([security.policy, security.order, security.outcome, security.ruleIndex], ['GlobalNetworkPolicy//security.baseline', 10, 'pass', 2]);
    assert.deepEqual(security.why, ['rule 0: port 80 not in [22]', 'rule 1: port 80 not in [22]']);
    assert.equal(security.rule.text, '{ action: Pass }');
    const knps = p.tiers[1].policies.map((x: { policy: string; outcome: string }) => [x.policy, x.outcome]);
    assert.deepEqual(knps, [['KubernetesNetworkPolicy/db/knp.default.cache', 'no-match'], ['KubernetesNetworkPolicy/db/knp.default.default-deny', 'no-match']]);
    assert.match(p.tiers[1].policies[0].why[0], /^rule 0: source shop\/web-1 does not match selector/);
    assert.equal(p.tiers[1].policies[0].why[1], 'rule 1: port 80 not in [6379]');
    assert.equal(p.tiers[1].endOfTier, 'end of tier default: Deny; last applying policy KubernetesNetworkPolicy/db/knp.default.default-deny');
    assert.equal(e.decidedBy.label, 'end of tier default: default Deny; last applying policy KubernetesNetworkPolicy/db/knp.default.default-deny');
    assert.match(e.summary, /^deny: ingress at the destination, end of tier default: default Deny/);
  });

  it('gives the pending (staged) decision at the top level too', async () => {
    const e = (await explain({ source: web, destination: pg, protocol: 'tcp', port: 5432 }).expect(200)).body;
    assert.equal(e.pendingVerdict, 'deny');
    assert.deepEqual([e.pendingDecidedBy.direction, e.pendingDecidedBy.policy, e.pendingDecidedBy.ruleIndex], ['egress', 'StagedGlobalNetworkPolicy//security.lockdown-web', 0]);
    assert.equal(e.egress.pending.path.tiers[0].policies[0].staged, true);
  });

  it('says so when neither side is an endpoint of the cluster, instead of a bare allow', async () => {
    const e = (await explain({ source: { ip: '198.51.100.1' }, destination: { ip: '198.51.100.2' }, protocol: 'udp', port: 53 }).expect(200)).body;
    assert.equal(e.verdict, 'not-evaluated');
    assert.equal(e.pendingVerdict, 'not-evaluated');
    assert.equal(e.summary, 'no endpoint of this cluster on either side: nothing evaluated');
    assert.equal(e.decidedBy, null);
  });

  it('an HTTP rule: decided with method and path, uncertain without', async () => {
    await t.http().post('/api/v1/inventory').query({ validFrom: T1 }).set('content-type', 'application/yaml').send(`apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: platform.cache-http, namespace: db }
spec:
  tier: platform
  order: 50
  selector: app == 'cache'
  ingress:
    - { action: Allow, protocol: TCP, destination: { ports: [8080] }, http: { methods: [GET], paths: [{ exact: /health }] } }
    - { action: Deny, protocol: TCP, destination: { ports: [8080] } }
`).expect(200);
    const ask = (http?: object) => explain({ source: web, destination: { ip: '10.244.2.9' }, protocol: 'tcp', port: 8080, ...(http ? { http } : {}) }).expect(200);
    const ok = (await ask({ method: 'GET', path: '/health' })).body;
    assert.deepEqual([ok.verdict, ok.uncertain, ok.decidedBy.ruleIndex], ['allow', false, 0]);
    const wrong = (await ask({ method: 'POST', path: '/health' })).body;
    assert.deepEqual([wrong.verdict, wrong.uncertain, wrong.decidedBy.ruleIndex], ['deny', false, 1]);
    assert.equal(wrong.ingress.enforced.path.tiers[1].policies[0].why[0], 'rule 0: method POST not in [GET]');
    const blind = (await ask()).body;
    assert.deepEqual([blind.verdict, blind.uncertain, blind.decidedBy.uncertain], ['deny', true, true]);
    assert.match(blind.ingress.enforced.path.tiers[1].policies[0].why[0], /^rule 0: needs HTTP \[GET\] \[\/health\]; the flow carries no HTTP method\/path/);
    assert.match(blind.summary, /uncertain/);
  });
});

describe('explain API: every bad request is a 400 naming the field', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(testConfig());
    await t.http().post('/api/v1/inventory').query({ validFrom: T0 }).set('content-type', 'application/yaml').send(fixture('shop-cluster.yaml')).expect(200);
  });
  after(async () => t?.close());

  const ok = { source: web, destination: pg, protocol: 'tcp', port: 5432 };
  const cases: Array<[string, unknown, string, RegExp?]> = [
    ['no source', { destination: pg, protocol: 'tcp', port: 1 }, 'source', /source is required/],
    ['no destination', { source: web, protocol: 'tcp', port: 1 }, 'destination', /destination is required/],
    ['source not an object', { ...ok, source: 'web-1' }, 'source', /must be an object/],
    ['no protocol', { source: web, destination: pg, port: 1 }, 'protocol', /protocol is required/],
    ['unknown protocol', { ...ok, protocol: 'foo' }, 'protocol', /protocol must be a name .* got "foo"/],
    ['protocol out of range', { ...ok, protocol: 300 }, 'protocol'],
    ['TCP without port', { source: web, destination: pg, protocol: 'tcp' }, 'port', /port is required for TCP/],
    ['UDP without port', { source: web, destination: pg, protocol: 'UDP' }, 'port', /port is required for UDP/],
    ['port with ICMP', { ...ok, protocol: 'icmp' }, 'port', /TCP, UDP and SCTP only/],
    ['string port', { ...ok, port: '80' }, 'port', /^port must be an integer in 0-65535$/],
    ['negative port', { ...ok, port: -1 }, 'port'],
    ['fractional port', { ...ok, port: 80.5 }, 'port'],
    ['sourcePort out of range', { ...ok, sourcePort: 65536 }, 'sourcePort'],
    ['icmpType with TCP', { ...ok, icmpType: 8 }, 'icmpType'],
    ['icmpCode without icmpType', { source: web, destination: pg, protocol: 'icmp', icmpCode: 0 }, 'icmpCode'],
    ['invalid IP', { ...ok, destination: { ip: '10.0.0.999' } }, 'destination.ip', /valid IPv4 or IPv6 address, got "10.0.0.999"/],
    ['IP of another family', { ...ok, destination: { ip: 'fd00::1' } }, 'destination.ip'],
    ['name without namespace', { ...ok, source: { name: 'web-1' } }, 'source.namespace', /give source.namespace for a pod/],
    ['namespace without name', { ...ok, source: { namespace: 'shop', ip: '10.244.1.5' } }, 'source.name'],
    ['IP and name disagree', { ...ok, source: { ...web, ip: '10.244.2.7' } }, 'source.ip', /does not belong to Pod shop\/web-1/],
    ['invalid name', { ...ok, source: { namespace: 'shop', name: "' OR 1=1 --" } }, 'source.name'],
    ['unknown kind', { ...ok, source: { ...web, kind: 'Deployment' } }, 'source.kind'],
    ['unknown field', { ...ok, colour: 'red' }, 'colour'],
    ['bad time', { ...ok, time: 'yesterday' }, 'time', /RFC 3339/],
    ['time out of range', { ...ok, time: '0001-01-01T00:00:00Z' }, 'time', /out of range/],
    ['http with UDP', { ...ok, protocol: 'udp', http: { method: 'GET' } }, 'http'],
    ['bad http path', { ...ok, http: { path: 'no-slash' } }, 'http.path'],
  ];
  for (const [what, body, field, message] of cases) {
    it(`${what} → 400 on ${field}`, async () => {
      const res = await t.http().post('/api/v1/explain').send(body as object).expect(400);
      assert.equal(res.body.details?.[0]?.field, field, JSON.stringify(res.body));
      assert.equal(res.body.details.length, 1, 'one problem, not several contradictory ones');
      if (message) assert.match(res.body.details[0].problems.join(' '), message);
    });
  }
  it('a body that is not JSON is refused, not dropped', async () => {
    const plain = await t.http().post('/api/v1/explain').set('content-type', 'text/plain').send(JSON.stringify(ok)).expect(415);
    assert.equal(plain.body.details[0].field, 'content-type');
    const broken = await t.http().post('/api/v1/explain').set('content-type', 'application/json').send('{"source": ').expect(400);
    assert.equal(broken.body.details[0].field, 'body');
    assert.match(broken.body.message, /not valid JSON/);
    for (const scalar of ['null', '3', '"x"']) {
      const r = await t.http().post('/api/v1/explain').set('content-type', 'application/json').send(scalar).expect(400);
      assert.equal(r.body.details[0].field, 'body');
      assert.equal(r.body.message, `body: must be a JSON object, got ${scalar}`);
    }
  });
});
