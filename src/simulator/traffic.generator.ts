import { FlowEvaluation } from '../policy';
import { clusterIpam, newPod } from './cluster.generator';
import { Manifest, manifestKey, SimApp, SimCluster, SimNode, SimPod } from './cluster.types';
import { podManifest } from './manifest.builders';
import { k8sNp } from './policy.generator';
import { Prng } from './prng.util';
import { buildEdges, Edge, PeerPick } from './traffic.edges';
import { Connection, ConnectionIntent, SimEndpoint, SimEvent, SimRecord } from './traffic.types';
import { VerdictOracle } from './verdict.oracle';

export interface TrafficOptions {
  seed: number;
  /** Epoch ms of the first connection. */
  startTime: number;
  /** Simulated connections per second: spaces the timestamps (not a wall-clock rate). */
  connectionsPerSecond: number;
  /** Share of connections drawn from the edges policy should deny. */
  unexpectedRatio: number;
  /** Share of pod-to-pod (and pod-to-outside) connections made over IPv6 when both ends have it. */
  ipv6Ratio: number;
  /** A pod dies and another deployment's new pod takes its IP every N connections (0 = never). */
  churnEvery: number;
  /** A policy is promoted, added or deleted every N connections (0 = never). */
  policyChangeEvery: number;
  /** Error injection: share of connections whose traces come from an outdated policy set. */
  staleRatio: number;
  /** Error injection: share of connections to or from a pod-CIDR IP no inventory knows. */
  unknownEndpointRatio: number;
}

export const DEFAULT_TRAFFIC_OPTIONS: TrafficOptions = {
  seed: 1,
  startTime: Date.UTC(2025, 0, 1),
  connectionsPerSecond: 1000,
  unexpectedRatio: 0.08,
  ipv6Ratio: 0.1,
  churnEvery: 5_000,
  policyChangeEvery: 50_000,
  staleRatio: 0,
  unknownEndpointRatio: 0,
};

/** Addresses from the last IPAM block, which no node owns: inside the pod CIDR, in no inventory. */
const UNKNOWN_BLOCK = 255;

/**
 * Turns a generated cluster into a stream of events: the inventory first, then connections
 * with the records both dataplanes would emit, interleaved with pod churn and policy changes
 * (each inventory change comes before any traffic that depends on it).
 */
export class TrafficGenerator {
  readonly options: TrafficOptions;
  private readonly rng: Prng;
  private readonly oracle: VerdictOracle;
  private staleOracle: VerdictOracle | null = null;
  private readonly expected: Edge[];
  private readonly unexpected: Edge[];
  private readonly expectedCum: number[];
  private readonly unexpectedCum: number[];
  private readonly livePods = new Map<SimApp, SimPod[]>();
  private readonly pending: SimEvent[] = [];
  private clock: number;
  private connections = 0;
  private policyChanges = 0;
  private nextChurnAt: number;
  private nextPolicyChangeAt: number;
  private readonly staged: Manifest[];

  constructor(
    readonly cluster: SimCluster,
    options: Partial<TrafficOptions> = {},
  ) {
    this.options = { ...DEFAULT_TRAFFIC_OPTIONS, ...options };
    this.rng = new Prng(this.options.seed ^ 0x5eed);
    this.clock = this.options.startTime;
    this.nextChurnAt = this.options.churnEvery;
    this.nextPolicyChangeAt = this.options.policyChangeEvery;
    for (const p of cluster.pods.values()) this.podsOf(p.app).push(p);
    const edges = buildEdges(cluster);
    this.expected = edges.filter((e) => e.expected);
    this.unexpected = edges.filter((e) => !e.expected);
    this.expectedCum = cumulative(this.expected);
    this.unexpectedCum = cumulative(this.unexpected);
    this.oracle = new VerdictOracle(this.inventory());
    this.staged = cluster.policyManifests.filter((m) => m.kind === 'StagedNetworkPolicy');
    if (this.options.staleRatio > 0) {
      this.staleOracle = new VerdictOracle(staleInventory(this.inventory()));
      this.staleReps = this.pickRepresentatives();
    }
  }

  private reps = new Map<SimApp, SimPod>();
  private repGeneration = -1;
  private staleReps = new Map<SimApp, SimPod>();

  /** One live pod per deployment: all of them are in a snapshot built now. */
  private pickRepresentatives(): Map<SimApp, SimPod> {
    const m = new Map<SimApp, SimPod>();
    for (const [app, pods] of this.livePods) if (pods.length) m.set(app, pods[0]);
    return m;
  }

