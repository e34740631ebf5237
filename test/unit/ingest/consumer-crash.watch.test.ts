import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DependencyHealth } from '../../../src/health/health.indicators';
import { watchCrashes } from '../../../src/ingest/consumer-crash.watch';
import { IngestMetrics } from '../../../src/metrics/ingest.metrics';

/** kafkajs's instrumentation events, reduced to what watchCrashes listens to. */
function fakeConsumer(): { consumer: Consumer; emit: (event: 'crash' | 'join', payload?: object) => void } {
  const events = { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' };
  const emitter = new EventEmitter();
  const consumer = { events, on: (event: string, listener: (e: { payload: object }) => void) => emitter.on(event, listener) } as unknown as Consumer;
  return { consumer, emit: (event, payload = {}) => emitter.emit(event === 'crash' ? events.CRASH : events.GROUP_JOIN, { payload }) };
}

async function gauge(metrics: IngestMetrics, name: string): Promise<Record<string, number>> {
  const m = metrics.registry.getSingleMetric(name);
  assert.ok(m);
  return Object.fromEntries((await m.get()).values.map((v) => [String(v.labels.consumer), v.value]));
}

function readiness(metrics: IngestMetrics): DependencyHealth {
  const indicator = { check: (key: string) => ({ up: () => ({ [key]: { status: 'up' } }), down: (d: object) => ({ [key]: { status: 'down', ...d } }) }) } as unknown as HealthIndicatorService;
  return new DependencyHealth(indicator, {} as never, {} as never, metrics);
}

describe('a consumer crash is visible', () => {
  it('counts a crash kafkajs restarts from, and readiness stays up', async () => {
    const metrics = new IngestMetrics();
    const { consumer, emit } = fakeConsumer();
    const loud: string[] = [];
    watchCrashes(consumer, 'flows', metrics, { debug: () => undefined, warn: (m: string) => loud.push(m), error: (m: string) => loud.push(m) } as unknown as Logger);
    emit('crash', { error: new Error("The coordinator is loading and hence can't process requests for this group"), restart: true });
    // kafkajs's own crash line says it already (quietly when routine, as on a fresh broker's first run).
    assert.deepEqual(loud, []);
    assert.deepEqual(await gauge(metrics, 'flowscope_ingest_consumer_restarts_total'), { flows: 1 });
    assert.deepEqual(await gauge(metrics, 'flowscope_ingest_consumer_stopped'), { flows: 0 });
    assert.deepEqual(await readiness(metrics).consuming(), { ingest: { status: 'up' } });
  });

  it('a crash without restart fails readiness, naming the consumer, until it is back in a group', async () => {
    const metrics = new IngestMetrics();
    const flows = fakeConsumer();
    const inventory = fakeConsumer();
    const logged: string[] = [];
    const logger = { debug: () => undefined, warn: () => undefined, error: (m: string) => logged.push(m) } as unknown as Logger;
    watchCrashes(flows.consumer, 'flows', metrics, logger);
    watchCrashes(inventory.consumer, 'inventory', metrics, logger);
    inventory.emit('crash', { error: Object.assign(new Error('Not authorized to access group'), { name: 'KafkaJSProtocolError' }), restart: false });
    assert.deepEqual(await gauge(metrics, 'flowscope_ingest_consumer_stopped'), { flows: 0, inventory: 1 });
    assert.match(logged[0], /inventory consumer stopped for good \(KafkaJSProtocolError: Not authorized to access group\)/);
    const down = await readiness(metrics).consuming();
    assert.equal(down.ingest.status, 'down');
    assert.match(String((down.ingest as { message?: string }).message), /the inventory consumer stopped/);
    inventory.emit('join');
    assert.deepEqual(await readiness(metrics).consuming(), { ingest: { status: 'up' } });
  });
});
