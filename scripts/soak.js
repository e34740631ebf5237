#!/usr/bin/env node
// npm run soak: the sustained-load run (bench/soak.ts), with the repo's local Kafka broker started
// for it (and stopped after, unless it was already running). Options pass through:
//   npm run soak -- --minutes 2 --rate 10000
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
const run = spawnSync(process.execPath, [join(root, 'dist/bench/soak.js'), ...process.argv.slice(2)], { cwd: root, env, stdio: 'inherit' });
if (owned) stopBroker();
process.exit(run.status ?? 1);