  /** The flow as the engine must see it: pods replaced by their deployment's representative. */
  private engineFlow(src: SimEndpoint, dst: SimEndpoint, reps: Map<SimApp, SimPod>, base: { protocol: string; srcPort: number; dstPort: number }) {
    const v6 = src.ip.includes(':') ? 1 : 0;
    const ip = (e: SimEndpoint) => (e.pod ? (reps.get(e.pod.app) ?? e.pod).ips[v6] : e.ip);
    return { ...base, srcIp: ip(src), dstIp: ip(dst) };
  }

  /** Everything the inventory topic starts with: base resources, pods, then tiers and policies. */
  inventory(): Manifest[] {
    const pods = [...this.cluster.pods.values()].map(podManifest);
    return [...this.cluster.baseManifests, ...pods, ...this.cluster.policyManifests];
  }

  /** What the inventory topic holds now: live pods and the current policies. */
  currentInventory(): Manifest[] {
    return this.inventory();
  }

  /** The engine view the emitted traces come from (for tests and expected-count checks). */
  get verdicts(): VerdictOracle {
    return this.oracle;
  }

  /** The next event: an inventory change, or a connection with its records. */
  next(): SimEvent {
    const queued = this.pending.shift();
    if (queued) return queued;
    const o = this.options;
    if (o.churnEvery > 0 && this.connections >= this.nextChurnAt) {
      this.nextChurnAt += o.churnEvery;
      this.churn();
      return this.next();
    }
    if (o.policyChangeEvery > 0 && this.connections >= this.nextPolicyChangeAt) {
      this.nextPolicyChangeAt += o.policyChangeEvery;
      this.changePolicy();
      return this.next();
    }
    return this.connection();
  }

  private podsOf(app: SimApp): SimPod[] {
    let l = this.livePods.get(app);
    if (!l) this.livePods.set(app, (l = []));
    return l;
  }

  private emitInventory(m: Manifest | null, key: string): void {
    this.pending.push({ type: 'inventory', key, manifest: m });
    // The stale oracle stays frozen at the initial inventory: that is what makes it stale.
    if (m) this.oracle.upsert(m);
    else this.oracle.remove(key);
  }

  /**
   * A pod dies; a pod of another deployment starts on the same node and gets its IP (Calico's
   * IPAM hands recently freed addresses out first); the dead pod's deployment gets a replacement.
   */
  private churn(): void {
    const candidates = this.cluster.apps.filter((a) => a.namespace !== 'kube-system' && a.role !== 'ingress' && a.role !== 'prometheus' && this.podsOf(a).length > 0);
    if (candidates.length < 2) return;
    const victimApp = this.rng.pick(candidates);
    const victims = this.podsOf(victimApp);
    const victim = victims.splice(this.rng.int(0, victims.length - 1), 1)[0];
    this.cluster.pods.delete(`${victim.namespace}/${victim.name}`);
    const ipam = clusterIpam(this.cluster);
    ipam.release(victim.ips[0]);
    this.emitInventory(null, `Pod/${victim.namespace}/${victim.name}`);

    const others = candidates.filter((a) => a !== victimApp);
    const heir = newPod(this.rng.pick(others), victim.node, ipam, this.rng);
    this.addPod(heir);
    const workers = this.cluster.nodes.filter((n) => !n.controlPlane);
    this.addPod(newPod(victimApp, this.rng.pick(workers), ipam, this.rng));
    // The heir's first packets: a DNS lookup from the reused address.
    const dns = this.cluster.apps.find((a) => a.role === 'dns');
    if (dns) this.pending.push(this.connectionFor({ name: 'dns', src: { kind: 'app', app: heir.app }, dst: { kind: 'app', app: dns }, protocol: 'udp', port: 53, weight: 1, expected: true }, heir));
  }

  private addPod(p: SimPod): void {
    this.cluster.pods.set(`${p.namespace}/${p.name}`, p);
    this.podsOf(p.app).push(p);
    this.emitInventory(podManifest(p), `Pod/${p.namespace}/${p.name}`);
  }

