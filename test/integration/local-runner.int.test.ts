import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from '../support/free-port';
import { eventually } from '../support/test-config';
import { tempDir } from '../support/temp-dir';

const LOCAL = join(__dirname, '..', '..', '..', 'scripts', 'local.js');

/**
 * `npm run local -- --demo` as a user runs it (broker, service, simulator), isolated from the test
 * run's own broker: its own ports, pid files and data folder.
 */
class LocalRun {
  private child?: ChildProcess;
  output = '';

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  start(...args: string[]): void {
    this.output = '';
    this.child = spawn(process.execPath, [LOCAL, '--demo', ...args], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  async metric(name: string): Promise<number | undefined> {
    if (this.child?.exitCode !== null) throw new Error(`the local run exited:\n${this.output}`);
    const res = await fetch(`http://127.0.0.1:${this.env.FLOWSCOPE_HTTP_PORT}/metrics`).catch(() => undefined);
    if (!res?.ok) return undefined;
    const m = new RegExp(`^${name} (\\d+)`, 'm').exec(await res.text());
    return m ? Number(m[1]) : undefined;
  }

  /** Rows stored, from the per-minute rollups. */
  async storedRows(): Promise<number> {
    const q = `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 86_400_000).toISOString()}`;
    const res = await fetch(`http://127.0.0.1:${this.env.FLOWSCOPE_HTTP_PORT}/api/v1/stats/decisions?${q}`);
    const body = (await res.json()) as { groups: Array<{ records: number }> };
    return body.groups.reduce((n, g) => n + g.records, 0);
  }

  /** Whether any stored flow started before `to` (raw rows, exact times; the stats are per minute). */
  async anyFlowBefore(to: number): Promise<boolean> {
    const q = `from=${new Date(to - 86_400_000).toISOString()}&to=${new Date(to).toISOString()}&limit=1`;
    const res = await fetch(`http://127.0.0.1:${this.env.FLOWSCOPE_HTTP_PORT}/api/v1/flows?${q}`);
    return ((await res.json()) as { items: unknown[] }).items.length > 0;
  }

  /** Ctrl-C: the runner stops the simulator, the service and the broker it started. */
  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGINT');
    await exited;
  }
}

describe('npm run local -- --demo, stopped and run again', () => {
  let local: LocalRun | undefined;
  after(async () => local?.stop());

  it('stores the second run\'s flows too, and --reset starts empty', { timeout: 600_000 }, async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_PORT: String(await freePort()),
      KAFKA_CONTROLLER_PORT: String(await freePort()),
      KAFKA_RUN_DIR: tempDir('flowscope-local-run-'),
      FLOWSCOPE_LOCAL_DATA: tempDir('flowscope-local-data-'),
      FLOWSCOPE_HTTP_PORT: String(await freePort()),
      FLOWSCOPE_LOG_LEVEL: 'warn',
      FLOWSCOPE_DEMO_RATE: '100',
    };
    delete env.KAFKA_BROKERS;
    local = new LocalRun(env);
    const storedSome = (what: string) => eventually(async () => ((await local!.metric('flowscope_ingest_stored_total')) ?? 0) > 0 ? true : undefined, what, 180_000);

    local.start();
    await storedSome('the first run to store flows');
    const first = await local.storedRows();
    await local.stop();

    local.start();
    await storedSome('the second run to store flows');
    // Skipped as replays: at most the batches in flight when the first run stopped (stored, their
    // commit cut short), a small part of what the second run stores, not its new records.
    const replays = await eventually(async () => {
      const stored = (await local!.metric('flowscope_ingest_stored_total')) ?? 0;
      const skipped = (await local!.metric('flowscope_ingest_replayed_skipped_total')) ?? 0;
      return stored > 0 && stored >= 10 * skipped ? { stored, skipped } : undefined;
    }, 'the second run to store ten times what it skips', 120_000);
    assert.ok(replays.stored > 0);
    assert.ok((await local.storedRows()) > first, 'the first run\'s rows are kept and the second run adds its own');
    assert.equal(await local.anyFlowBefore(Date.now()), true);
    await local.stop();

    const secondStopped = Date.now();
    local.start('--reset');
    await storedSome('the run after --reset to store flows');
    assert.match(local.output, /--reset: removed/);
    assert.equal(await local.anyFlowBefore(secondStopped), false, 'no flow of the earlier runs is left');
    await local.stop();
  });
});
