#!/usr/bin/env node
// Runs every test level (unit, e2e on embedded ClickHouse, integration on a real Kafka broker,
// browser: the web console in headless Chromium, installed first when missing).
// Starts the repo's local broker when none is given in KAFKA_BROKERS, and stops it afterwards
// unless it was already running before the tests.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, mkdtempSync, readdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
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

// The tests' temporary directory is one of their own, so what they leave behind is seen (and
// named) rather than piling up in the system's.
const testTmp = mkdtempSync(join(tmpdir(), 'flowscope-run-tests-'));
// Files, not directories: Node 22+ takes `--test` arguments as files or globs only. Only compiled
// tests whose source still exists: the compiler never removes the output of a renamed or deleted
// test, which would otherwise run on in a working copy (not in a fresh clone).
const files = [];
const stale = [];
const walk = (rel) => {
  for (const entry of readdirSync(join(root, 'dist', rel), { withFileTypes: true })) {
    const path = join(rel, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith('.test.js')) (existsSync(join(root, path.replace(/\.js$/, '.ts'))) ? files : stale).push(join('dist', path));
  }
};
for (const level of levels) if (existsSync(join(root, 'dist', 'test', level))) walk(join('test', level));
if (stale.length > 0) process.stderr.write(`run-tests: skipping compiled tests whose source is gone: ${stale.join(', ')}\n`);
const run = spawnSync(process.execPath, ['--test', ...files.sort()], { cwd: root, env: { ...env, TMPDIR: testTmp }, stdio: 'inherit' });

if (ownedBroker) stopBroker();
const leftovers = readdirSync(testTmp);
rmSync(testTmp, { recursive: true, force: true });
if (leftovers.length > 0) {
  process.stderr.write(`run-tests: the tests left ${leftovers.length} entries in their temporary directory: ${leftovers.join(', ')}\n`);
  process.exit(run.status || 1);
}
process.exit(run.status ?? 1);
