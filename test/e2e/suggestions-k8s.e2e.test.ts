import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, TestApp } from '../support/test-app';
import { testConfig } from '../support/test-config';
import { DAY, IP, loadScenario, rec, T0, WINDOW } from '../support/suggest-scenario';

// The suggestion scenario's pods, with pg's ingress written as a Kubernetes NetworkPolicy: any pod
// of any namespace on 5432/TCP and 5353/UDP, and backup pods on both.
const CLUSTER = `apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: v1
kind: Namespace
metadata: { name: db }
---
apiVersion: v1
kind: Namespace
metadata: { name: ops }
---
apiVersion: v1
kind: Pod
metadata: { name: web-abc-1, namespace: shop, labels: { app: web, pod-template-hash: abc }, ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: web-abc, controller: true }] }
spec: { nodeName: node-1, containers: [{ name: web }] }
status: { podIP: ${IP.web1} }
---
apiVersion: v1
kind: Pod
metadata: { name: pg-0, namespace: db, labels: { app: postgres } }
spec: { nodeName: node-2, containers: [{ name: pg }] }
status: { podIP: ${IP.pg} }
---
apiVersion: v1
kind: Pod
metadata: { name: tool-1, namespace: ops, labels: { app: tool } }
spec: { nodeName: node-3, containers: [{ name: tool }] }
status: { podIP: ${IP.tool} }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: pg-ingress, namespace: db }
spec:
  podSelector: { matchLabels: { app: postgres } }
  policyTypes: [Ingress]
  ingress:
    - from:
        - namespaceSelector: {}
        - podSelector: { matchLabels: { app: backup } }
      ports:
        - port: 5432
        - protocol: UDP
          port: 5353
`;

const TIGHTENED = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: pg-ingress
  namespace: db
spec:
  podSelector:
    matchLabels:
      app: postgres
  policyTypes:
    - Ingress
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app: backup
      ports:
        - port: 5432
        - protocol: UDP
          port: 5353
    - from:
        - namespaceSelector: {}
      ports:
        - protocol: UDP
          port: 5353
    - from:
        - podSelector:
            matchLabels:
              app: tool
          namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: ops
        - podSelector:
            matchLabels:
              app: web
          namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: shop
      ports:
        - protocol: TCP
          port: 5432
`;

describe('suggestions for a Kubernetes NetworkPolicy', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(testConfig());
    const records = [];
    for (let day = 0; day < 7; day++) {
      records.push(rec(T0 + day * DAY + 3_600_000, { srcIp: IP.web1 }), rec(T0 + day * DAY + 7_200_000, { srcIp: IP.tool }));
    }
    await loadScenario(t, [{ yaml: CLUSTER, validFrom: T0 }], records);
  });
  after(async () => t?.close());

  it('finds the over-broad part of the written rule by its model rule', async () => {
    const res = await t.http().get('/api/v1/findings').query({ ...WINDOW, kind: 'over-broad' }).expect(200);
    assert.deepEqual(res.body.items.map((f: { subject: { policy: string; ruleIndex: number } }) => [f.subject.policy, f.subject.ruleIndex]), [['KubernetesNetworkPolicy/db/knp.default.pg-ingress', 0]]);
  });

  it('keeps the policy a Kubernetes NetworkPolicy, splitting only the over-broad part of its rule, proven by replay', async () => {
    const res = await t.http().get('/api/v1/suggestions').query({ ...WINDOW, kind: 'tighten-rule' }).expect(200);
    assert.equal(res.body.items.length, 1);
    assert.equal(res.body.items[0].replay.allowToDenyCount, 0);
    const s = (await t.http().get(res.body.items[0].links.self).expect(200)).body;
    assert.equal(s.yaml.enforced, TIGHTENED);
    assert.equal(
      s.yaml.staged,
      TIGHTENED.replace('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy', 'apiVersion: projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy').replace('spec:\n', 'spec:\n  stagedAction: Set\n'),
    );
    assert.deepEqual(s.containment, { contained: true, problems: [] });
    assert.deepEqual([s.evidence.records, s.evidence.peers, s.evidence.ports], [14, 2, ['5432']]);
    assert.deepEqual([s.replay.changed, s.replay.allowToDeny, s.replay.partial, s.safe], [0, [], false, true]);
    const replayed = await t.http().post('/api/v1/simulate').send({ ...WINDOW, manifests: s.yaml.staged }).expect(200);
    assert.deepEqual([replayed.body.changed, replayed.body.candidate.upserts], [0, ['StagedKubernetesNetworkPolicy/db/knp.default.pg-ingress']]);
  });
});
