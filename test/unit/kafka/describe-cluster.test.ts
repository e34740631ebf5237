import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Admin } from 'kafkajs';
import { describeCluster } from '../../../src/kafka/kafka.adapter';
import { isNotYetKafkaError } from '../../../src/kafka/kafka-retry';

const admin = (describe: () => Promise<unknown>) => ({ describeCluster: describe }) as unknown as Admin;

describe('describing the cluster while the broker goes away', () => {
  it("turns kafkajs's TypeError on null metadata into a connection error, retried as 'not yet'", async () => {
    const err = await describeCluster(admin(async () => { throw new TypeError("Cannot destructure property 'brokers' of '(intermediate value)' as it is null."); })).catch((e: unknown) => e);
    assert.equal((err as Error).name, 'KafkaJSConnectionError');
    assert.match((err as Error).message, /cluster metadata unavailable/);
    assert.equal(isNotYetKafkaError(err), true);
  });
  it('passes other errors and answers through unchanged', async () => {
    const other = new Error('SASL authentication failed');
    await assert.rejects(describeCluster(admin(async () => { throw other; })), (e) => e === other);
    assert.deepEqual(await describeCluster(admin(async () => ({ clusterId: 'c', brokers: [], controller: 1 }))), { clusterId: 'c', brokers: [], controller: 1 });
  });
});