  /** Cycles through the changes operators make: promote a staged policy, open a namespace up, drop an allow. */
  private changePolicy(): void {
    const step = this.policyChanges++ % 3;
    const appNs = this.cluster.namespaces.filter((n) => !n.system && n.policyCount > 0);
    if (step === 0 && this.staged.length > 0) {
      const sp = this.staged.splice(this.rng.int(0, this.staged.length - 1), 1)[0];
      const promoted: Manifest = { ...sp, kind: 'NetworkPolicy' };
      this.replacePolicy(sp, promoted);
    } else if (step === 1 && appNs.length > 0) {
      const ns = this.rng.pick(appNs).name;
      this.replacePolicy(null, k8sNp(ns, `allow-all-ingress-${this.policyChanges}`, { podSelector: {}, ingress: [{}] }));
    } else {
      const victims = this.cluster.policyManifests.filter((m) => m.kind === 'NetworkPolicy' && m.apiVersion === 'networking.k8s.io/v1' && m.metadata.name === 'allow-db-from-backend');
      if (victims.length > 0) this.replacePolicy(this.rng.pick(victims), null);
    }
  }

  private replacePolicy(old: Manifest | null, next: Manifest | null): void {
    const list = this.cluster.policyManifests;
    if (old) {
      list.splice(list.indexOf(old), 1);
      this.emitInventory(null, manifestKey(old));
    }
    if (next) {
      list.push(next);
      this.emitInventory(next, manifestKey(next));
    }
  }

  private connection(): SimEvent {
    const o = this.options;
    if (o.unknownEndpointRatio > 0 && this.rng.chance(o.unknownEndpointRatio)) return this.unknownConnection();
    const useUnexpected = this.unexpected.length > 0 && this.rng.chance(o.unexpectedRatio);
    const list = useUnexpected ? this.unexpected : this.expected;
    const cum = useUnexpected ? this.unexpectedCum : this.expectedCum;
    return this.connectionFor(list[pickIndex(cum, this.rng.next())]);
  }

  /** A pod talks to (or is reached from) an address in the pod CIDR that no inventory knows. */
  private unknownConnection(): SimEvent {
    const ip = `${this.cluster.options.podCidr.split('.').slice(0, 2).join('.')}.${UNKNOWN_BLOCK}.${this.rng.int(2, 20)}`;
    const unknown: SimEndpoint = { type: 'net', ip };
    const apps = this.cluster.apps.filter((a) => this.podsOf(a).length > 0 && a.role !== 'dns');
    const pod = this.rng.pick(this.podsOf(this.rng.pick(apps)));
    const local: SimEndpoint = { type: 'wep', ip: pod.ips[0], pod };
    const outbound = this.rng.chance(0.5);
    return this.build(outbound ? local : unknown, outbound ? unknown : local, 'tcp', outbound ? 8080 : pod.app.ports[0].port, 'unknown-endpoint');
  }

  private connectionFor(edge: Edge, srcPod?: SimPod): SimEvent & { type: 'flow' } {
    const v6 = this.rng.chance(this.options.ipv6Ratio) && canV6(edge.src) && canV6(edge.dst);
    const src = srcPod ? { type: 'wep' as const, ip: srcPod.ips[v6 ? 1 : 0], pod: srcPod } : this.endpoint(edge.src, v6);
    const dst = this.endpoint(edge.dst, v6);
    return this.build(src, dst, edge.protocol, edge.port, edge.expected ? 'expected' : 'unexpected');
  }

  private endpoint(p: PeerPick, v6: boolean): SimEndpoint {
    if (p.kind === 'app') {
      const pods = this.podsOf(p.app);
      const pod = pods[Math.floor(this.rng.next() * pods.length)];
      return { type: 'wep', ip: pod.ips[v6 ? 1 : 0], pod };
    }
    if (p.kind === 'hep') {
      const nodes = this.cluster.nodes.filter((n) => n.controlPlane === (p.which === 'control-plane'));
      const node: SimNode = this.rng.pick(nodes);
      return { type: 'hep', ip: node.ip, node };
    }
    const ips = p.net.sampleIps.filter((ip) => ip.includes(':') === v6);
    return { type: p.net.kind === 'Network' ? 'net' : 'ns', ip: this.rng.pick(ips.length ? ips : p.net.sampleIps), net: p.net };
  }

