#!/usr/bin/env node
// Readiness probe: succeeds once a broker at KAFKA_BROKERS accepts a kafkajs
// admin connection and answers listTopics. Usage: node probe.js [timeoutSeconds]
// Exit 0 = ready, 1 = not ready before the timeout.
'use strict';
const { Kafka, logLevel } = require('kafkajs');

const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const timeoutMs = Number(process.argv[2] || 60) * 1000;
const deadline = Date.now() + timeoutMs;

async function once() {
  const kafka = new Kafka({
    clientId: 'flowscope-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    const cluster = await admin.describeCluster();
    return cluster;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

(async () => {
  let lastErr;
  while (Date.now() < deadline) {
    try {
      const c = await once();
      console.log(`broker ready: ${brokers.join(',')} clusterId=${c.clusterId} controller=${c.controller}`);
      process.exit(0);
    } catch (e) {
      lastErr = e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  console.error(`broker not ready after ${timeoutMs / 1000}s: ${lastErr && lastErr.message}`);
  process.exit(1);
})();
