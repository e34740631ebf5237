import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttributionService } from '../../src/attribution/attribution.service';
import { FlowRecord, reportedEndpoint } from '../../src/flows/flow-record';
import { FlowRepository } from '../../src/storage/flow.repository';
import { TestApp } from './test-app';

export const DAY = 86_400_000;
/** Start of the scenario's week. */
export const T0 = Date.parse('2026-11-20T00:00:00Z');
/** web-abc-1 relabelled (version v1 -> v2) half-way through. */
export const RELABEL = T0 + 3 * DAY + 12 * 3_600_000;
/** security.block-egress-range applied: its version is younger than the window. */
export const BLOCK_APPLIED = T0 + 5 * DAY;
export const WINDOW = { from: new Date(T0).toISOString(), to: new Date(T0 + 7 * DAY).toISOString() };

export const IP = { web1: '10.244.1.5', web2: '10.244.1.6', pg: '10.244.2.7', tool: '10.244.3.9', dns: '8.8.8.8' };

/** Kind, policy, direction and rule of each finding, as GET /api/v1/findings lists them. */
export const briefFindings = (items: Array<{ kind: string; subject: { policy: string; direction: string | null; ruleIndex: number | null } | null }>) =>
  items.map((f) => [f.kind, f.subject?.policy ?? null, f.subject?.direction ?? null, f.subject?.ruleIndex ?? null]);

/** The scenario's findings over WINDOW, in the API's order. */
export const EXPECTED_FINDINGS = [
  ['changed-recently', 'GlobalNetworkPolicy//security.block-egress-range', null, null],
  ['unused', 'NetworkPolicy/db/default.pg-access', 'ingress', 1],
  ['unused', 'NetworkPolicy/db/default.pg-access', 'ingress', 2],
  ['unused', 'NetworkPolicy/db/default.pg-access', 'ingress', 3],
  ['unused', 'NetworkPolicy/shop/default.web-from-lb', null, null],
  ['unprotected', null, null, null],
  ['over-broad', 'NetworkPolicy/db/default.pg-access', 'ingress', 0],
  ['redundant', 'NetworkPolicy/db/default.pg-access', 'ingress', 1],
  ['shadowed', 'NetworkPolicy/db/default.pg-access', 'ingress', 2],
];

/** The tightening's evidence; its sample flows are the records at these offsets of the flows topic's partition 0. */
export function tightenEvidence(topic: string): Record<string, unknown> {
  return {
    records: 28,
    flows: 28,
    bytes: 42000,
    peers: 2,
    ports: ['5432'],
    firstSeen: '2026-11-20T01:00:00.000Z',
    lastSeen: '2026-11-26T13:00:00.000Z',
    sampleFlowIds: [0, 1, 12, 15, 21].map((o) => `${topic}/0/${o}/0`),
  };
}

/** The tightened pg-access the scenario must get (enforced form). */
export const TIGHTENED = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: default.pg-access
  namespace: db
spec:
  order: 100
  selector: app == 'postgres'
  types:
    - Ingress
  ingress:
    - action: Allow
      protocol: TCP
      source:
        selector: app == 'tool'
        namespaceSelector: projectcalico.org/name == 'ops'
      destination:
        ports:
          - 5432
    - action: Allow
      protocol: TCP
      source:
        selector: app == 'web'
        namespaceSelector: projectcalico.org/name == 'shop'
      destination:
        ports:
          - 5432
    - action: Allow
      protocol: TCP
      source:
        selector: app == 'web'
      destination:
        ports:
          - 5432
    - action: Deny
      protocol: TCP
      destination:
        ports:
          - 8080
    - action: Allow
      protocol: UDP
      destination:
        ports:
          - 5353
`;

/** The policy proposed for the unprotected tool workload (staged form). */
export const PROTECT_TOOL = `apiVersion: projectcalico.org/v3
kind: StagedNetworkPolicy
metadata:
  name: default.observed-tool-1
  namespace: ops
spec:
  stagedAction: Set
  tier: default
  order: 200
  selector: app == 'tool'
  types:
    - Ingress
    - Egress
  ingress:
    - action: Allow
      protocol: TCP
      source:
        selector: app == 'web'
        namespaceSelector: projectcalico.org/name == 'shop'
      destination:
        ports:
          - 8080
  egress:
    - action: Allow
      protocol: TCP
      destination:
        selector: app == 'postgres'
        namespaceSelector: projectcalico.org/name == 'db'
        ports:
          - 5432
    - action: Allow
      protocol: UDP
      destination:
        nets:
          - 8.8.8.8/32
        ports:
          - 53
`;

/** A candidate that forgets tool: its flows to pg would be denied. */
export const TOO_TIGHT = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: default.pg-access, namespace: db }
spec:
  order: 100
  selector: app == 'postgres'
  types: [Ingress]
  ingress:
    - { action: Allow, protocol: TCP, source: { selector: app == 'web', namespaceSelector: team == 'web' }, destination: { ports: [5432] } }
`;

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', name), 'utf8');

