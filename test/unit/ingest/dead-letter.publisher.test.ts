import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Producer, ProducerRecord } from 'kafkajs';
import { DeadLetter, DeadLetterPublisher } from '../../../src/ingest/dead-letter.publisher';

const letter = (i: number, bytes: number): DeadLetter => ({ topic: 'flows', partition: 0, offset: String(i), key: null, value: Buffer.alloc(bytes, 'x'), reason: 'message is too big' });

/** Records each produce request; fails the ones listed. */
function producer(failAt: number[] = []) {
  const requests: ProducerRecord[] = [];
  let call = 0;
  const fake = {
    send: async (r: ProducerRecord) => {
      if (failAt.includes(call++)) throw new Error('broker unavailable');
      requests.push(r);
      return [];
    },
  };
  return { requests, fake: fake as unknown as Producer };
}

describe('DeadLetterPublisher', () => {
  it('cuts a flood of large letters into requests the broker takes (half a MiB each at most)', async () => {
    const { requests, fake } = producer();
    const letters = Array.from({ length: 1000 }, (_, i) => letter(i, 4200));
    await new DeadLetterPublisher(fake, 'dlq').publish(letters);
    assert.equal(letters.length, 0, 'every letter delivered');
    const sent = requests.flatMap((r) => r.messages);
    assert.deepEqual(sent.map((m) => m.headers?.['flowscope-source-offset']), Array.from({ length: 1000 }, (_, i) => String(i)), 'all, once, in order');
    for (const r of requests) assert.ok(r.messages.reduce((n, m) => n + (m.value as Buffer).length, 0) <= 512 * 1024);
    assert.ok(requests.length > 1);
  });

  it('goes on after a failed request without sending a letter twice', async () => {
    const { requests, fake } = producer([2]);
    const pending = Array.from({ length: 600 }, (_, i) => letter(i, 4200));
    const publisher = new DeadLetterPublisher(fake, 'dlq');
    await assert.rejects(publisher.publish(pending), /broker unavailable/);
    assert.ok(pending.length > 0 && pending.length < 600, 'what was taken is no longer pending');
    await publisher.publish(pending);
    const offsets = requests.flatMap((r) => r.messages.map((m) => m.headers?.['flowscope-source-offset']));
    assert.deepEqual(offsets, Array.from({ length: 600 }, (_, i) => String(i)));
  });

  it('sends a single letter larger than a request alone', async () => {
    const { requests, fake } = producer();
    await new DeadLetterPublisher(fake, 'dlq').publish([letter(0, 10), letter(1, 600 * 1024), letter(2, 10)]);
    assert.deepEqual(requests.map((r) => r.messages.length), [1, 1, 1]);
  });
});
