import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port';
import { tempDir } from './temp-dir';

const SCRIPTS = join(__dirname, '..', '..', '..', 'scripts', 'kafka');

/**
 * A Kafka broker of its own for one test, started empty with a new cluster id, next to the run's
 * shared broker (its own ports and pid file, the same jars): what a newcomer's first run, or a
 * replaced cluster, looks like.
 */
export class ScratchBroker {
  private readonly runDir = tempDir('flowscope-broker-run-');
  private port = 0;
  private controllerPort = 0;
  /** Set when the broker keeps its data across stop()/start(): an outage, not a new cluster. */
  private readonly workDir?: string;

  constructor(options: { keepData?: boolean } = {}) {
    if (options.keepData) this.workDir = tempDir('flowscope-broker-data-');
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts a fresh, empty broker (a new cluster), on the same port as before if it ran already. */
  async start(): Promise<void> {
    if (this.port === 0) {
      this.port = await freePort();
      this.controllerPort = await freePort();
    }
    const run = spawnSync('bash', [join(SCRIPTS, 'start.sh')], { env: this.env(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
    if (run.status !== 0) throw new Error(`scratch broker did not start:\n${run.stderr}`);
  }

  /** Stops the broker; without keepData it deletes its data, so a later start() is a new cluster. */
  stop(): void {
    spawnSync('bash', [join(SCRIPTS, 'stop.sh')], { env: this.env(), stdio: 'ignore', timeout: 60_000 });
  }

  /** Stops it and removes the pid dir now. */
  dispose(): void {
    this.stop();
    rmSync(this.runDir, { recursive: true, force: true });
    if (this.workDir) rmSync(this.workDir, { recursive: true, force: true });
  }

  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_RUN_DIR: this.runDir, KAFKA_PORT: String(this.port), KAFKA_CONTROLLER_PORT: String(this.controllerPort) };
    delete env.KAFKA_WORK_DIR;
    delete env.KAFKA_KEEP;
    if (this.workDir) env.KAFKA_WORK_DIR = this.workDir;
    return env;
  }
}
