import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { produce } from '../support/kafka-test-client';
import { ServiceProcess, serviceEnv } from '../support/service-process';
import { eventually, testConfig } from '../support/test-config';
import { freePort } from '../support/free-port';

const WARM_UP = 20_000;
const BACKLOG = 200_000;
const PER_MESSAGE = 20;

/** kB figures of /proc/<pid>/status: the current and the peak resident set. */
function memory(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

describe('a restart with a large backlog', () => {
  let service: ServiceProcess;
  after(async () => service?.stop());

  it('catches up with memory bounded by the batches in flight, not by the backlog', { timeout: 480_000 }, async () => {
    const c = testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', KAFKA_TOPIC_PARTITIONS: '4' });
    service = new ServiceProcess(
      serviceEnv(c, {
        FLOWSCOPE_HTTP_PORT: String(await freePort()),
        KAFKA_TOPIC_PARTITIONS: '4',
        // Batches of 2 MiB: the bound in flight (4 partitions x 2 MiB) stays well below the
        // backlogs, so a consumer holding its backlog would show; at the default 8 MiB these
        // backlogs would fit in one batch per partition and prove nothing.
        KAFKA_FETCH_BYTES_PER_PARTITION: String(2 * 1024 * 1024),
      }),
    );
    const base = Date.now() - 3_600_000;
    let bytes = 0;
    const wave = (first: number, count: number) =>
      Array.from({ length: count / PER_MESSAGE }, (_, m) => {
        const value = Array.from({ length: PER_MESSAGE }, (_, i) => {
          const n = first + m * PER_MESSAGE + i;
          return JSON.stringify({ time: base + n, action: n % 3 ? 'allow' : 'deny', reporter: 'src', protocol: 'tcp', srcIp: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, srcPort: 1024 + (n % 60000), dstIp: '10.251.0.1', dstPort: 5432, srcNamespace: 'shop', dstNamespace: 'db' });
        }).join('\n');
        bytes += value.length;
        return { key: `node-${m % 11}`, value };
      });
    const window = `from=${new Date(base - 1000).toISOString()}&to=${new Date(base + WARM_UP + 3 * BACKLOG + 1000).toISOString()}`;
    const total = async () => (await service.get<{ groups: Array<{ records: number }> }>(`/api/v1/stats/decisions?${window}`)).groups.reduce((n, g) => n + g.records, 0);

    // A restart over a backlog, then another over a backlog twice as large: with one batch per
    // partition in flight, the second peak is no higher than the first by anything like the extra
    // backlog; a consumer holding its backlog would grow with it.
    await service.start();
    await produce(c.kafka.topics.flows, wave(0, WARM_UP));
    await eventually(async () => ((await total()) >= WARM_UP ? true : undefined), 'the warm-up stored', 120_000);
    await service.stop();

    const catchUp = async (first: number, count: number) => {
      bytes = 0;
      await produce(c.kafka.topics.flows, wave(first, count));
      const backlogMiB = bytes / 1024 / 1024;
      await service.start();
      const started = Date.now();
      const rssMiB: number[] = [];
      await eventually(async () => {
        rssMiB.push(memory(service.pid!).rssMiB);
        return (await total()) >= first + count ? true : undefined;
      }, `a backlog of ${count} caught up`, 360_000);
      const ms = Date.now() - started;
      const { peakMiB } = memory(service.pid!);
      await service.stop();
      process.stdout.write(`# figures: backlog ${count} events (${backlogMiB.toFixed(1)} MiB) caught up in ${ms} ms (${Math.round(count / (ms / 1000))} events/s), RSS at first sample ${rssMiB[0].toFixed(0)} MiB, peak ${peakMiB.toFixed(0)} MiB\n`);
      return { backlogMiB, peakMiB };
    };
    const single = await catchUp(WARM_UP, BACKLOG);
    const double = await catchUp(WARM_UP + BACKLOG, 2 * BACKLOG);
    await service.start();
    assert.equal(await total(), WARM_UP + 3 * BACKLOG, 'every event stored once');

    const growthMiB = double.peakMiB - single.peakMiB;
    const extraMiB = double.backlogMiB - single.backlogMiB;
    process.stdout.write(`# figures: doubling the backlog (+${extraMiB.toFixed(0)} MiB) moved the peak RSS by ${growthMiB.toFixed(0)} MiB\n`);
    // Decoded and attributed, a record takes about ten times its JSON: a consumer holding its
    // backlog would add several hundred MiB here. The engine's caches move the peak by up to a
    // hundred MiB from run to run, hence the allowance.
    const allowedMiB = Math.max(8 * extraMiB, 0.2 * single.peakMiB);
    assert.ok(growthMiB < allowedMiB, `peak RSS grew ${growthMiB.toFixed(0)} MiB for ${extraMiB.toFixed(0)} MiB more backlog (allowed ${allowedMiB.toFixed(0)})`);
  });
});
