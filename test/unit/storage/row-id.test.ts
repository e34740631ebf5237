import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRowId } from '../../../src/storage/flow.repository';

describe('flow row ids', () => {
  it('reads the first incarnation short form', () => {
    assert.deepEqual(parseRowId('flowscope.flows/3/18446744073709551615/12'), {
      topic: 'flowscope.flows', partition: 3, offset: '18446744073709551615', index: 12, incarnation: '',
    });
  });

  it('reads a later incarnation after @', () => {
    assert.deepEqual(parseRowId('flows_v2-x/0/7/0@5b0c2c1e-3f1a-4d7e-9a51-0d8f1e2a3b4c'), {
      topic: 'flows_v2-x', partition: 0, offset: '7', index: 0, incarnation: '5b0c2c1e-3f1a-4d7e-9a51-0d8f1e2a3b4c',
    });
  });

  it('refuses what is not a row id', () => {
    for (const id of ['', 'a/b/c/d', 'flows/0/1', 'flows/0/1/2/3', 'fl ows/0/1/2', '../etc/0/1/2', 'flows/0/1/2@', 'flows/0/1/2@a@b', "flows/0/1/2@x'--", 'flows/12345678901/1/2']) {
      assert.equal(parseRowId(id), undefined, id);
    }
  });
});
