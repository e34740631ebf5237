import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { produce, testKafka } from '../support/kafka-test-client';
import { ServiceProcess, serviceEnv } from '../support/service-process';
import { freePort } from '../support/free-port';
import { tempDir } from '../support/temp-dir';
import { eventually, testConfig } from '../support/test-config';

const PER_MESSAGE = 20;
const EVENTS = 300_000;

const mount = (...args: string[]) => spawnSync('mount', args, { encoding: 'utf8' });
const metric = (text: string, name: string) => [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);

describe('the data directory runs out of space', () => {
  const dir = tempDir('flowscope-small-disk-');
  // A small tmpfs needs root (CAP_SYS_ADMIN); where it cannot be mounted, the test says so and skips.
  const mounted = mount('-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', dir);
  let service: ServiceProcess | undefined;
  after(async () => {
    await service?.stop('SIGKILL');
    if (mounted.status === 0) spawnSync('umount', ['-l', dir]);
  });

  it('pauses ingest without committing, reports it, and stores everything once space returns', { timeout: 420_000, skip: mounted.status === 0 ? false : `cannot mount a tmpfs here: ${mounted.stderr.trim()}` }, async () => {
    const c = testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true' });
    mkdirSync(join(dir, 'chdb'));
    service = new ServiceProcess(
      serviceEnv(c, { FLOWSCOPE_HTTP_PORT: String(await freePort()), FLOWSCOPE_LOG_LEVEL: 'error', FLOWSCOPE_DATA_DIR: join(dir, 'chdb') }),
    );
    await service.start();
    const base = Date.now() - 3_600_000;
    // Incompressible-ish values (distinct IPs, ports, names) so the rows need real space.
    const messages = Array.from({ length: EVENTS / PER_MESSAGE }, (_, m) => ({
      key: `node-${m % 9}`,
      value: Array.from({ length: PER_MESSAGE }, (_, i) => {
        const n = m * PER_MESSAGE + i;
        return JSON.stringify({ time: base + n, action: 'deny', reporter: 'src', protocol: 'tcp', srcIp: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, srcPort: 1024 + ((n * 7919) % 60000), dstIp: `10.99.${(n * 31) & 255}.${(n * 17) & 255}`, dstPort: (n * 13) % 65535, srcNamespace: `ns-${n % 997}-${(n * 2654435761) % 1000003}`, node: `node-${(n * 40503) % 100003}` });
      }).join('\n'),
    }));
    await produce(c.kafka.topics.flows, messages);
    const window = `from=${new Date(base - 1000).toISOString()}&to=${new Date(base + EVENTS + 1000).toISOString()}`;
    const stored = async () => (await service!.get<{ groups: Array<{ records: number }> }>(`/api/v1/stats/decisions?${window}`)).groups.reduce((n, g) => n + g.records, 0);
    const metrics = async () => (await fetch(`http://127.0.0.1:${service!.port}/metrics`)).text();

    const full = await eventually(async () => {
      const text = await metrics();
      return metric(text, 'flowscope_ingest_store_failures_total') >= 1 && metric(text, 'flowscope_ingest_paused') >= 1 ? text : undefined;
    }, 'inserts failing with the disk full, the partition paused', 240_000);
    // Nothing is committed past what is stored: a commit follows its batch's insert.
    const admin = testKafka().admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: c.kafka.groupId, topics: [c.kafka.topics.flows] }).finally(() => admin.disconnect());
    const committedEvents = offsets.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0) * PER_MESSAGE;
    const storedWhileFull = await stored();
    assert.ok(committedEvents <= storedWhileFull, `committed ${committedEvents} events, stored ${storedWhileFull}`);
    assert.ok(storedWhileFull < EVENTS, 'the disk filled before everything was stored');
    assert.ok(metric(full, 'flowscope_ingest_paused') >= 1, 'the metrics report the pause');
    const ready = await fetch(`http://127.0.0.1:${service.port}/health/ready`);
    const readyBody = (await ready.json()) as { details?: Array<{ field: string }> };
    assert.equal(ready.status, 503, 'not ready while batches cannot be stored');
    assert.ok(readyBody.details?.some((d) => d.field === 'storage'), JSON.stringify(readyBody));

    // Space returns.
    const grown = mount('-o', 'remount,size=1g', dir);
    assert.equal(grown.status, 0, grown.stderr);
    await eventually(async () => ((await stored()) >= EVENTS ? true : undefined), 'everything stored once space returned', 240_000);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(await stored(), EVENTS, 'nothing lost, nothing doubled');
    assert.equal(metric(await metrics(), 'flowscope_ingest_paused'), 0, 'resumed by itself');
    assert.equal((await fetch(`http://127.0.0.1:${service.port}/health/ready`)).status, 200, 'ready again');
    process.stdout.write(`# figures: produced ${EVENTS}, ${storedWhileFull} stored when the 12 MiB disk filled, ${EVENTS} stored after it grew, duplicated 0; ${committedEvents} committed while full\n`);
  });
});