/** A flow record of the scenario: web-1 to pg:5432/tcp reported at the destination, unless overridden. */
export function rec(startTime: number, over: Partial<FlowRecord>): FlowRecord {
  return {
    startTime,
    endTime: startTime + 5000,
    action: 'allow',
    reporter: 'dst',
    protocol: 'tcp',
    srcIp: IP.web1,
    srcPort: 40000,
    dstIp: IP.pg,
    dstPort: 5432,
    src: reportedEndpoint(),
    dst: reportedEndpoint(),
    node: 'node-2',
    numFlows: 1,
    numFlowsStarted: 1,
    numFlowsCompleted: 1,
    packetsIn: 10,
    packetsOut: 10,
    bytesIn: 1000,
    bytesOut: 500,
    enforcedHits: [],
    pendingHits: [],
    ...over,
  };
}

/** The scenario's inventory: each YAML (one or more documents) with the instant it takes effect. */
export function scenarioInventory(): Array<{ yaml: string; validFrom: number }> {
  return [
    { yaml: fixture('suggest-cluster.yaml'), validFrom: T0 },
    {
      yaml: `apiVersion: v1
kind: Pod
metadata:
  name: web-abc-1
  namespace: shop
  labels: { app: web, version: v2, pod-template-hash: abc }
  ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: web-abc, controller: true }]
spec: { nodeName: node-1, serviceAccountName: web, containers: [{ name: web }] }
status: { podIP: 10.244.1.5 }
`,
      validFrom: RELABEL,
    },
    {
      yaml: `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: security.block-egress-range }
spec:
  tier: security
  order: 5
  selector: all()
  types: [Egress]
  egress:
    - { action: Deny, destination: { nets: [192.0.2.0/24] } }
`,
      validFrom: BLOCK_APPLIED,
    },
  ];
}

/**
 * The scenario's traffic, a week of daily flows:
 * - web (2 pods) -> pg:5432, reported at pg (ingress, decided by pg-access rule 0)
 * - tool (ops) -> pg:5432 daily, reported at pg (rule 0: its only legitimate non-web client)
 * - tool -> 8.8.8.8:53/udp, reported at tool (egress, decided by the ops profile)
 * - web-abc-1 -> tool:8080, reported at tool (ingress, decided by the ops profile)
 * - web-abc-2 -> tool:22 on day 1, reported at tool: denied by the security tier
 * Nothing ever uses pg-access rules 1-3, ports 8000-9000 of rule 0, or shop's web-from-lb; the
 * security tier's block-egress-range arrives on day 5 and never matches.
 */
export function scenarioRecords(): FlowRecord[] {
  const records: FlowRecord[] = [];
  for (let day = 0; day < 7; day++) {
    const at = (h: number) => T0 + day * DAY + h * 3_600_000;
    records.push(rec(at(1), { srcIp: IP.web1 }), rec(at(2), { srcIp: IP.web2 }), rec(at(13), { srcIp: IP.web1 }));
    records.push(rec(at(3), { srcIp: IP.tool }));
    records.push(rec(at(4), { srcIp: IP.tool, dstIp: IP.dns, protocol: 'udp', dstPort: 53, reporter: 'src', node: 'node-3' }));
    records.push(rec(at(5), { srcIp: IP.web1, dstIp: IP.tool, dstPort: 8080, node: 'node-3' }));
  }
  records.push(rec(T0 + DAY + 3_600_000, { srcIp: IP.web2, dstIp: IP.tool, dstPort: 22, action: 'deny', node: 'node-3' }));
  return records;
}

/**
 * Loads the suggestion scenario in-process (inventory API, attribution against the inventory as of
 * each flow, the flow repository); the integration suite sends the same data through Kafka.
 */
export async function loadSuggestScenario(t: TestApp): Promise<number> {
  return loadScenario(t, scenarioInventory(), scenarioRecords());
}

/** Applies the inventory (each YAML at its instant), then attributes and stores the records. */
export async function loadScenario(t: TestApp, inventory: ReadonlyArray<{ yaml: string; validFrom: number }>, records: readonly FlowRecord[]): Promise<number> {
  for (const { yaml, validFrom } of inventory) {
    await t.http().post('/api/v1/inventory').query({ validFrom: new Date(validFrom).toISOString() }).set('content-type', 'application/yaml').send(yaml).expect(200);
  }
  const attribution = t.app.get(AttributionService, { strict: false });
  const rows = records.map((r, i) => attribution.attribute(r, { format: 'flowscope', topic: 'suggest', partition: 0, offset: String(i), index: 0 }));
  await t.app.get(FlowRepository).insert(rows, 'suggest-scenario');
  return rows.length;
}
