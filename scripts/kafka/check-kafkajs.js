#!/usr/bin/env node
// kafkajs <-> broker compatibility check. Runs against a live broker
// (KAFKA_BROKERS, default 127.0.0.1:9092; start one with scripts/kafka/start.sh):
//   0. ApiVersions: broker's version ranges vs. what kafkajs implements
//   1. admin.createTopics (6 partitions)       2. producer.sendBatch (120 msgs, gzip + none)
//   3. consumer group, eachBatch, explicit commitOffsets per batch
//   4. admin.describeGroups                    5. rebalance: 2nd member joins, partitions split
//   6. admin.fetchOffsets (committed == HW)    7. admin.listGroups      8. admin.deleteTopics
// Prints one PASS/FAIL line per step and "N passed, N failed"; exit 1 on any failure.
'use strict';
const net = require('net');
const { Kafka, logLevel, CompressionTypes, Partitioners } = require('kafkajs');
const kafkajsVersion = require('kafkajs/package.json').version;
const apiKeys = require('kafkajs/src/protocol/requests/apiKeys');
const { requests: requestDefs } = require('kafkajs/src/protocol/requests');

const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const PARTITIONS = 6;
const MESSAGES = 120;
const run = `${Date.now()}-${process.pid}`;
const topic = `kafkajs-check-${run}`;
const groupId = `kafkajs-check-group-${run}`;

const kafkaLogs = [];
const kafka = new Kafka({
  clientId: 'flowscope-kafkajs-check',
  brokers,
  logLevel: logLevel.WARN,
  retry: { retries: 3 },
  logCreator: () => ({ namespace, level, log }) => {
    const line = `kafkajs ${level === logLevel.ERROR ? 'ERROR' : 'WARN'} [${namespace}] ${log.message}${log.error ? ` (${log.error})` : ''}`;
    kafkaLogs.push(line);
    console.log(`    ${line}`);
  },
});

let passed = 0;
let failed = 0;
async function step(name, fn, timeoutMs = 30000) {
  const t0 = Date.now();
  let timer;
  try {
    const detail = await Promise.race([
      fn(),
      new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs); }),
    ]);
    passed++;
    console.log(`PASS ${name} (${Date.now() - t0} ms)${detail ? `: ${detail}` : ''}`);
    return true;
  } catch (e) {
    failed++;
    console.log(`FAIL ${name} (${Date.now() - t0} ms): ${e && (e.stack || e.message || e)}`);
    return false;
  } finally {
    clearTimeout(timer);
  }
}
const assert = (cond, msg) => { if (!cond) throw new Error(msg); };

// Raw ApiVersions v0 request (supported by every broker version) -> Map apiKey -> [min, max]
function brokerApiVersions([host, port]) {
  return new Promise((resolve, reject) => {
    const clientId = Buffer.from('flowscope-kafkajs-check');
    const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
    body.writeInt16BE(18, 0); body.writeInt16BE(0, 2); body.writeInt32BE(1, 4);
    body.writeInt16BE(clientId.length, 8); clientId.copy(body, 10);
    const size = Buffer.alloc(4); size.writeInt32BE(body.length, 0);
    const sock = net.connect(Number(port), host, () => sock.write(Buffer.concat([size, body])));
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
      sock.end();
      let o = 8; // size + correlationId
      const err = buf.readInt16BE(o); o += 2;
      if (err !== 0) return reject(new Error(`ApiVersions error code ${err}`));
      const n = buf.readInt32BE(o); o += 4;
      const m = new Map();
      for (let i = 0; i < n; i++, o += 6) m.set(buf.readInt16BE(o), [buf.readInt16BE(o + 2), buf.readInt16BE(o + 4)]);
      resolve(m);
    });
    sock.on('error', reject);
  });
}

