import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCliOptions } from '../../../src/simulator/cli.options';

describe('parseCliOptions', () => {
  it('defaults: demo size, flowscope format, brokers from KAFKA_BROKERS, run until a signal', () => {
    const o = parseCliOptions([], { KAFKA_BROKERS: 'k1:9092,k2:9092' });
    assert.deepEqual(o.brokers, ['k1:9092', 'k2:9092']);
    assert.equal(o.format, 'flowscope');
    assert.deepEqual(o.size, { pods: 50, policies: 20 });
    assert.equal(o.flowsTopic, 'flowscope.flows');
    assert.equal(o.inventoryTopic, 'flowscope.inventory');
    assert.equal(o.count, 0);
    assert.equal(o.durationSeconds, 0);
    assert.deepEqual(parseCliOptions([], {}).brokers, ['127.0.0.1:9092']);
  });

  it('reads sizes, explicit counts and error injection', () => {
    const o = parseCliOptions(['--size', 'large', '--pods', '3000', '--format', 'goldmane', '--malformed', '0.01', '--malformed-kinds', 'bad-ip,oversized', '--lines-per-message', '20'], {});
    assert.deepEqual(o.size, { pods: 3000, policies: 1000 });
    assert.equal(o.sizeName, 'custom');
    assert.deepEqual(o.malformedKinds, ['bad-ip', 'oversized']);
    assert.equal(o.linesPerMessage, 20);
  });

  it('rejects unknown values with the option named', () => {
    assert.throws(() => parseCliOptions(['--format', 'xml'], {}), /--format/);
    assert.throws(() => parseCliOptions(['--compression', 'lz4'], {}), /kafkajs-lz4/);
    assert.throws(() => parseCliOptions(['--malformed', '2'], {}), /--malformed/);
    assert.throws(() => parseCliOptions(['--bogus'], {}), /bogus/);
  });
});
