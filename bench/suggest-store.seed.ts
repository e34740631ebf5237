/**
 * Seeds a data directory for the store-path suggestion benchmark, in a process of its own (the
 * embedded engine belongs to one process; the service takes the directory over afterwards): the
 * large cluster's inventory versions and its 100,000 distinct flow groups as flow records, each
 * attributed by the ingest's own attributor against the inventory as of its time, written through
 * the store's own repositories. Prints one JSON line: rows, distinct groups, seconds.
 * Usage: node dist/bench/suggest-store.seed.js <data dir> <week start ms>
 */
import { AttributedFlow } from '../src/attribution/attributed-flow';
import { FlowAttributor } from '../src/attribution/flow.attributor';
import type { AppConfig } from '../src/config/app-config';
import { FlowRecord, reportedEndpoint } from '../src/flows/flow-record';
import { InventorySnapshot } from '../src/inventory/inventory.snapshot';
import { ClickHouseAdapter } from '../src/storage/clickhouse.adapter';
import { FlowRepository } from '../src/storage/flow.repository';
import { InventoryRepository } from '../src/storage/inventory.repository';
import { build } from './suggest.bench';

const DAY = 86_400_000;
const BATCH = 50_000;

async function main(dir: string, t0: number): Promise<void> {
  const started = Date.now();
  const { timeline, groups, pods, versions } = build(t0);
  const podByIp = new Map(pods.map((p) => [p.ips[0], p]));
  const ch = new ClickHouseAdapter({ clickhouse: { database: 'flowscope', user: '', password: '', dataDir: dir } } as AppConfig);
  await ch.connect();
  await new InventoryRepository(ch).insert(versions, Date.now());
  const flows = new FlowRepository(ch);

  // One compiled inventory per state, derived from the previous one as the inventory service does.
  const changes = timeline.changeTimesIn(t0 + 1, t0 + 7 * DAY);
  const snaps = new Map<number, InventorySnapshot>();
  const snapshotAt = (t: number) => {
    const e = timeline.epochAt(t);
    let s = snaps.get(e);
    if (!s) snaps.set(e, (s = new InventorySnapshot(timeline.stateAt(t))));
    return s;
  };
  const attributor = new FlowAttributor();
  let batch: AttributedFlow[] = [];
  let rows = 0;
  let offset = 0;
  const flush = async () => {
    if (batch.length) await flows.insert(batch, `bench-${offset}`);
    rows += batch.length;
    batch = [];
  };
  for (const g of groups) {
    const snap = snapshotAt(g.time);
    // Copies of a group stay inside its inventory state, so the store groups them as one.
    const boundary = changes.find((c) => c > g.time) ?? t0 + 7 * DAY;
    const step = Math.max(1, Math.min(60_000, Math.floor((boundary - g.time - 1) / g.records)));
    const src = podByIp.get(g.srcIp)!;
    const dst = podByIp.get(g.dstIp);
    const record = (reporter: 'src' | 'dst', action: 'allow' | 'deny'): FlowRecord => ({
      startTime: g.time,
      endTime: g.time + 10_000,
      action,
      reporter,
      protocol: g.protocol,
      srcIp: g.srcIp,
      srcPort: 40_000 + (offset % 20_000),
      dstIp: g.dstIp,
      dstPort: g.dstPort,
      src: reportedEndpoint({ type: 'wep', namespace: src.namespace, name: src.name, aggregatedName: `${src.app.name}-*`, labels: { ...src.app.labels } }),
      dst: dst ? reportedEndpoint({ type: 'wep', namespace: dst.namespace, name: dst.name, aggregatedName: `${dst.app.name}-*`, labels: { ...dst.app.labels } }) : reportedEndpoint({ type: 'net', name: 'pub' }),
      node: (reporter === 'src' ? src : dst!).node.name,
      numFlows: 1,
      numFlowsStarted: 1,
      numFlowsCompleted: 1,
      packetsIn: 10,
      packetsOut: 12,
      bytesIn: 400,
      bytesOut: 600,
      enforcedHits: [],
      pendingHits: [],
    });
    // Each reporting side records the verdict the engine gives it; the destination only sees what the source let out.
    const sides: AttributedFlow[] = [];
    for (const reporter of dst ? (['src', 'dst'] as const) : (['src'] as const)) {
      const source = { format: 'flowscope', topic: 'bench', partition: 0, offset: String(offset), index: 0 };
      let a = attributor.attribute(record(reporter, 'allow'), source, snap);
      if (a.attribution.computedVerdict === 'deny') a = attributor.attribute(record(reporter, 'deny'), source, snap);
      sides.push(a);
      if (a.attribution.computedVerdict === 'deny') break;
    }
    for (let k = 0; k < g.records; k++) {
      for (const a of sides) {
        const t = g.time + k * step;
        batch.push({ ...a, record: { ...a.record, startTime: t, endTime: t + 10_000 }, source: { ...a.source, offset: String(offset++) } });
      }
    }
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  // The distinct groups as the suggest repository forms them (inventory state, addresses, protocol, port).
  const [d] = await ch.query<{ n: string }>(
    `SELECT count() AS n FROM (SELECT DISTINCT arrayCount(x -> x <= toUnixTimestamp64Milli(start_time), {changes:Array(Int64)}), src_ip, dst_ip, protocol, dst_port FROM flows WHERE action != 'log')`,
    { changes },
  );
  await ch.onApplicationShutdown();
  // The global policy the in-process benchmark deletes (the first enforced one of the week's end), by its manifest identity.
  const global = timeline
    .versionsAt(t0 + 7 * DAY - 1)
    .find((v) => v.resource.kind.endsWith('NetworkPolicy') && v.resource.namespace === '' && !(v.resource as { staged?: boolean }).staged)!.version;
  const out = { rows, groups: Number(d.n), states: changes.length + 1, resources: timeline.size, seconds: (Date.now() - started) / 1000, globalPolicy: { kind: global.manifestKind, name: global.manifestName } };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main(process.argv[2], Number(process.argv[3])).catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