  private build(src: SimEndpoint, dst: SimEndpoint, protocol: 'tcp' | 'udp', port: number, intent: ConnectionIntent): SimEvent & { type: 'flow' } {
    this.connections++;
    this.clock += -Math.log(1 - this.rng.next()) * (1000 / this.options.connectionsPerSecond);
    const base = { protocol, srcPort: this.rng.int(32768, 60999), dstPort: port };
    const key = `${classOf(src)}>${classOf(dst)}|${protocol}|${port}|${src.ip.includes(':') ? 6 : 4}`;
    this.oracle.current();
    if (this.oracle.generation !== this.repGeneration) {
      this.reps = this.pickRepresentatives();
      this.repGeneration = this.oracle.generation;
    }
    let ev = this.oracle.evaluate(() => this.engineFlow(src, dst, this.reps, base), key);
    let stale = false;
    if (this.staleOracle && this.rng.chance(this.options.staleRatio)) {
      const old = this.staleOracle.evaluate(() => this.engineFlow(src, dst, this.staleReps, base), key);
      if (verdictOf(old) !== verdictOf(ev)) {
        ev = old;
        stale = true;
      }
    }
    const dstPod = dst.pod;
    const svcPort = dstPod?.app.ports.find((p) => p.port === port && p.protocol.toLowerCase() === protocol);
    const conn: Connection = {
      time: Math.round(this.clock),
      protocol,
      src,
      dst,
      srcPort: base.srcPort,
      dstPort: port,
      service: dstPod && svcPort ? { name: dstPod.app.name, namespace: dstPod.namespace, portName: svcPort.name, port: svcPort.port } : undefined,
      ...this.volumes(ev, protocol),
      intent,
      stale,
    };
    return { type: 'flow', connection: conn, records: recordsOf(conn, ev) };
  }

  private volumes(ev: FlowEvaluation, protocol: 'tcp' | 'udp'): Pick<Connection, 'packetsIn' | 'packetsOut' | 'bytesIn' | 'bytesOut'> {
    if (!ev.allowed) {
      // Retransmitted SYNs (or datagrams) that never got an answer.
      const n = this.rng.int(1, 3);
      return { packetsOut: n, bytesOut: n * (protocol === 'tcp' ? 60 : 80), packetsIn: 0, bytesIn: 0 };
    }
    if (protocol === 'udp') return { packetsOut: 1, bytesOut: this.rng.int(60, 90), packetsIn: 1, bytesIn: this.rng.int(90, 300) };
    const out = this.rng.int(4, 60);
    const inn = this.rng.int(4, 120);
    return { packetsOut: out, bytesOut: out * this.rng.int(60, 900), packetsIn: inn, bytesIn: inn * this.rng.int(60, 1400) };
  }
}

function verdictOf(ev: FlowEvaluation): string {
  return `${ev.egress?.enforced.decision.verdict}/${ev.ingress?.enforced.decision.verdict}`;
}

/** What the verdict depends on besides the pod: deployment identity (labels, namespace, SA, ports). */
function classOf(e: SimEndpoint): string {
  if (e.pod) return `p:${e.pod.namespace}/${e.pod.app.name}`;
  if (e.node) return `h:${e.node.name}`;
  return `x:${e.ip}`;
}

/**
 * Records a dataplane would emit: a `src` record where the source is a cluster endpoint and a
 * `dst` record where the destination is one, unless the source already dropped the packet.
 * Each Log rule that matched becomes a `log` record of its side.
 */
export function recordsOf(conn: Connection, ev: FlowEvaluation): SimRecord[] {
  const out: SimRecord[] = [];
  const sides = [
    { r: ev.egress, reporter: 'src' as const, ep: conn.src },
    { r: ev.ingress, reporter: 'dst' as const, ep: conn.dst },
  ];
  for (const { r, reporter, ep } of sides) {
    if (!r) continue;
    const node = ep.pod?.node.name ?? ep.node?.name ?? '';
    const enforced = r.enforced.trace.hits;
    const pending = r.pending.trace.hits;
    for (const log of r.enforced.trace.logs) out.push({ reporter, action: 'log', node, enforced, pending, log });
    out.push({ reporter, action: r.enforced.decision.verdict, node, enforced, pending });
    if (reporter === 'src' && r.enforced.decision.verdict === 'deny') break;
  }
  return out;
}

function canV6(p: PeerPick): boolean {
  if (p.kind === 'app') return true;
  if (p.kind === 'hep') return false;
  return p.net.sampleIps.some((ip) => ip.includes(':'));
}

function cumulative(edges: Edge[]): number[] {
  let s = 0;
  return edges.map((e) => (s += e.weight));
}

function pickIndex(cum: number[], u: number): number {
  const x = u * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The policy set as it was "before": default-deny and threat blocking not yet rolled out. A
 * connection that started then keeps that verdict (Calico evaluates new connections only).
 */
function staleInventory(manifests: Manifest[]): Manifest[] {
  return manifests.filter(
    (m) => !(m.metadata.name === 'default-deny' || m.metadata.name === 'security.block-threat-feeds' || m.metadata.name === 'default.api'),
  );
}
