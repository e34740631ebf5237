#!/usr/bin/env node
// Runs every test level (unit, e2e on embedded ClickHouse, integration on a real Kafka broker,
// browser: the web console in headless Chromium, installed first when missing).
// Starts the repo's local broker when none is given in KAFKA_BROKERS, and stops it afterwards
// unless it was already running before the tests.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { ensureBroker, stopBroker } = require('./local-broker');

const root = join(__dirname, '..');
const levels = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'e2e', 'integration', 'browser'];

if (levels.includes('browser')) {
  const chromium = spawnSync('bash', [join(root, 'scripts/browser/ensure-chromium.sh')], { stdio: 'inherit' });
  if (chromium.status !== 0) {
    process.stderr.write('run-tests: could not install chromium for the browser tests\n');
    process.exit(1);
  }
}

let ownedBroker = false;
const env = { ...process.env };
if ((levels.includes('integration') || levels.includes('browser')) && !env.KAFKA_BROKERS) {
  try {
    const broker = ensureBroker();
    env.KAFKA_BROKERS = broker.brokers;
    ownedBroker = broker.owned;
  } catch (err) {
    process.stderr.write(`run-tests: ${err.message}\n`);
    process.exit(1);
  }
}

const dirs = levels.map((l) => join(root, 'dist', 'test', l)).filter((d) => existsSync(d));
const run = spawnSync(process.execPath, ['--test', ...dirs], { cwd: root, env, stdio: 'inherit' });

if (ownedBroker) stopBroker();
process.exit(run.status ?? 1);
