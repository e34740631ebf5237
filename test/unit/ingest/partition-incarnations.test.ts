import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchToken, describeChange } from '../../../src/ingest/partition-incarnations';

describe('partition incarnations', () => {
  it('the same cluster with a high watermark above what is stored is the same incarnation', () => {
    assert.equal(describeChange('c1', 'c1', 101n, 100n), undefined);
    assert.equal(describeChange('c1', 'c1', 5_000n, 100n), undefined, 'grown since');
    assert.equal(describeChange(undefined, 'c1', 0n, -1n), undefined, 'nothing stored, nothing recorded');
    assert.equal(describeChange('c1', 'c1', 0n, -1n), undefined, 'nothing stored yet');
  });

  it('a high watermark at or below the highest stored offset is a re-created (or truncated) log', () => {
    assert.match(describeChange('c1', 'c1', 100n, 100n)!, /high watermark 100 is not above offset 100/);
    assert.match(describeChange('c1', 'c1', 0n, 100n)!, /re-created/);
    assert.match(describeChange(undefined, 'c1', 3n, 100n)!, /re-created/, 'rows stored before incarnations were recorded');
  });

  it('another cluster is another incarnation, whatever the offsets', () => {
    assert.match(describeChange('c1', 'c2', 5_000n, 100n)!, /cluster id c1 became c2/);
  });

  it('deduplication tokens differ between incarnations, and the first keeps the earlier format', () => {
    assert.equal(batchToken('flows', 3, '', '10', '19'), 'flows:3:10-19');
    assert.equal(batchToken('flows', 3, 'abc', '10', '19'), 'flows:3:10-19@abc');
    assert.notEqual(batchToken('flows', 3, 'abc', '10', '19'), batchToken('flows', 3, 'abd', '10', '19'));
  });
});
