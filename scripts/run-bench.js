#!/usr/bin/env node
// npm run bench: every benchmark from one entry point (bench/main.ts), with the repo's local Kafka
// broker started for the Kafka-bound ones (and stopped after, unless it was already running).
'use strict';
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { ensureBroker, stopBroker } = require('./local-broker');

const root = join(__dirname, '..');
const env = { ...process.env };
let owned = false;
if (!env.KAFKA_BROKERS) {
  const broker = ensureBroker();
  env.KAFKA_BROKERS = broker.brokers;
  owned = broker.owned;
}
const run = spawnSync(process.execPath, ['--max-old-space-size=4096', join(root, 'dist/bench/main.js')], { cwd: root, env, stdio: 'inherit' });
if (owned) stopBroker();
process.exit(run.status ?? 1);
