/**
 * Policy engine benchmark: a synthetic but realistic cluster (1,000 policies in 5 tiers,
 * 10,000 pods, host endpoints and network sets), seeded so runs are comparable.
 * Run: npx tsc -p tsconfig.json && node dist/bench/policy.bench.js
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { FlowInput, PolicySnapshot, Resource, normalizeResource } from '../src/policy';
import { Prng } from '../src/simulator/prng.util';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  notes?: string;
}

/** The simulator's seeded mulberry32, as a plain function: runs and failures reproduce. */
function prng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

const NAMESPACES = 50;
const APPS = 200;
const PODS = 10_000;
const HOSTS = 100;

function ipOf(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

/**
 * `typical`: global policies select a few apps each (about 6 policies apply to a pod per direction).
 * `heavy`: global policies select whole roles (about 30 apply per pod and direction, most flows
 * walk ~70 rules per side before reaching the profile): a worst case, not a typical cluster.
 */
export function syntheticCluster(seed = 42, shape: 'typical' | 'heavy' = 'typical'): { resources: Resource[]; flows: FlowInput[] } {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (n: number) => Math.floor(rnd() * n);
  const raw: unknown[] = [];
  const envs = ['prod', 'staging', 'dev'];
  const roles = ['fe', 'be', 'db', 'cache'];
  for (let n = 0; n < NAMESPACES; n++) {
    raw.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns${n}`, labels: { env: envs[n % 3], team: `t${n % 7}` } } });
    raw.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: `ns${n}`, labels: { tier: n % 2 ? 'gold' : 'silver' } } });
  }
  const podNs: number[] = [];
  const podApp: number[] = [];
  for (let i = 0; i < PODS; i++) {
    const app = int(APPS);
    const ns = app % NAMESPACES;
    podNs.push(ns);
    podApp.push(app);
    raw.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `app${app}-${i}`, namespace: `ns${ns}`, labels: { app: `app${app}`, role: roles[app % 4], version: `v${int(3)}` } },
      spec: {
        nodeName: `node${i % HOSTS}`,
        serviceAccountName: i % 3 ? 'app' : 'default',
        containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8000 + (app % 10) }, { name: 'metrics', containerPort: 9090 }] }],
      },
      status: { podIP: ipOf(i + 256), phase: 'Running' },
    });
  }
  for (let h = 0; h < HOSTS; h++) {
    raw.push({
      apiVersion: 'projectcalico.org/v3',
      kind: 'HostEndpoint',
      metadata: { name: `node${h}-eth0`, labels: { 'node-role': h < 3 ? 'control' : 'worker' } },
      spec: { node: `node${h}`, interfaceName: 'eth0', expectedIPs: [`192.168.${h >> 8}.${h & 255}`], profiles: ['projectcalico-default-allow'] },
    });
  }
  for (let s = 0; s < 200; s++) {
    raw.push({
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkSet',
      metadata: { name: `gns${s}`, labels: { feed: s % 2 ? 'partners' : 'blocklist' } },
      spec: { nets: [`${100 + int(100)}.${int(256)}.${int(256)}.0/24`, `172.${16 + int(16)}.${int(256)}.0/${20 + int(8)}`] },
    });
  }
  raw.push(
    { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'security' }, spec: { order: 100 } },
    { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'platform' }, spec: { order: 200, defaultAction: 'Pass' } },
    { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'application' }, spec: { order: 300, defaultAction: 'Pass' } },
    { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'baseline' }, spec: { order: 5_000_000 } },
  );
  // 5 tiers with policies: security 100, platform 150, application 300, default 400, baseline 50.
  const plan: Array<[string, number]> = [
    ['security', 100],
    ['platform', 150],
    ['application', 300],
    ['default', 400],
    ['baseline', 50],
  ];
  let count = 0;
  for (const [tier, n] of plan) {
    for (let k = 0; k < n; k++) {
      count++;
      const app = int(APPS);
      const ns = `ns${app % NAMESPACES}`;
      const port = 8000 + (app % 10);
      const peerApp = `app${int(APPS)}`;
      const kind = int(10);
      if (tier === 'default' && kind < 7) {
        raw.push({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: `knp-${k}`, namespace: ns },
          spec: {
            podSelector: { matchLabels: { app: `app${app}` } },
            policyTypes: ['Ingress', 'Egress'],
            ingress: [
              { from: [{ podSelector: { matchLabels: { app: peerApp } } }, { namespaceSelector: { matchLabels: { env: pick(envs) } } }], ports: [{ port: 'http' }, { port }] },
              { from: [{ ipBlock: { cidr: '172.16.0.0/12', except: ['172.20.0.0/16'] } }] },
            ],
            egress: [{ to: [{ podSelector: {} }] }, { ports: [{ protocol: 'UDP', port: 53 }] }],
          },
        });
      } else if (kind < 4 || tier === 'application') {
        raw.push({
          apiVersion: 'projectcalico.org/v3',
          kind: 'NetworkPolicy',
          metadata: { name: `${tier}.np-${k}`, namespace: ns },
          spec: {
            tier,
            order: int(4) === 0 ? undefined : int(1000),
            selector: `app == 'app${app}' || role == '${pick(roles)}'`,
            ingress: [
              { action: 'Log', protocol: 'TCP', source: { nets: ['100.64.0.0/10'] } },
              { action: 'Allow', protocol: 'TCP', source: { selector: `app == '${peerApp}'` }, destination: { ports: ['http', `${port}:${port + 5}`] } },
              { action: 'Deny', protocol: 'TCP', source: { notNets: ['10.0.0.0/8'] }, destination: { ports: [22] } },
              { action: 'Pass', source: { namespaceSelector: `env == '${pick(envs)}'` } },
            ],
            egress: [
              { action: 'Allow', protocol: 'UDP', destination: { ports: [53] } },
              { action: 'Deny', destination: { selector: "feed == 'blocklist'", namespaceSelector: 'global()' } },
              { action: 'Allow', protocol: 'TCP', destination: { selector: `role in {'be', 'db'}`, ports: ['http', 'metrics'] } },
            ],
          },
        });
      } else {
        raw.push({
          apiVersion: 'projectcalico.org/v3',
          kind: int(8) === 0 ? 'StagedGlobalNetworkPolicy' : 'GlobalNetworkPolicy',
          metadata: { name: `${tier}.gnp-${k}` },
          spec: {
            tier,
            order: int(1000),
            selector:
              shape === 'heavy'
                ? kind % 2
                  ? `role == '${pick(roles)}' && version != 'v0'`
                  : `has(app) && app starts with 'app${int(20)}'`
                : kind % 2
                  ? `role == '${pick(roles)}' && app in {'app${int(APPS)}', 'app${int(APPS)}', 'app${int(APPS)}'}`
                  : `has(app) && app starts with 'app${int(20)}' && version == 'v${int(3)}'`,
            namespaceSelector: int(2) ? `env in {'${pick(envs)}', '${pick(envs)}'}` : undefined,
            types: ['Ingress', 'Egress'],
            ingress: [
              { action: 'Deny', source: { selector: "feed == 'blocklist'" } },
              { action: 'Allow', protocol: 'TCP', source: { serviceAccounts: { selector: "tier == 'gold'" } }, destination: { ports: [443, 'metrics'] } },
              { action: 'Pass', protocol: 'TCP', source: { nets: ['10.0.0.0/8'] } },
            ],
            egress: [
              { action: 'Pass', destination: { nets: ['10.0.0.0/8', '192.168.0.0/16'] } },
              { action: 'Deny', destination: { notNets: ['10.0.0.0/8'], notSelector: "feed == 'partners'" } },
            ],
          },
        });
      }
    }
  }
  const resources: Resource[] = [];
  raw.forEach((r, i) => {
    const out = normalizeResource(r, i);
    if ('resource' in out) resources.push(out.resource);
  });
  if (count !== 1000) throw new Error(`expected 1000 policies, built ${count}`);
  const flows: FlowInput[] = [];
  const ports = [8000, 8003, 8005, 9090, 443, 22, 53, 5432];
  for (let f = 0; f < 20_000; f++) {
    const s = int(PODS);
    const kind = int(10);
    const dst = kind < 7 ? ipOf(int(PODS) + 256) : kind < 9 ? `172.${16 + int(16)}.${int(256)}.${int(256)}` : `192.168.0.${int(HOSTS)}`;
    const udp = int(10) === 0;
    flows.push({ srcIp: ipOf(s + 256), dstIp: dst, protocol: udp ? 'udp' : 'tcp', srcPort: 30000 + int(30000), dstPort: udp ? 53 : pick(ports) });
  }
  return { resources, flows };
}

function perSecond(n: number, ms: number): number {
  return Math.round((n / ms) * 1000);
}

async function benchShape(shape: 'typical' | 'heavy'): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const p = `policy.${shape}`;
  const t0 = performance.now();
  const { resources, flows } = syntheticCluster(42, shape);
  const t1 = performance.now();
  const snap = new PolicySnapshot(resources);
  const t2 = performance.now();
  rows.push({ name: `${p}.parse`, value: Math.round(t1 - t0), unit: 'ms', notes: `${resources.length} resources validated and normalised` });
  rows.push({ name: `${p}.snapshot-build`, value: Math.round(t2 - t1), unit: 'ms', notes: '1,000 policies / 5 tiers, 10,000 pods, 100 hosts, 200 network sets' });

  let allowed = 0;
  const c0 = performance.now();
  for (const f of flows) if (snap.decideFlow(f).allowed) allowed++;
  const c1 = performance.now();
  rows.push({
    name: `${p}.decide-cold`,
    value: perSecond(flows.length, c1 - c0),
    unit: 'decisions/s',
    notes: `first decision per flow on a fresh snapshot (${flows.length} flows, ${Math.round((allowed / flows.length) * 100)}% allowed), includes per-endpoint caches and IP resolution`,
  });

  const rounds = 10;
  const w0 = performance.now();
  for (let r = 0; r < rounds; r++) for (const f of flows) snap.decideFlow(f);
  const w1 = performance.now();
  rows.push({ name: `${p}.decide-warm`, value: perSecond(flows.length * rounds, w1 - w0), unit: 'decisions/s', notes: 'decideFlow: enforced verdict of a flow (egress + ingress sides evaluated), caches warm' });

  // What ingest does per record that carries the dataplane's trace: the reporting side only,
  // enforced and pending, by the already-resolved endpoint (`decideDirection`, no trace).
  const sides = flows.map((f, i) => {
    const ingress = i % 2 === 0 && snap.resolveIp(f.dstIp as string).endpoint !== undefined;
    return { ref: snap.resolveIp((ingress ? f.dstIp : f.srcIp) as string), direction: ingress ? ('ingress' as const) : ('egress' as const), flow: f };
  });
  const pending = { pending: true };
  for (const s of sides) snap.decideDirection(s.ref, s.direction, s.flow, pending); // pending programs: not timed
  let gcs = 0;
  const gcWatch = new PerformanceObserver((list) => (gcs += list.getEntries().length));
  gcWatch.observe({ entryTypes: ['gc'] });
  const d0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const s of sides) {
      snap.decideDirection(s.ref, s.direction, s.flow);
      snap.decideDirection(s.ref, s.direction, s.flow, pending);
    }
  }
  const d1 = performance.now();
  await new Promise((r) => setTimeout(r, 20)); // GC entries are delivered asynchronously
  gcWatch.disconnect();
  rows.push({
    name: `${p}.decide-direction`,
    value: perSecond(sides.length * rounds, d1 - d0),
    unit: 'records/s',
    notes: `one side per record by resolved endpoint, enforced + pending decideDirection, caches warm; ${gcs} GC runs during ${sides.length * rounds * 2} calls`,
  });

  for (const f of flows) snap.evaluateFlow(f); // pending programs and traces' first use: not timed
  const e0 = performance.now();
  for (let r = 0; r < 3; r++) for (const f of flows) snap.evaluateFlow(f);
  const e1 = performance.now();
  rows.push({ name: `${p}.evaluate-warm`, value: perSecond(flows.length * 3, e1 - e0), unit: 'flows/s', notes: 'full evaluation: enforced + pending traces for both sides, caches warm' });
  rows.push(...churn(p, snap, resources, flows));
  return rows;
}

/**
 * Pod churn: a pod replaced (new name, same labels, its IP reused) or relabelled, applied to the
 * compiled snapshot (`withChanges`) against a rebuild of the whole snapshot; then the same change
 * followed by 1,000 decisions, as attribution meets it when pods change every 1,000 records.
 */
export function churn(p: string, base: PolicySnapshot, resources: readonly Resource[], flows: readonly FlowInput[]): BenchRow[] {
  const pods = resources.filter((r): r is Extract<Resource, { kind: 'Pod' }> => r.kind === 'Pod');
  const change = (i: number): { upserts: Resource[]; deletions: string[] } => {
    const pod = pods[(i * 7919) % pods.length];
    if (i % 2 === 0) return { upserts: [{ ...pod, labels: { ...pod.labels, rollout: `r${i}` } }], deletions: [] };
    const name = `${pod.name}-r${i}`;
    return { upserts: [{ ...pod, name, key: `Pod/${pod.namespace}/${name}` }], deletions: [pod.key] };
  };
  const rows: BenchRow[] = [];
  const n = 1000;
  let snap = base;
  const i0 = performance.now();
  for (let i = 0; i < n; i++) {
    const c = change(i);
    snap = snap.withChanges(c.upserts, c.deletions);
  }
  const i1 = performance.now();
  const incremental = (i1 - i0) / n;
  rows.push({ name: `${p}.churn-incremental`, value: Math.round(incremental * 1000) / 1000, unit: 'ms/change', notes: `${n} successive pod changes (replaced with its IP reused, or relabelled) applied with withChanges` });
  const rebuilds = 5;
  let state = new Map(resources.map((r) => [r.key, r]));
  const r0 = performance.now();
  for (let i = 0; i < rebuilds; i++) {
    const c = change(i);
    state = new Map(state);
    for (const k of c.deletions) state.delete(k);
    for (const r of c.upserts) state.set(r.key, r);
    new PolicySnapshot([...state.values()]);
  }
  const rebuild = (performance.now() - r0) / rebuilds;
  rows.push({ name: `${p}.churn-rebuild`, value: Math.round(rebuild), unit: 'ms/change', notes: `the same change by building the whole snapshot again (${rebuilds} changes); incremental is ${Math.round(rebuild / incremental)}x cheaper` });
  // Attribution's view: decisions with a pod change every 1,000, each batch on the newest snapshot.
  const batch = 1000;
  snap = base;
  for (const f of flows) snap.decideFlow(f); // warm, as a running ingest is
  const d0 = performance.now();
  let done = 0;
  for (let i = 0; done < flows.length * 3; i++) {
    const c = change(n + i);
    snap = snap.withChanges(c.upserts, c.deletions);
    for (let k = 0; k < batch; k++) snap.decideFlow(flows[(done + k) % flows.length]);
    done += batch;
  }
  const d1 = performance.now();
  const w0 = performance.now();
  for (let k = 0; k < done; k++) base.decideFlow(flows[k % flows.length]);
  const w1 = performance.now();
  rows.push({
    name: `${p}.decide-with-churn`,
    value: perSecond(done, d1 - d0),
    unit: 'decisions/s',
    notes: `decideFlow with a pod change every ${batch} decisions (each batch on the newly derived snapshot); ${perSecond(done, w1 - w0)}/s without churn in the same run`,
  });
  return rows;
}

export async function runPolicyBench(): Promise<BenchRow[]> {
  return [...(await benchShape('typical')), ...(await benchShape('heavy'))];
}

if (require.main === module) {
  runPolicyBench().then(
    (rows) => {
      for (const r of rows) console.log(`${r.name.padEnd(32)} ${String(r.value).padStart(10)} ${r.unit}${r.notes ? `  (${r.notes})` : ''}`);
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
