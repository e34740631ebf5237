import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nestingDepth } from '../../../src/api/request-body';

describe('nestingDepth', () => {
  it('counts objects and arrays, not scalars', () => {
    assert.equal(nestingDepth('x', 64), 0);
    assert.equal(nestingDepth({}, 64), 1);
    assert.equal(nestingDepth({ a: [1, { b: null }] }, 64), 3);
  });

  it('measures a 100,000-deep array without overflowing the stack, stopping past the limit', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.equal(nestingDepth(deep, 64), 65);
  });
});
