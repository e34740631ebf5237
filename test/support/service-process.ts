import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { AppConfig } from '../../src/config/app-config';

const MAIN = join(__dirname, '..', '..', 'src', 'main.js');

/**
 * The env a deployment would have, from an isolated test configuration (its data directory, group
 * and topics), retention off so old fixtures stay; `overrides` (the HTTP port at least) come last.
 */
export function serviceEnv(c: AppConfig, overrides: Record<string, string>): Record<string, string> {
  return {
    FLOWSCOPE_LOG_LEVEL: 'warn',
    FLOWSCOPE_DATA_DIR: c.clickhouse.dataDir,
    FLOWSCOPE_RETENTION_ALLOWED_DAYS: '0',
    FLOWSCOPE_RETENTION_DENIED_DAYS: '0',
    KAFKA_BROKERS: c.kafka.brokers.join(','),
    KAFKA_GROUP_ID: c.kafka.groupId,
    KAFKA_FLOWS_TOPIC: c.kafka.topics.flows,
    KAFKA_DEAD_LETTER_TOPIC: c.kafka.topics.deadLetter,
    KAFKA_INVENTORY_TOPIC: c.kafka.topics.inventory,
    ...overrides,
  };
}

/** flowscope as its own process, the way it is deployed: for tests that kill it. */
export class ServiceProcess {
  private child?: ChildProcess;
  private output = '';

  /** Access control is off unless `env` turns it on. */
  constructor(private readonly env: Record<string, string>) {
    this.env = { FLOWSCOPE_AUTH: 'off', ...env };
  }

  /** The running process's id (for reading its memory from /proc). */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  get port(): number {
    return Number(this.env.FLOWSCOPE_HTTP_PORT);
  }

  async start(timeoutMs = 60_000): Promise<void> {
    this.output = '';
    this.child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`flowscope exited with ${this.child.exitCode}:\n${this.output}`);
      try {
        if ((await fetch(`http://127.0.0.1:${this.port}/health/live`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`flowscope did not start within ${timeoutMs} ms:\n${this.output}`);
  }

  async get<T>(path: string): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** SIGKILL: no shutdown hook runs, the in-flight batch is neither finished nor committed. */
  async kill(): Promise<void> {
    await this.stop('SIGKILL');
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  }

  get log(): string {
    return this.output;
  }
}
