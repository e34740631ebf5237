import { randomBytes } from 'node:crypto';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/config.loader';
import { tempDir } from './temp-dir';

/** Brokers of the real Kafka the test run started (scripts/run-tests.js), or the default local one. */
export const TEST_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

/**
 * A configuration isolated per test file: its own embedded ClickHouse directory, its own topics and
 * consumer group, an ephemeral HTTP port. Access control is off unless a suite turns it on
 * (FLOWSCOPE_AUTH: 'on' with a FLOWSCOPE_ADMIN_KEY).
 */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  const id = randomBytes(4).toString('hex');
  return loadConfig({
    FLOWSCOPE_HTTP_PORT: '0',
    FLOWSCOPE_LOG_LEVEL: 'error',
    FLOWSCOPE_DATA_DIR: tempDir('flowscope-test-'),
    FLOWSCOPE_INGEST_ENABLED: 'false',
    FLOWSCOPE_AUTH: 'off',
    // Fixtures carry old timestamps; a TTL merge must not remove them mid-test.
    FLOWSCOPE_RETENTION_ALLOWED_DAYS: '0',
    FLOWSCOPE_RETENTION_DENIED_DAYS: '0',
    KAFKA_BROKERS: TEST_BROKERS,
    KAFKA_GROUP_ID: `flowscope-test-${id}`,
    KAFKA_FLOWS_TOPIC: `test.flows.${id}`,
    KAFKA_DEAD_LETTER_TOPIC: `test.flows.dead-letter.${id}`,
    KAFKA_INVENTORY_TOPIC: `test.inventory.${id}`,
    ...overrides,
  });
}

/** Polls until check() returns a value or the deadline passes (then throws with the last state). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
