import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { IsOptional, validateSync } from 'class-validator';
import { IsIntIn, IsListOf, IsTimestamp, timestampProblem } from '../../../src/api/query-values';

class Q {
  @IsOptional() @IsIntIn(1, 1000) limit?: number;
  @IsOptional() @IsListOf(['tier', 'policy', 'rule'], 2) groupBy?: string[];
  @IsOptional() @IsTimestamp() from?: string;
}

function problems(query: Record<string, unknown>): Record<string, string[]> {
  const q = plainToInstance(Q, query);
  const out: Record<string, string[]> = {};
  for (const e of validateSync(q, { stopAtFirstError: true })) out[e.property] = Object.values(e.constraints ?? {});
  return out;
}

describe('shared query-value parsing', () => {
  it('integers: digits only, one message naming the range and the value', () => {
    assert.deepEqual(problems({ limit: '10' }), {});
    assert.equal(plainToInstance(Q, { limit: '10' }).limit, 10);
    for (const bad of ['abc', '1e3', '10.5', '0', '1001', '', ' ', '-1']) {
      const shown = /^-?\d+$/.test(bad) ? bad : JSON.stringify(bad);
      assert.deepEqual(problems({ limit: bad }), { limit: [`limit must be an integer in 1-1000, got ${shown}`] }, bad);
    }
  });
  it('lists: split on commas (or repeated parameters); empty, unknown, repeated or too many items refused', () => {
    assert.deepEqual(problems({ groupBy: 'tier,policy' }), {});
    assert.deepEqual(plainToInstance(Q, { groupBy: ['tier', 'policy'] }).groupBy, ['tier', 'policy']);
    assert.match(problems({ groupBy: 'tier,,policy' }).groupBy[0], /empty item at position 2/);
    assert.match(problems({ groupBy: 'tier,' }).groupBy[0], /empty item at position 2/);
    assert.match(problems({ groupBy: 'tier,colour' }).groupBy[0], /"colour" is not one of tier, policy, rule/);
    assert.match(problems({ groupBy: 'tier,tier' }).groupBy[0], /lists "tier" twice/);
    assert.match(problems({ groupBy: 'tier,policy,rule' }).groupBy[0], /3 items; at most 2/);
  });
  it('timestamps: RFC 3339, a real calendar date, inside the stored range', () => {
    assert.equal(timestampProblem('from', '2026-11-26T07:00:00Z'), null);
    assert.equal(timestampProblem('from', '2026-11-26T07:00:00.123+01:00'), null);
    assert.equal(timestampProblem('from', '2024-02-29T00:00:00Z'), null);
    assert.match(timestampProblem('from', '2026-02-29T00:00:00Z') ?? '', /not a valid date/);
    assert.match(timestampProblem('from', '2026-11-26') ?? '', /RFC 3339/);
    assert.match(timestampProblem('from', '0001-01-01T00:00:00Z') ?? '', /out of range: must be between 1900-01-01T00:00:00Z and 2299-12-31T23:59:59Z/);
    assert.match(timestampProblem('from', 1700000000000) ?? '', /RFC 3339/);
    assert.deepEqual(problems({ from: 'yesterday' }), { from: ['from must be an RFC 3339 timestamp such as 2026-11-26T07:00:00Z, got "yesterday"'] });
  });
});
