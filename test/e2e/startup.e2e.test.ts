import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { testConfig } from '../support/test-config';
import { startTestApp } from '../support/test-app';

const MAIN = join(__dirname, '..', '..', 'src', 'main.js');

describe('start-up', () => {
  it('stops at once on bad configuration, with one line naming each variable', () => {
    const run = spawnSync(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, FLOWSCOPE_HTTP_PORT: 'eighty', KAFKA_BROKERS: 'nohost', FLOWSCOPE_HTTP_PROT: '1' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(run.status, 78, 'EX_CONFIG');
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], /^flowscope: invalid configuration: /);
    assert.match(lines[0], /FLOWSCOPE_HTTP_PORT="eighty"/);
    assert.match(lines[0], /KAFKA_BROKERS="nohost" must be a comma-separated list of host:port/);
    assert.match(lines[0], /FLOWSCOPE_HTTP_PROT is not a flowscope setting/);
  });

  it('API-only mode (ingest off) is ready without any broker: readiness checks only what the mode needs', async () => {
    const t = await startTestApp(testConfig({ KAFKA_BROKERS: '127.0.0.1:1' }));
    try {
      const res = await t.http().get('/health/ready').expect(200);
      assert.equal(res.body.status, 'ok');
      assert.deepEqual(Object.keys(res.body.info), ['clickhouse']);
      await t.http().get('/health/live').expect(200);
    } finally {
      await t.close();
    }
  });
});
