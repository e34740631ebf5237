/**
 * Suggestions and simulate benchmark: the simulator's large cluster (10,000 pods, 1,000 policies)
 * and 100,000 distinct flow groups over a week with four inventory states. The grouped traffic
 * ClickHouse would return is built in memory (timed apart), so the figures are the analysis itself:
 * findings, proposals and their joint replay; and one simulate of a candidate over every group.
 * Run alone: npx tsc -p tsconfig.json && node dist/bench/suggest.bench.js
 */
import { InventoryTimeline, InventoryVersion } from '../src/inventory/inventory.timeline';
import { normalizeResource, PolicyResource, PolicySnapshot, Resource } from '../src/policy';
import { generateCluster } from '../src/simulator/cluster.generator';
import { podManifest } from '../src/simulator/manifest.builders';
import { Prng } from '../src/simulator/prng.util';
import type { TrafficEdge } from '../src/storage/suggest.repository';
import { FlowGroup } from '../src/suggest/flow-group';
import { overBroadFindings, PolicyVersion, podWorkload, unprotectedFindings } from '../src/suggest/findings';
import { replayJointly } from '../src/suggest/joint-replay';
import { placementFor, Proposal, protectWorkload, tightenRule } from '../src/suggest/proposals';
import { replay } from '../src/suggest/replay';
import { staticFindings } from '../src/suggest/static-analysis';
import { stableLabels } from '../src/suggest/workload';
import { BenchResult } from './bench.types';

const DAY = 86_400_000;
const GROUPS = 100_000;

/**
 * The large cluster, its inventory timeline (`t0` the start of the week) and 100,000 distinct flow
 * groups; `versions` are the inventory's versions as the store keeps them (the store benchmark seeds them).
 */
export function build(t0 = 0) {
  const cluster = generateCluster('large');
  const versions: InventoryVersion[] = [];
  const manifests = [...cluster.baseManifests, ...cluster.policyManifests, ...[...cluster.pods.values()].map(podManifest)];
  const timeline = new InventoryTimeline();
  const add = (m: { kind: string; metadata: { name: string } }, at: number) => {
    const out = normalizeResource(m);
    if (!('resource' in out)) return;
    const r = out.resource;
    const v: InventoryVersion = { key: r.key, kind: r.kind, namespace: r.namespace, name: r.name, manifestKind: m.kind, manifestName: m.metadata.name, validFrom: at, deleted: false, manifest: m, source: 'bench' };
    versions.push(v);
    timeline.add(v, r);
  };
  for (const m of manifests) add(m as never, t0);
  // Three changes during the week: four inventory states to replay against.
  const pods = [...cluster.pods.values()];
  for (const d of [2, 4, 6]) add(podManifest({ ...pods[d], app: { ...pods[d].app, labels: { ...pods[d].app.labels, rollout: `d${d}` } } }) as never, t0 + d * DAY);
  const rnd = new Prng(7);
  const groups: FlowGroup[] = [];
  const seen = new Set<string>();
  while (groups.length < GROUPS) {
    const s = rnd.pick(pods);
    const toPod = rnd.chance(0.85);
    const d = rnd.pick(pods);
    const dstIp = toPod ? d.ips[0] : `${rnd.int(11, 200)}.${rnd.int(0, 255)}.${rnd.int(0, 255)}.${rnd.int(1, 254)}`;
    const port = toPod ? rnd.pick(d.app.ports) : { port: rnd.pick([443, 80, 53]), protocol: 'TCP' as const };
    const time = t0 + rnd.int(0, 7 * DAY - 1);
    const epoch = timeline.epochAt(time);
    const key = `${epoch}|${s.ips[0]}|${dstIp}|${port.port}|${port.protocol}`;
    if (seen.has(key)) continue;
    seen.add(key);
    groups.push({ time, srcIp: s.ips[0], dstIp, protocol: port.protocol.toLowerCase(), dstPort: port.port, srcPort: null, srcNamespace: s.namespace, srcName: s.name, dstNamespace: toPod ? d.namespace : '', dstName: toPod ? d.name : '', records: 1 + rnd.int(0, 20), flows: 1, bytes: 1000, firstSeen: time, lastSeen: time + rnd.int(0, 3) * DAY, sampleIds: [`b/${groups.length}`] });
  }
  groups.sort((a, b) => timeline.epochAt(a.time) - timeline.epochAt(b.time));
  return { timeline, groups, pods, versions };
}

