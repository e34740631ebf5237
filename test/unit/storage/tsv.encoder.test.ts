import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeTsvRow, tsvTime } from '../../../src/storage/tsv.encoder';

describe('TabSeparated encoding', () => {
  it('writes scalars, nulls and booleans in column order', () => {
    assert.equal(encodeTsvRow(['a', 1, 2.5, null, true, false]), 'a\t1\t2.5\t\\N\t1\t0');
  });

  it('escapes the characters TabSeparated gives a meaning to', () => {
    assert.equal(encodeTsvRow(['tab\there', 'line\nbreak', 'back\\slash', 'cr\r']), 'tab\\there\tline\\nbreak\tback\\\\slash\tcr\\r');
  });

  it('writes arrays and maps as ClickHouse literals, quoting and escaping inside them', () => {
    // Elements are read as quoted strings straight from the TSV text: backslashes escaped once.
    assert.equal(encodeTsvRow([['a', "it's"], [1, -2], []]), "['a','it\\'s']\t[1,-2]\t[]");
    assert.equal(encodeTsvRow([{ app: 'web', 'a\\b': 'c\td' }, {}]), "{'app':'web','a\\\\b':'c\\td'}\t{}");
  });

  it('writes epoch milliseconds as seconds with three decimals', () => {
    assert.equal(tsvTime(1764140400123), '1764140400.123');
    // Before 1973-03-03 the engine takes no Unix seconds (fewer than 9 digits): a date and time.
    assert.equal(tsvTime(5), '1970-01-01 00:00:00.005');
    assert.equal(tsvTime(99_999_999_999), '1973-03-03 09:46:39.999');
    assert.equal(tsvTime(100_000_000_000), '100000000.000');
  });
});
