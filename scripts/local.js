#!/usr/bin/env node
// The main job on one machine: a local Kafka broker, flowscope on embedded ClickHouse, and with
// --demo (or FLOWSCOPE_DEMO=1) simulated dataplane traffic. Ctrl-C stops everything it started.
// The broker's data and the embedded database stay in .data/ between runs, so a re-run continues
// where the last one stopped; --reset deletes both first.
'use strict';
const { spawn } = require('node:child_process');
const { ensureBroker, stopBroker, runningBroker } = require('./local-broker');
const { existsSync, rmSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = join(__dirname, '..');
const args = process.argv.slice(2);
const unknown = args.filter((a) => !['--demo', '--reset'].includes(a));
if (unknown.length > 0) {
  process.stderr.write(`[local] unknown option ${unknown.join(' ')} (options: --demo, --reset)\n`);
  process.exit(64);
}
const demo = args.includes('--demo') || process.env.FLOWSCOPE_DEMO === '1';
const reset = args.includes('--reset');
const demoRate = process.env.FLOWSCOPE_DEMO_RATE ?? '200';
// Where a local run keeps its data (.data by default, ignored by git).
const dataRoot = resolve(process.env.FLOWSCOPE_LOCAL_DATA ?? join(root, '.data'));
const env = { ...process.env };
// Settings of this script, not of the service (which rejects FLOWSCOPE_* names it does not know).
delete env.FLOWSCOPE_DEMO;
delete env.FLOWSCOPE_DEMO_RATE;
delete env.FLOWSCOPE_LOCAL_DATA;
env.FLOWSCOPE_DATA_DIR ??= join(dataRoot, 'chdb');
const kafkaDataDir = join(dataRoot, 'kafka');
const port = env.FLOWSCOPE_HTTP_PORT ?? '8080';
const children = [];
let ownedBroker = false;
let stopping = false;

function log(msg) {
  process.stderr.write(`[local] ${msg}\n`);
}

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children.reverse()) if (c.exitCode === null) c.kill('SIGTERM');
  const waitAll = Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  const timeout = new Promise((r) => setTimeout(r, 20_000));
  Promise.race([waitAll, timeout]).then(() => {
    if (ownedBroker) stopBroker(env);
    process.exit(code);
  });
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

async function waitReady() {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (children[0].exitCode !== null) throw new Error('flowscope exited during start-up');
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('flowscope did not become ready within 120 s');
}

/** Deletes the data of earlier runs: the embedded database and the local broker's log. */
function resetData() {
  const running = runningBroker(env);
  if (running && running.workDir && resolve(running.workDir) === kafkaDataDir) {
    log('--reset: stopping the local broker first');
    stopBroker(env);
  } else if (running) {
    log(`--reset: a broker with its data in ${running.workDir} is running; it is used as it is`);
  }
  for (const dir of [kafkaDataDir, env.CLICKHOUSE_URL ? undefined : env.FLOWSCOPE_DATA_DIR]) {
    if (!dir) continue;
    rmSync(dir, { recursive: true, force: true });
    log(`--reset: removed ${dir}`);
  }
  if (env.CLICKHOUSE_URL) log('--reset: CLICKHOUSE_URL is set; that server\'s data is not touched');
}

async function main() {
  if (reset) resetData();
  if (!env.FLOWSCOPE_ADMIN_KEY && !env.FLOWSCOPE_AUTH) {
    // A local demo without a key: say so loudly rather than refuse to start.
    env.FLOWSCOPE_AUTH = 'off';
    log('FLOWSCOPE_ADMIN_KEY is not set: running with FLOWSCOPE_AUTH=off (no access control; anyone reaching the port can read and change everything)');
  }
  if (!env.KAFKA_BROKERS) {
    const broker = ensureBroker({ workDir: kafkaDataDir, env });
    env.KAFKA_BROKERS = broker.brokers;
    ownedBroker = broker.owned;
  }
  const service = spawn(process.execPath, [join(root, 'dist/src/main.js')], { env, stdio: 'inherit' });
  children.push(service);
  service.on('exit', (code) => {
    if (!stopping) {
      log(`flowscope exited with ${code}`);
      stopAll(code ?? 1);
    }
  });
  await waitReady();
  log(`flowscope is ready: console http://127.0.0.1:${port}/ui  API http://127.0.0.1:${port}/api/v1/flows  (API docs: http://127.0.0.1:${port}/docs)`);
  if (demo) {
    const cli = join(root, 'dist/src/simulator/simulator.cli.js');
    if (!existsSync(cli)) throw new Error('the simulator is not built (npm run build)');
    // Small batches at a modest rate: flows keep arriving in real time, with a few bad messages
    // (dead-lettered) and stale traces (flagged as mismatches) to look at.
    const args = ['--size', 'demo', '--rate', demoRate, '--batch', '50', '--malformed', '0.002', '--malformed-kinds', 'bad-json,bad-ip,missing-field', '--stale', '0.01', '--brokers', env.KAFKA_BROKERS];
    log(`demo traffic: simulator ${args.join(' ')}`);
    children.push(spawn(process.execPath, [cli, ...args], { env, stdio: 'inherit' }));
  }
}

main().catch((err) => {
  log(err.message);
  stopAll(1);
});