/** What the grouped SQL gives the analyses: per deciding rule (or profile), local workload, peer and port. */
function edgesOf(timeline: InventoryTimeline, groups: readonly FlowGroup[], podByIp: Map<string, { namespace: string; workload: string }>) {
  const allow: TrafficEdge[] = [];
  const profile: TrafficEdge[] = [];
  const traffic: TrafficEdge[] = [];
  const history = cachedHistory(timeline);
  for (const g of groups) {
    const snap = history.snapshotAt(g.time);
    const d = snap.decideFlow({ srcIp: g.srcIp, dstIp: g.dstIp, protocol: g.protocol, dstPort: g.dstPort });
    if (!d.allowed) continue;
    const src = podByIp.get(g.srcIp);
    const dst = podByIp.get(g.dstIp);
    for (const [direction, dec, local, peer, peerIp] of [
      ['egress', d.egress, src, dst, g.dstIp],
      ['ingress', d.ingress, dst, src, g.srcIp],
    ] as const) {
      if (!dec || !local) continue;
      const edge: TrafficEdge = {
        policy: dec.policyKind ? `${dec.policyKind}/${dec.namespace ?? ''}/${dec.name}` : '',
        ruleIndex: dec.ruleIndex ?? -1,
        decisionKind: dec.kind,
        direction,
        localNamespace: local.namespace,
        localWorkload: local.workload,
        peerType: peer ? 'wep' : 'net',
        peerNamespace: peer?.namespace ?? '',
        peerWorkload: peer?.workload ?? '',
        peerIp: peer ? '' : peerIp,
        protocol: g.protocol,
        port: g.dstPort,
        records: g.records,
        flows: g.flows,
        bytes: g.bytes,
        firstSeen: g.firstSeen,
        lastSeen: g.lastSeen,
        sampleIds: [...g.sampleIds],
      };
      traffic.push(edge);
      if (dec.kind === 'rule') allow.push(edge);
      else if (dec.kind === 'profile') profile.push(edge);
    }
  }
  return { allow, profile, traffic };
}

function mergeEdges(edges: readonly TrafficEdge[]): TrafficEdge[] {
  const m = new Map<string, TrafficEdge>();
  for (const e of edges) {
    const k = [e.policy, e.ruleIndex, e.decisionKind, e.direction, e.localNamespace, e.localWorkload, e.peerType, e.peerNamespace, e.peerWorkload, e.peerIp, e.protocol, e.port].join('|');
    const x = m.get(k);
    if (!x) m.set(k, { ...e });
    else {
      x.records += e.records;
      x.firstSeen = Math.min(x.firstSeen, e.firstSeen);
      x.lastSeen = Math.max(x.lastSeen, e.lastSeen);
    }
  }
  return [...m.values()];
}

/** Compiled snapshots kept per inventory state, each derived from the last one, as the inventory service keeps them for ingest. */
function cachedHistory(timeline: InventoryTimeline) {
  const snaps = new Map<number, PolicySnapshot>();
  let last: { at: number; snap: PolicySnapshot } | null = null;
  return {
    epochAt: (t: number) => timeline.epochAt(t),
    stateAt: (t: number) => timeline.stateAt(t),
    changesBetween: (from: number, to: number, limit?: number) => timeline.changesBetween(from, to, limit),
    snapshotAt: (t: number) => {
      const e = timeline.epochAt(t);
      let s = snaps.get(e);
      if (!s) {
        const ch = last && timeline.changesBetween(last.at, t, 2_000);
        snaps.set(e, (s = last && ch ? last.snap.withChanges(ch.upserts, ch.deletions) : new PolicySnapshot(timeline.stateAt(t))));
      }
      last = { at: t, snap: s };
      return s;
    },
  };
}