(async () => {
  console.log(`kafkajs ${kafkajsVersion} -> ${brokers.join(',')}, node ${process.version}`);
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
  let consumerRunning = false;

  await step('0 ApiVersions (broker range vs kafkajs)', async () => {
    const [host, port] = brokers[0].split(':');
    const ranges = await brokerApiVersions([host, port]);
    // APIs kafkajs uses for admin/producer/consumer group work
    const used = ['Produce', 'Fetch', 'ListOffsets', 'Metadata', 'OffsetCommit', 'OffsetFetch',
      'GroupCoordinator', 'JoinGroup', 'Heartbeat', 'LeaveGroup', 'SyncGroup', 'DescribeGroups',
      'ListGroups', 'ApiVersions', 'CreateTopics', 'DeleteTopics', 'InitProducerId', 'DescribeConfigs',
      'CreatePartitions', 'DeleteGroups', 'DeleteRecords', 'AddPartitionsToTxn', 'AddOffsetsToTxn',
      'EndTxn', 'TxnOffsetCommit'];
    const bad = [];
    for (const name of used) {
      const key = apiKeys[name];
      const client = requestDefs[name].versions.map(Number);
      const cmax = Math.max(...client);
      const r = ranges.get(key);
      const negotiated = r && cmax >= r[0] ? Math.min(cmax, r[1]) : null;
      const note = negotiated === null ? '  <-- NO COMMON VERSION' : '';
      console.log(`    ${name.padEnd(17)} key ${String(key).padStart(2)}  kafkajs v${Math.min(...client)}-v${cmax}  broker ${r ? `v${r[0]}-v${r[1]}` : 'absent'}  -> ${negotiated === null ? '-' : `v${negotiated}`}${note}`);
      if (negotiated === null) bad.push(name);
    }
    assert(bad.length === 0, `no common protocol version for: ${bad.join(', ')}`);
    return `${ranges.size} APIs advertised, all ${used.length} kafkajs APIs have a common version`;
  });

  await step('1 admin.connect + createTopics', async () => {
    await admin.connect();
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    });
    assert(created === true, `createTopics returned ${created}`);
    const md = await admin.fetchTopicMetadata({ topics: [topic] });
    const n = md.topics[0].partitions.length;
    assert(n === PARTITIONS, `expected ${PARTITIONS} partitions, metadata shows ${n}`);
    return `${topic} with ${n} partitions`;
  });

  await step('2 producer.sendBatch', async () => {
    await producer.connect();
    const mk = (from, to) => Array.from({ length: to - from }, (_, i) => ({
      key: `k${from + i}`, value: JSON.stringify({ seq: from + i, run }), headers: { src: 'check' },
    }));
    const half = MESSAGES / 2;
    const r1 = await producer.sendBatch({ acks: -1, compression: CompressionTypes.GZIP, topicMessages: [{ topic, messages: mk(0, half) }] });
    const r2 = await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: mk(half, MESSAGES) }] });
    const offsets = await admin.fetchTopicOffsets(topic);
    const total = offsets.reduce((s, p) => s + Number(p.high) - Number(p.low), 0);
    assert(total === MESSAGES, `high watermarks sum to ${total}, expected ${MESSAGES}`);
    const used = offsets.filter((p) => Number(p.high) > 0).length;
    return `${MESSAGES} msgs (gzip + uncompressed, acks=-1) in ${r1.length + r2.length} partition results, ${used}/${PARTITIONS} partitions non-empty`;
  });

  await step('3 consumer group eachBatch + commitOffsets', async () => {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const seen = new Set();
    let batches = 0;
    let commits = 0;
    let resolveDone;
    const done = new Promise((r) => { resolveDone = r; });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        batches++;
        for (const m of batch.messages) {
          if (!isRunning() || isStale()) break;
          seen.add(JSON.parse(m.value.toString()).seq);
          resolveOffset(m.offset);
        }
        if (batch.messages.length) {
          const last = batch.messages[batch.messages.length - 1].offset;
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
          commits++;
        }
        await heartbeat();
        if (seen.size >= MESSAGES) resolveDone();
      },
    });
    consumerRunning = true;
    await done;
    assert(seen.size === MESSAGES, `consumed ${seen.size} distinct messages`);
    return `${seen.size} distinct msgs in ${batches} batches, ${commits} commits`;
  });

  await step('4 admin.describeGroups', async () => {
    const { groups } = await admin.describeGroups([groupId]);
    const g = groups[0];
    assert(g && g.groupId === groupId, 'group missing');
    assert(g.errorCode === 0, `errorCode ${g.errorCode}`);
    assert(g.state === 'Stable', `state ${g.state}`);
    assert(g.members.length === 1, `${g.members.length} members`);
    return `state=${g.state} protocolType=${g.protocolType} protocol=${g.protocol} members=${g.members.length}`;
  });

  await step('5 rebalance: second member joins the group', async () => {
    const consumer2 = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
    try {
      let assigned2 = [];
      consumer2.on(consumer2.events.GROUP_JOIN, (e) => { assigned2 = e.payload.memberAssignment[topic] || []; });
      await consumer2.connect();
      await consumer2.subscribe({ topics: [topic], fromBeginning: true });
      await consumer2.run({ autoCommit: false, eachBatch: async () => {} });
      for (;;) {
        const g = (await admin.describeGroups([groupId])).groups[0];
        if (g.state === 'Stable' && g.members.length === 2 && assigned2.length > 0) {
          const parts = g.members.map((m) => {
            const a = require('kafkajs').AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
            return (a && a.assignment[topic] || []).length;
          });
          assert(parts.reduce((x, y) => x + y, 0) === PARTITIONS, `assignment covers ${parts} partitions`);
          return `state=Stable members=2 partitions per member=${parts.join('+')}`;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await consumer2.disconnect().catch(() => {});
    }
  });

  await step('6 admin.fetchOffsets (committed == high watermark)', async () => {
    if (consumerRunning) { await consumer.disconnect(); consumerRunning = false; }
    const [res] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const hw = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
    assert(res.partitions.length === PARTITIONS, `${res.partitions.length} partitions in result`);
    const mismatch = res.partitions.filter((p) => p.offset !== hw.get(p.partition));
    assert(mismatch.length === 0, `committed != high watermark: ${JSON.stringify(mismatch)}`);
    return res.partitions.sort((a, b) => a.partition - b.partition).map((p) => `p${p.partition}=${p.offset}`).join(' ');
  });

  await step('7 admin.listGroups', async () => {
    const { groups } = await admin.listGroups();
    assert(groups.some((g) => g.groupId === groupId), 'group not listed');
    return `${groups.length} group(s), includes ours`;
  });

  await step('8 admin.deleteTopics', async () => {
    await admin.deleteTopics({ topics: [topic], timeout: 10000 });
    for (let i = 0; i < 20; i++) {
      if (!(await admin.listTopics()).includes(topic)) return `${topic} gone`;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('topic still listed 5 s after deleteTopics');
  });

  if (consumerRunning) await consumer.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
  await admin.disconnect().catch(() => {});
  const errors = kafkaLogs.filter((l) => l.includes(' ERROR '));
  console.log(`kafkajs log lines: ${kafkaLogs.length} (${errors.length} at ERROR level)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
