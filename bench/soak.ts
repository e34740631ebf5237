/**
 * Sustained load (`npm run soak`, not in CI): flowscope as its own process ingests at a steady rate
 * for a while (10 minutes by default) while clients search flows, read stats and page through a
 * large result the way an export does. Records the lag, the service's RSS over time and the API
 * latencies (p50/p95/p99), and fails when the lag keeps growing or an event is lost or doubled.
 *
 *   npm run soak -- --minutes 10 --rate 20000
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Message } from 'kafkajs';

const { values: args } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '20000' } } });
const MINUTES = Number(args.minutes);
const RATE = Number(args.rate);
const PER_MESSAGE = 20;
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
if (!(MINUTES > 0) || !(RATE >= PER_MESSAGE)) throw new Error('--minutes must be > 0 and --rate >= 20 (events per second)');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function rssMiB(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
}

async function main(): Promise<void> {
  const id = `soak-${Date.now()}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'flowscope-soak-'));
  const port = await freePort();
  const topic = `${id}.flows`;
  const env = {
    ...process.env,
    FLOWSCOPE_HTTP_PORT: String(port),
    FLOWSCOPE_LOG_LEVEL: 'warn',
    FLOWSCOPE_DATA_DIR: dataDir,
    FLOWSCOPE_RETENTION_ALLOWED_DAYS: '0',
    FLOWSCOPE_RETENTION_DENIED_DAYS: '0',
    // With an admin key the clients use it; without one the run is without access control.
    FLOWSCOPE_AUTH: process.env.FLOWSCOPE_ADMIN_KEY ? 'on' : 'off',
    KAFKA_BROKERS: BROKERS,
    KAFKA_GROUP_ID: id,
    KAFKA_FLOWS_TOPIC: topic,
    KAFKA_DEAD_LETTER_TOPIC: `${id}.dead-letter`,
    KAFKA_INVENTORY_TOPIC: `${id}.inventory`,
  };
  const headers: Record<string, string> = process.env.FLOWSCOPE_ADMIN_KEY ? { authorization: `Bearer ${process.env.FLOWSCOPE_ADMIN_KEY}` } : {};
  const service: ChildProcess = spawn(process.execPath, [join(__dirname, '..', 'src', 'main.js')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (service.exitCode !== null) throw new Error(`flowscope exited with ${service.exitCode}`);
      if (i > 600) throw new Error('flowscope did not start within 120 s');
      if (await fetch(`${base}/health/ready`, { headers }).then((r) => r.ok).catch(() => false)) break;
      await sleep(200);
    }
    const kafka = new Kafka({ clientId: 'flowscope-soak', brokers: BROKERS.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();

    const start = Date.now();
    const end = start + MINUTES * 60_000;
    const eventsFrom = start - 3_600_000;
    let produced = 0;
    const event = (n: number) =>
      JSON.stringify({ time: eventsFrom + n, action: n % 4 ? 'allow' : 'deny', reporter: 'src', protocol: 'tcp', srcIp: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, srcPort: 1024 + (n % 60000), dstIp: `10.200.${n % 50}.1`, dstPort: [443, 5432, 8080][n % 3], srcNamespace: `ns-${n % 20}`, dstNamespace: `ns-${(n + 7) % 20}` });
    // Events carry times a millisecond apart from an hour ago on: RATE * seconds stays within range
    // for the windows below, whatever the duration.
    const window = () => `from=${new Date(eventsFrom - 1000).toISOString()}&to=${new Date(eventsFrom + produced + 1000).toISOString()}`;

    const producing = (async () => {
      for (let second = 0; Date.now() < end; second++) {
        const due = start + second * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
        const messages: Message[] = [];
        for (let m = 0; m < RATE / PER_MESSAGE; m++) {
          messages.push({ key: `node-${m % 16}`, value: Array.from({ length: PER_MESSAGE }, (_, i) => event(produced + m * PER_MESSAGE + i)).join('\n') });
        }
        for (let i = 0; i < messages.length; i += 200) await producer.send({ topic, messages: messages.slice(i, i + 200), acks: -1 });
        produced += messages.length * PER_MESSAGE;
      }
    })();

    const latencies: Record<string, number[]> = { search: [], stats: [], export: [] };
    const failures: string[] = [];
    const timed = async (kind: string, path: string) => {
      const t0 = performance.now();
      const res = await fetch(`${base}${path}`, { headers });
      await res.arrayBuffer();
      latencies[kind].push(performance.now() - t0);
      if (!res.ok) failures.push(`${kind} ${path}: ${res.status}`);
    };
    const client = async (kind: string, next: (i: number) => string) => {
      for (let i = 0; Date.now() < end; i++) await timed(kind, next(i)).catch((err: Error) => failures.push(`${kind}: ${err.message}`));
    };
    const clients = [
      client('search', (i) => `/api/v1/flows?${window()}&namespace=ns-${i % 20}&action=${i % 2 ? 'deny' : 'allow'}&limit=100`),
      client('stats', (i) => `/api/v1/stats/decisions?${window()}&groupBy=${i % 2 ? 'tier,policy' : 'srcNamespace,dstNamespace'}&limit=20`),
      // Paging a whole hour of one namespace 1,000 rows at a time: what an export does.
      (async () => {
        while (Date.now() < end) {
          let cursor = '';
          do {
            const path = `/api/v1/flows?${window()}&namespace=ns-3&limit=1000${cursor ? `&cursor=${cursor}` : ''}`;
            const t0 = performance.now();
            const res = await fetch(`${base}${path}`, { headers }).catch(() => undefined);
            const body = res?.ok ? ((await res.json()) as { nextCursor?: string }) : undefined;
            latencies.export.push(performance.now() - t0);
            if (!body) failures.push(`export page: ${res?.status ?? 'no answer'}`);
            cursor = body?.nextCursor ?? '';
          } while (cursor && Date.now() < end);
        }
      })(),
    ];

    const samples: Array<{ s: number; lag: number; rssMiB: number; stored: number }> = [];
    const metricSum = (text: string, name: string) => [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
    const sampling = (async () => {
      while (Date.now() < end) {
        await sleep(5000);
        // A scrape that fails or hangs is a finding of the run, not the end of it: recorded, and sampling goes on.
        const metrics = await fetch(`${base}/metrics`, { headers, signal: AbortSignal.timeout(30_000) })
          .then((r) => r.text())
          .catch((err: Error) => void failures.push(`metrics at ${Math.round((Date.now() - start) / 1000)} s: ${err.message}`));
        if (metrics === undefined) continue;
        samples.push({ s: Math.round((Date.now() - start) / 1000), lag: metricSum(metrics, 'flowscope_ingest_lag_messages'), rssMiB: rssMiB(service.pid!), stored: metricSum(metrics, 'flowscope_ingest_stored_total') });
        const last = samples[samples.length - 1];
        process.stdout.write(`soak: ${last.s}s produced ${produced} stored ${last.stored} lag ${last.lag} messages, RSS ${last.rssMiB.toFixed(0)} MiB\n`);
      }
    })();
    await Promise.all([producing, sampling, ...clients]);
    await producer.disconnect();

    // Drain: everything produced must be stored, once.
    const drainStart = Date.now();
    let stored = 0;
    while (Date.now() - drainStart < 300_000) {
      const res = await fetch(`${base}/api/v1/stats/decisions?${window()}`, { headers });
      stored = ((await res.json()) as { groups: Array<{ records: number }> }).groups.reduce((n, g) => n + g.records, 0);
      if (stored >= produced) break;
      await sleep(1000);
    }
    await sleep(2000);
    stored = ((await (await fetch(`${base}/api/v1/stats/decisions?${window()}`, { headers })).json()) as { groups: Array<{ records: number }> }).groups.reduce((n, g) => n + g.records, 0);
    const drainSeconds = (Date.now() - drainStart) / 1000;

    const third = Math.max(1, Math.floor(samples.length / 3));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const lagEarly = mean(samples.slice(0, third).map((s) => s.lag));
    const lagLate = mean(samples.slice(-third).map((s) => s.lag));
    const lines = [
      `soak: ${MINUTES} min at ${RATE} events/s: produced ${produced}, stored ${stored} (${stored - produced >= 0 ? '+' : ''}${stored - produced}), drained in ${drainSeconds.toFixed(1)} s after the load stopped`,
      `soak: lag (messages) mean first third ${lagEarly.toFixed(0)}, last third ${lagLate.toFixed(0)}, max ${Math.max(...samples.map((s) => s.lag))}`,
      `soak: RSS MiB first ${samples[0]?.rssMiB.toFixed(0)}, peak ${Math.max(...samples.map((s) => s.rssMiB)).toFixed(0)}, last ${samples[samples.length - 1]?.rssMiB.toFixed(0)}`,
      ...Object.entries(latencies).map(([kind, xs]) => {
        const sorted = [...xs].sort((a, b) => a - b);
        return `soak: ${kind.padEnd(6)} ${sorted.length} requests, p50 ${quantile(sorted, 0.5).toFixed(0)} ms, p95 ${quantile(sorted, 0.95).toFixed(0)} ms, p99 ${quantile(sorted, 0.99).toFixed(0)} ms`;
      }),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const problems = [
      ...(stored !== produced ? [`${produced - stored} events ${stored < produced ? 'lost' : 'doubled'}`] : []),
      // Bounded: the lag of the last third no more than twice the first's (plus a batch's worth).
      ...(lagLate > 2 * lagEarly + RATE / PER_MESSAGE ? [`the lag grew from ${lagEarly.toFixed(0)} to ${lagLate.toFixed(0)} messages`] : []),
      ...failures.slice(0, 10),
    ];
    if (problems.length) {
      process.stderr.write(`soak FAILED:\n  ${problems.join('\n  ')}\n`);
      process.exitCode = 1;
    } else {
      process.stdout.write('soak passed: nothing lost or doubled, lag bounded, every request answered\n');
    }
  } finally {
    if (service.exitCode === null && service.signalCode === null) {
      const exited = new Promise((r) => service.once('exit', r));
      service.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`soak: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
