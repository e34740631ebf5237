'use strict';
// Starts the repo's local Kafka broker for a run (tests, the local main job) and stops it after,
// unless it was already running: a developer's broker outlives the runs that borrowed it.
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

function running() {
  const pidFile = join(root, '.kafka', 'broker.pid');
  if (!existsSync(pidFile)) return false;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 0);
    return true;
  } catch {
    return false;
  }
}

/** @returns {{ brokers: string, owned: boolean }} */
function ensureBroker() {
  const wasRunning = running();
  const start = spawnSync('bash', [join(root, 'scripts/kafka/start.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (start.status !== 0) {
    process.stderr.write(start.stdout ?? '');
    throw new Error('could not start the local Kafka broker (see above)');
  }
  const last = start.stdout.trim().split('\n').pop() ?? '';
  return { brokers: last.replace(/^KAFKA_BROKERS=/, ''), owned: !wasRunning };
}

function stopBroker() {
  spawnSync('bash', [join(root, 'scripts/kafka/stop.sh')], { stdio: 'inherit' });
}

module.exports = { ensureBroker, stopBroker };
