'use strict';
// Starts the repo's local Kafka broker for a run (tests, the local main job) and stops it after,
// unless it was already running: a developer's broker outlives the runs that borrowed it.
// KAFKA_RUN_DIR (default .kafka) holds the broker's pid and env files, as in scripts/kafka/.
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = join(__dirname, '..');

function runDir(env = process.env) {
  return env.KAFKA_RUN_DIR ? resolve(env.KAFKA_RUN_DIR) : join(root, '.kafka');
}

/** The running broker's settings from its env file, or undefined when none of ours runs. */
function runningBroker(env = process.env) {
  const pidFile = join(runDir(env), 'broker.pid');
  if (!existsSync(pidFile)) return undefined;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 0);
  } catch {
    return undefined;
  }
  const envFile = join(runDir(env), 'broker.env');
  const vars = existsSync(envFile) ? Object.fromEntries(readFileSync(envFile, 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) : {};
  return { workDir: vars.KAFKA_WORK_DIR, brokers: vars.KAFKA_BROKERS };
}

/**
 * @param {{ workDir?: string, env?: NodeJS.ProcessEnv }} [options] workDir: keep the broker's data
 *   there (reused by the next start) instead of a temporary directory removed at stop.
 * @returns {{ brokers: string, owned: boolean }}
 */
function ensureBroker(options = {}) {
  const env = { ...(options.env ?? process.env) };
  const wasRunning = runningBroker(env) !== undefined;
  if (options.workDir) env.KAFKA_WORK_DIR = options.workDir;
  const start = spawnSync('bash', [join(root, 'scripts/kafka/start.sh')], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] });
  if (start.status !== 0) {
    process.stderr.write(start.stdout ?? '');
    throw new Error('could not start the local Kafka broker (see above)');
  }
  const last = start.stdout.trim().split('\n').pop() ?? '';
  return { brokers: last.replace(/^KAFKA_BROKERS=/, ''), owned: !wasRunning };
}

function stopBroker(env = process.env) {
  spawnSync('bash', [join(root, 'scripts/kafka/stop.sh')], { env, stdio: 'inherit' });
}

/**
 * Runs a built script with node (extra node flags first) on the repo's local broker unless
 * KAFKA_BROKERS names one, stops the broker after if this run started it, and exits with the
 * script's status: the shared body of npm run bench and npm run soak.
 */
function runWithBroker(nodeArgs) {
  const env = { ...process.env };
  let owned = false;
  if (!env.KAFKA_BROKERS) {
    const broker = ensureBroker();
    env.KAFKA_BROKERS = broker.brokers;
    owned = broker.owned;
  }
  const run = spawnSync(process.execPath, nodeArgs, { cwd: root, env, stdio: 'inherit' });
  if (owned) stopBroker();
  process.exit(run.status ?? 1);
}

module.exports = { ensureBroker, stopBroker, runningBroker, runWithBroker };