/** CPU time (user + system) of this process in ms: on a shared machine wall time also counts other work. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export async function runSuggestBench(): Promise<BenchResult[]> {
  const rows: BenchResult[] = [];
  let c0 = cpuMs();
  const cpu = () => {
    const now = cpuMs();
    const d = now - c0;
    c0 = now;
    return `CPU ${Math.round(d).toLocaleString('en-US')} ms`;
  };
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const { timeline, groups } = build();
  const w = { from: 0, to: 7 * DAY };
  const end = timeline.versionsAt(w.to - 1);
  const podByIp = new Map<string, { namespace: string; workload: string }>();
  const labelSets = new Map<string, Array<Record<string, string>>>();
  for (const { resource: r } of end) {
    if (r.kind !== 'Pod') continue;
    const workload = podWorkload(r);
    for (const ip of r.ips) podByIp.set(ip, { namespace: r.namespace, workload });
    const k = `${r.namespace}\u0000${workload}`;
    labelSets.set(k, [...(labelSets.get(k) ?? []), { ...r.labels }]);
  }
  rows.push({ name: 'setup: cluster, timeline, 100,000 distinct flow groups', value: performance.now() - t0, unit: 'ms', notes: `${cpu()}; ${timeline.size} resources, ${new Set(groups.map((g) => timeline.epochAt(g.time))).size} inventory states` });

  c0 = cpuMs();
  const t1 = performance.now();
  const e = edgesOf(timeline, groups, podByIp);
  const allow = mergeEdges(e.allow);
  const profile = mergeEdges(e.profile);
  const traffic = mergeEdges(e.traffic);
  rows.push({ name: 'stand-in for the grouped SQL (edges from a replay)', value: performance.now() - t1, unit: 'ms', notes: `${cpu()}; ${allow.length} rule edges, ${profile.length} profile edges; not part of the figures below` });

  // Suggestions: findings, proposals, joint replay: what GET /api/v1/suggestions does after its queries.
  const t2 = performance.now();
  const policies: PolicyVersion[] = end.filter((v) => v.resource.kind.endsWith('NetworkPolicy')).map((v) => ({ resource: v.resource as PolicyResource, since: v.version.validFrom, manifest: v.version.manifest }));
  const pods = end.map((v) => v.resource).filter((r): r is Extract<Resource, { kind: 'Pod' }> => r.kind === 'Pod');
  const nsLabels = new Map(end.map((v) => v.resource).filter((r) => r.kind === 'Namespace').map((r) => [r.name, (r as { labels: Record<string, string> }).labels]));
  const ctx = { stableLabels: (ns: string, wl: string) => stableLabels(labelSets.get(`${ns}\u0000${wl}`) ?? []), networkSets: [], cidrBudget: 0 };
  const byKey = new Map(policies.map((p) => [p.resource.key, p]));
  const proposals: Proposal[] = [];
  const byRule = new Map<string, TrafficEdge[]>();
  for (const x of allow) byRule.set(`${x.policy}|${x.direction}|${x.ruleIndex}`, [...(byRule.get(`${x.policy}|${x.direction}|${x.ruleIndex}`) ?? []), x]);
  const broad = overBroadFindings(policies, allow, { pods, namespaceLabels: nsLabels }, w);
  for (const f of broad) {
    const p = tightenRule(f, byKey.get(f.subject!.policy)!, byRule.get(`${f.subject!.policy}|${f.subject!.direction}|${f.subject!.ruleIndex}`) ?? [], ctx);
    if (p) proposals.push(p);
  }
  const snapEnd = new PolicySnapshot(end.map((v) => v.resource));
  const placement = placementFor(snapEnd.tiers, policies.map((p) => p.resource));
  const unprotected = unprotectedFindings(profile, w);
  for (const f of unprotected) {
    const u = f.unprotected!;
    const p = protectWorkload(f, traffic.filter((x) => x.localNamespace === u.namespace && x.localWorkload === u.workload), placement, ctx);
    if (p) proposals.push(p);
  }
  const changes = proposals.map((p) => {
    const out = normalizeResource(p.enforced);
    if (!('resource' in out)) throw new Error(`proposal ${p.id} is not a resource`);
    return { namespace: p.namespace, resource: out.resource };
  });
  const history = cachedHistory(timeline);
  const results = replayJointly(changes, groups, history);
  const suggestMs = performance.now() - t2;
  const safe = results.filter((r, i) => r.changed === 0 && proposals[i].containment.contained).length;
  rows.push({ name: 'suggestions (findings + proposals + replay proof) over 100,000 flow groups, 1,000 policies', value: suggestMs, unit: 'ms', notes: `${cpu()}; ${broad.length} over-broad rules, ${unprotected.length} unprotected workloads, ${proposals.length} suggestions (${safe} safe); target < 5,000 ms` });

  const t3 = performance.now();
  const stat = staticFindings(snapEnd, { report: () => true, window: w });
  rows.push({ name: 'static findings (shadowed / redundant / generalization / correlation)', value: performance.now() - t3, unit: 'ms', notes: `${cpu()}; ${stat.findings.length} findings over 1,000 policies` });

  // Simulate: a namespaced candidate (the first tightening), then a global one (every flow evaluated twice).
  const t4 = performance.now();
  const sim = replay(groups, history, { upserts: changes.length ? [changes[0].resource] : [], deletions: [] });
  rows.push({ name: 'simulate a namespaced policy change over 100,000 flow groups', value: performance.now() - t4, unit: 'ms', notes: `${cpu()}; ${sim.changed} changed; flows of other namespaces keep their verdict unevaluated; target < 5,000 ms` });
  const global = policies.find((p) => p.resource.namespace === '' && !p.resource.staged)!;
  const t5 = performance.now();
  const simAll = replay(groups, history, { upserts: [], deletions: [global.resource.key] });
  rows.push({ name: 'simulate deleting a global policy over 100,000 flow groups', value: performance.now() - t5, unit: 'ms', notes: `${cpu()}; ${simAll.changed} changed; every flow evaluated under both inventories; target < 5,000 ms` });
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  rows.push({ name: 'peak RSS during the suggestion benchmark', value: Math.round(peak / 2 ** 20), unit: 'MiB' });
  return rows;
}

if (require.main === module) {
  runSuggestBench()
    .then((rows) => {
      for (const r of rows) process.stdout.write(`| suggestions | ${r.name} | ${Math.round(r.value).toLocaleString('en-US')} | ${r.unit} | - | - | ${r.notes ?? ''} |\n`);
    })
    .catch((e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(1);
    });
}
