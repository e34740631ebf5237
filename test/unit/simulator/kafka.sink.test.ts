import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkByBytes, REQUEST_BYTES } from '../../../src/simulator/kafka.sink';
import { Prng } from '../../../src/simulator/prng.util';

const size = (m: { key: string; value: string | null }) => Buffer.byteLength(m.key) + (m.value === null ? 0 : Buffer.byteLength(m.value)) + 32;

describe('produce requests cut by bytes', () => {
  it('keeps every message, in order, each request within the limit unless one message alone is bigger', () => {
    const prng = new Prng(7);
    const random = () => prng.next();
    for (let run = 0; run < 200; run++) {
      const limit = 1000 + Math.floor(random() * 20_000);
      const messages = Array.from({ length: Math.floor(random() * 300) }, (_, i) => ({
        key: `node-${i % 7}`,
        value: random() < 0.05 ? null : 'x'.repeat(Math.floor(random() * (random() < 0.05 ? 3 * limit : limit / 4))),
      }));
      const chunks = chunkByBytes(messages, limit);
      assert.deepEqual(chunks.flat(), messages, 'all messages, in order');
      for (const chunk of chunks) {
        assert.ok(chunk.length > 0);
        const bytes = chunk.reduce((n, m) => n + size(m), 0);
        assert.ok(bytes <= limit || chunk.length === 1, `a request of ${bytes} bytes over ${limit} with ${chunk.length} messages`);
      }
      // Greedy: a request and the next message together would not have fit.
      for (let i = 0; i + 1 < chunks.length; i++) {
        assert.ok(chunks[i].reduce((n, m) => n + size(m), 0) + size(chunks[i + 1][0]) > limit);
      }
    }
  });

  it('counts bytes, not characters', () => {
    const m = { key: 'k', value: 'é'.repeat(100) };
    assert.equal(chunkByBytes([m, m], 2 * (1 + 100 + 32)).length, 2, '200 bytes each, not 100');
  });

  it('leaves room under the broker\'s 1 MiB record batch limit', () => {
    assert.ok(REQUEST_BYTES <= 1024 * 1024 / 2);
  });
});
