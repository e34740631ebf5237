import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HealthCheckResult, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';
import { ServiceUnavailableException } from '@nestjs/common';
import { HealthController } from '../../../src/health/health.controller';
import { DependencyHealth } from '../../../src/health/health.indicators';
import { AppConfig } from '../../../src/config/app-config';

/** Terminus's contract, reduced: run every indicator, throw a 503 carrying the result if one is down. */
const health = {
  async check(fns: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
    const results = await Promise.all(fns.map((f) => f()));
    const all = Object.assign({}, ...results);
    const down = Object.fromEntries(Object.entries(all).filter(([, v]) => (v as { status: string }).status === 'down'));
    const result = { status: Object.keys(down).length ? 'error' : 'ok', info: {}, error: down, details: all } as HealthCheckResult;
    if (Object.keys(down).length) throw new ServiceUnavailableException(result);
    return result;
  },
} as unknown as HealthCheckService;

function controller(ingest: boolean, kafkaUp: boolean, storageUp = true, consumersUp = true): { c: HealthController; asked: string[] } {
  const asked: string[] = [];
  const deps = {
    clickhouseReady: async () => (asked.push('clickhouse'), { clickhouse: { status: 'up' } }),
    kafkaReady: async () => (asked.push('kafka'), { kafka: kafkaUp ? { status: 'up' } : { status: 'down', message: 'no broker answered' } }),
    storageWritable: async () => (asked.push('storage'), { storage: storageUp ? { status: 'up' } : { status: 'down', message: 'batches fail to be stored, 1 partition paused and retrying' } }),
    consuming: async () => (asked.push('ingest'), { ingest: consumersUp ? { status: 'up' } : { status: 'down', message: 'the flows consumer stopped after an error it does not recover from' } }),
  } as unknown as DependencyHealth;
  return { c: new HealthController(health, deps, { ingest: { enabled: ingest } } as AppConfig), asked };
}

describe('readiness checks what the running mode needs', () => {
  it('API-only mode asks ClickHouse only, so a missing broker does not fail the probe', async () => {
    const { c, asked } = controller(false, false);
    assert.equal((await c.ready()).status, 'ok');
    assert.deepEqual(asked, ['clickhouse']);
  });
  it('with ingest on, a missing broker is a 503 naming kafka', async () => {
    const { c, asked } = controller(true, false);
    await assert.rejects(c.ready(), (e: ServiceUnavailableException) => {
      const body = e.getResponse() as { message: string; details: Array<{ field: string }> };
      assert.deepEqual(body.details.map((d) => d.field), ['kafka']);
      assert.match(body.message, /not ready: kafka no broker answered/);
      return true;
    });
    assert.deepEqual(asked, ['clickhouse', 'kafka', 'storage', 'ingest']);
  });
  it('with ingest on, a partition paused on failing writes is a 503 naming storage (a ping alone still answers)', async () => {
    const { c } = controller(true, true, false);
    await assert.rejects(c.ready(), (e: ServiceUnavailableException) => {
      const body = e.getResponse() as { message: string; details: Array<{ field: string }> };
      assert.deepEqual(body.details.map((d) => d.field), ['storage']);
      assert.match(body.message, /not ready: storage batches fail to be stored/);
      return true;
    });
  });
  it('with ingest on, a consumer stopped for good is a 503 naming ingest', async () => {
    const { c } = controller(true, true, true, false);
    await assert.rejects(c.ready(), (e: ServiceUnavailableException) => {
      const body = e.getResponse() as { message: string; details: Array<{ field: string }> };
      assert.deepEqual(body.details.map((d) => d.field), ['ingest']);
      assert.match(body.message, /not ready: ingest the flows consumer stopped/);
      return true;
    });
  });
});
