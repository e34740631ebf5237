import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { isNotYetKafkaError, untilKafkaReady } from '../../../src/kafka/kafka-retry';

const protocolError = (type: string, message = type) => Object.assign(new KafkaJSProtocolError(message), { type });

describe('Kafka "not yet" errors', () => {
  it('recognises a fresh broker\'s answers, also wrapped in the retries kafkajs gave up on', () => {
    for (const type of ['LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']) {
      assert.equal(isNotYetKafkaError(protocolError(type)), true, type);
      assert.equal(isNotYetKafkaError(new KafkaJSNumberOfRetriesExceeded(protocolError(type), { retryCount: 5, retryTime: 100 })), true, `${type} wrapped`);
    }
    assert.equal(isNotYetKafkaError(Object.assign(new Error('connect ECONNREFUSED'), { name: 'KafkaJSConnectionError' })), true);
  });

  it('does not retry real failures', () => {
    assert.equal(isNotYetKafkaError(protocolError('TOPIC_AUTHORIZATION_FAILED')), false);
    assert.equal(isNotYetKafkaError(protocolError('INVALID_REPLICATION_FACTOR')), false);
    assert.equal(isNotYetKafkaError(new Error('boom')), false);
    assert.equal(isNotYetKafkaError(undefined), false);
  });
});

describe('untilKafkaReady', () => {
  const quick = { baseDelayMs: 1, maxDelayMs: 2 };

  it('retries "not yet" answers, logs the wait once, and returns the result', async () => {
    let calls = 0;
    const waits: string[] = [];
    const result = await untilKafkaReady(
      'reading offsets',
      async () => {
        calls++;
        if (calls < 4) throw protocolError('NOT_LEADER_FOR_PARTITION', 'This server is not the leader for that topic-partition');
        return 'offsets';
      },
      { ...quick, deadlineMs: 10_000, onWaiting: (r) => waits.push(r) },
    );
    assert.equal(result, 'offsets');
    assert.equal(calls, 4);
    assert.deepEqual(waits, ['This server is not the leader for that topic-partition']);
  });

  it('throws a real failure at once', async () => {
    let calls = 0;
    await assert.rejects(
      untilKafkaReady('x', async () => {
        calls++;
        throw protocolError('TOPIC_AUTHORIZATION_FAILED');
      }, { ...quick, deadlineMs: 10_000, onWaiting: () => undefined }),
      /TOPIC_AUTHORIZATION_FAILED/,
    );
    assert.equal(calls, 1);
  });

  it('gives up after the deadline with an error naming what it waited for and the deadline', async () => {
    await assert.rejects(
      untilKafkaReady('creating topics a, b', async () => {
        throw protocolError('LEADER_NOT_AVAILABLE', 'There is no leader for this topic-partition');
      }, { ...quick, deadlineMs: 0, onWaiting: () => undefined }),
      /^Error: creating topics a, b: Kafka was still not ready after 0 s \(last error: There is no leader for this topic-partition\)$/,
    );
  });
});
