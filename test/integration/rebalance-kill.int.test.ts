import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createClient } from '@clickhouse/client';
import { AssignerProtocol } from 'kafkajs';
import { ClickHouseHttpDouble } from '../support/clickhouse-http-double';
import { freePort } from '../support/free-port';
import { testKafka } from '../support/kafka-test-client';
import { metricSum } from '../support/prometheus-text';
import { ServiceProcess } from '../support/service-process';
import { eventually, testConfig } from '../support/test-config';

const PER_MESSAGE = 10;
/** Events per producer request; the load loop sends these back to back. */
const CHUNK = 2_000;

describe('a rebalance under load: a second instance joins, then the first is killed', () => {
  // Two flowscope processes share one store, as deployed instances share a ClickHouse server: here
  // a test double of one (ClickHouse's HTTP interface over the embedded engine, in this process).
  const clickhouse = new ClickHouseHttpDouble();
  const services: ServiceProcess[] = [];
  // Bounded: a clean-up stuck on the store must fail the file, not hold the whole suite.
  after(async () => {
    for (const s of services) await s.stop('SIGKILL');
    await clickhouse.stop();
  }, { timeout: 60_000 });

  it('moves the partitions to the survivor and stores every event once (SIGKILL, two processes)', { timeout: 300_000 }, async () => {
    await clickhouse.start();
    const c = testConfig({ FLOWSCOPE_INGEST_ENABLED: 'true', KAFKA_TOPIC_PARTITIONS: '4' });
    const { groupId, topics } = c.kafka;
    const instance = async () =>
      new ServiceProcess({
        FLOWSCOPE_HTTP_PORT: String(await freePort()),
        FLOWSCOPE_LOG_LEVEL: 'warn',
        CLICKHOUSE_URL: clickhouse.url,
        CLICKHOUSE_DATABASE: 'flowscope',
        FLOWSCOPE_RETENTION_ALLOWED_DAYS: '0',
        FLOWSCOPE_RETENTION_DENIED_DAYS: '0',
        KAFKA_BROKERS: c.kafka.brokers.join(','),
        KAFKA_GROUP_ID: groupId,
        KAFKA_FLOWS_TOPIC: topics.flows,
        KAFKA_DEAD_LETTER_TOPIC: topics.deadLetter,
        KAFKA_INVENTORY_TOPIC: topics.inventory,
        KAFKA_TOPIC_PARTITIONS: '4',
      });
    const first = await instance();
    const second = await instance();
    services.push(first, second);
    const stored = async (s: ServiceProcess) => metricSum(await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text(), 'flowscope_ingest_stored_total');

    // What is in the shared store, read from it directly: rows, and distinct row ids (Kafka coordinates).
    const store = createClient({ url: clickhouse.url, database: 'flowscope' });
    const counts = async () => {
      const [r] = await (await store.query({ query: 'SELECT count() AS rows, uniqExact(source_partition, source_offset, source_index) AS ids, groupUniqArray(source_partition) AS partitions FROM flows WHERE source_topic = {topic:String}', query_params: { topic: topics.flows }, format: 'JSONEachRow' })).json<{ rows: string; ids: string; partitions: number[] }>();
      return { rows: Number(r.rows), ids: Number(r.ids), partitions: r.partitions };
    };
    const admin = testKafka().admin();
    await admin.connect();
    const assignment = async () => {
      const [group] = (await admin.describeGroups([groupId])).groups;
      if (group.state !== 'Stable') return undefined;
      return group.members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topics.flows] ?? []);
    };

    await first.start();
    const base = Date.now() - 600_000;
    const producer = testKafka().producer();
    await producer.connect();
    let sent = 0;
    let loading = true;
    // Load for the whole scenario: a producer sends without pause until told to stop.
    const load = (async () => {
      while (loading) {
        const messages = Array.from({ length: CHUNK / PER_MESSAGE }, (_, m) => ({
          key: `node-${m % 40}`,
          value: Array.from({ length: PER_MESSAGE }, (_, i) => {
            const n = sent + m * PER_MESSAGE + i;
            return JSON.stringify({ time: base + n, action: 'allow', reporter: 'src', protocol: 'tcp', srcIp: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, srcPort: 1024 + (n % 60000), dstIp: '10.250.0.3', dstPort: 443 });
          }).join('\n'),
        }));
        await producer.send({ topic: topics.flows, messages, acks: -1 });
        sent += CHUNK;
        // Paced so the two instances keep up with it on a shared machine: a steady load, not a backlog.
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      await eventually(async () => ((await stored(first)) > 0 ? true : undefined), 'the first instance storing rows', 60_000);

      // The second instance joins: the group rebalances to two members of two partitions each.
      await second.start();
      const shared = await eventually(async () => {
        const a = await assignment();
        return a && a.length === 2 && a.every((p) => p.length === 2) ? a : undefined;
      }, 'a stable group of two members with two partitions each', 90_000);
      assert.deepEqual(shared.flat().sort(), [0, 1, 2, 3]);
      await eventually(async () => ((await stored(second)) > 0 ? true : undefined), 'the second instance storing rows', 60_000);
      const storedByFirst = await stored(first);
      const storedBySecondBefore = await stored(second);

      // SIGKILL mid-stream: no shutdown hook, no leave-group; batches in flight neither finished nor committed.
      const inStoreAtKill = (await counts()).ids;
      await first.kill();
      const killedAt = Date.now();
      const sentAtKill = sent;
      const alone = await eventually(async () => {
        const a = await assignment();
        return a && a.length === 1 && a[0].length === 4 ? a : undefined;
      }, 'the survivor owning all four partitions', 120_000).catch(async (err: Error) => {
        // What the survivor was doing, for a failure that is rare and has not been reproduced at will.
        const group = (await admin.describeGroups([groupId]).catch(() => undefined))?.groups[0];
        const metrics = await (await fetch(`http://127.0.0.1:${second.port}/metrics`).catch(() => undefined))?.text().catch(() => '');
        const ingest = (metrics ?? '').split('\n').filter((l) => /^flowscope_ingest_(stored|paused|store_failures|consumer)/.test(l)).join('\n');
        throw new Error(
          `${err.message}\ngroup: ${group?.state} with ${group?.members.length} member(s); store double: ${JSON.stringify(clickhouse.requests)}\n` +
            `survivor's ingest metrics:\n${ingest}\nsurvivor's last log lines:\n${second.log.split('\n').slice(-40).join('\n')}`,
        );
      });
      assert.deepEqual(alone[0].sort(), [0, 1, 2, 3]);
      const takeoverMs = Date.now() - killedAt;
      // A little more load on the survivor alone, then the producer stops.
      const sentAtTakeover = sent;
      await eventually(async () => (sent >= sentAtTakeover + 4 * CHUNK ? true : undefined), 'load after the takeover', 60_000);
      loading = false;
      await load;

      const caughtUp = Date.now();
      await eventually(async () => ((await counts()).ids >= sent ? true : undefined), `all ${sent} events in the store`, 120_000);
      const drainMs = Date.now() - caughtUp;
      // Give a redelivered, already stored batch the time to show up twice if it were stored again.
      await new Promise((r) => setTimeout(r, 3000));
      const end = await counts();
      assert.equal(end.ids, sent, 'no event lost');
      assert.equal(end.rows, sent, 'no event stored twice');
      assert.deepEqual(end.partitions.sort(), [0, 1, 2, 3]);
      // The API of the survivor reads the same: every row id once.
      const window = `from=${new Date(base - 1000).toISOString()}&to=${new Date(base + sent + 1000).toISOString()}`;
      const ids: string[] = [];
      let cursor = '';
      do {
        const page = await second.get<{ items: Array<{ id: string }>; nextCursor?: string }>(`/api/v1/flows?${window}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
        ids.push(...page.items.map((f) => f.id));
        cursor = page.nextCursor ?? '';
      } while (cursor);
      assert.equal(ids.length, sent);
      assert.equal(new Set(ids).size, sent);
      const storedBySecond = await stored(second);
      assert.ok(storedBySecond > storedBySecondBefore, 'the survivor stored what the killed instance left');
      const replayed = metricSum(await (await fetch(`http://127.0.0.1:${second.port}/metrics`)).text(), 'flowscope_ingest_replayed_skipped_total');
      process.stdout.write(
        `# figures: produced ${sent} (${sentAtKill} before the kill, of which ${inStoreAtKill} stored then); stored ${end.rows} rows, ${end.ids} distinct ids, duplicated 0; ` +
          `stored by the first instance before the kill ${storedByFirst}, by the second ${storedBySecond} (${storedBySecondBefore} before the kill); ` +
          `replayed messages skipped by the survivor ${replayed}; inserts sent to ClickHouse ${clickhouse.requests.inserts} (${clickhouse.requests.tokenedInserts} with a deduplication token); ` +
          `partitions moved to the survivor ${takeoverMs} ms after the kill; all stored ${drainMs} ms after the producer stopped\n`,
      );
    } finally {
      loading = false;
      await load.catch(() => undefined);
      await producer.disconnect();
      await admin.disconnect();
      await store.close();
    }
  });
});
