import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { produce } from '../support/kafka-test-client';
import { ServiceProcess, serviceEnv } from '../support/service-process';
import { eventually, testConfig } from '../support/test-config';

const EVENTS = 20_000;
const PER_MESSAGE = 10;

/** The env a deployment would have, from the same isolated test configuration. */
function isolatedEnv(port: number): Record<string, string> {
  return serviceEnv(testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true' }), { FLOWSCOPE_HTTP_PORT: String(port) });
}

interface Totals {
  groups: Array<{ records: number }>;
}

describe('a consumer stopped or killed mid-stream and restarted', () => {
  const service = new ServiceProcess(isolatedEnv(18_000 + Math.floor(Math.random() * 2000)));
  after(async () => service.stop());

  it('stores every event exactly once afterwards, after SIGTERM and after SIGKILL', { timeout: 300_000 }, async () => {
    await service.start();
    const base = Date.now() - 600_000;
    const topic = service['env'].KAFKA_FLOWS_TOPIC;
    // NDJSON messages, keyed by node so they spread over the partitions.
    const wave = (first: number) =>
      Array.from({ length: EVENTS / PER_MESSAGE }, (_, m) => ({
        key: `node-${m % 7}`,
        value: Array.from({ length: PER_MESSAGE }, (_, i) => {
          const n = first + m * PER_MESSAGE + i;
          return JSON.stringify({ time: base + n, action: 'allow', reporter: 'src', protocol: 'tcp', srcIp: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, srcPort: 1024 + (n % 60000), dstIp: '10.250.0.1', dstPort: 443 });
        }).join('\n'),
      }));
    const window = `from=${new Date(base - 1000).toISOString()}&to=${new Date(base + 2 * EVENTS + 1000).toISOString()}`;
    const total = async () => (await service.get<Totals>(`/api/v1/stats/decisions?${window}`)).groups[0]?.records ?? 0;

    /** Produces a wave, interrupts the service once part of it is stored, restarts it, waits for all of it. */
    const interrupted = async (first: number, interrupt: () => Promise<void>, how: string) => {
      const before = await total();
      await produce(topic, wave(first));
      const seen = await eventually(async () => {
        const n = await total();
        return n > before ? n : undefined;
      }, `the first stored rows of the ${how} wave`, 60_000);
      await interrupt();
      assert.ok(seen < first + EVENTS, `${how} after ${seen - before} of ${EVENTS} rows: it must land mid-stream for this test to mean anything`);
      await service.start();
      await eventually(async () => ((await total()) >= first + EVENTS ? true : undefined), `all rows after the ${how} restart`, 120_000);
    };

    await interrupted(0, () => service.stop('SIGTERM'), 'SIGTERM');
    await interrupted(EVENTS, () => service.kill(), 'SIGKILL');

    // Give a duplicate (a redelivered, already stored batch) the time to show up if it were stored.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await total(), 2 * EVENTS, 'every event stored exactly once');
    // And no event stored twice while another went missing: every row id (its Kafka coordinates) is distinct.
    const ids = new Set<string>();
    let cursor = '';
    do {
      const page = await service.get<{ items: Array<{ id: string }>; nextCursor?: string }>(`/api/v1/flows?${window}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
      for (const f of page.items) ids.add(f.id);
      cursor = page.nextCursor ?? '';
    } while (cursor);
    assert.equal(ids.size, 2 * EVENTS);
  });
});
