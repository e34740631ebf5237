import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelSetId, RecentIds, reportedTraceId, ruleTextId } from '../../../src/storage/content-ids';
import { SharedValues } from '../../../src/storage/shared-values';

describe('content ids', () => {
  it('name a label set by its content, whatever the key order, and the empty set 0', () => {
    // The value ClickHouse gives for the same set in migration 0011's SQL (checked against chDB).
    assert.equal(labelSetId({ b: '2', a: '1' }), '7330572563363886126');
    assert.equal(labelSetId({ a: '1', b: '2' }), '7330572563363886126');
    assert.notEqual(labelSetId({ a: '1', b: '3' }), labelSetId({ a: '1', b: '2' }));
    // Key and value boundaries are part of the encoding.
    assert.notEqual(labelSetId({ ab: 'c' }), labelSetId({ a: 'bc' }));
    assert.equal(labelSetId({}), '0');
    // Keys beyond the BMP sort by their UTF-8 bytes, as the engine's arraySort does.
    assert.equal(labelSetId({ '\u{1F600}': 'a', '\uFF01': 'b' }), labelSetId({ '\uFF01': 'b', '\u{1F600}': 'a' }));
  });

  it('name rule texts and reported traces by content, the empty ones 0', () => {
    assert.equal(ruleTextId(''), '0');
    assert.equal(ruleTextId('{"action":"Allow"}'), '7184995944338915480');
    assert.equal(reportedTraceId([], []), '0');
    assert.equal(reportedTraceId(['0|t|p|allow|0'], []), '17913417698669684894');
    assert.notEqual(reportedTraceId(['0|t|p|allow|0'], []), reportedTraceId([], ['0|t|p|allow|0']));
  });

  it('remember a bounded number of ids, the least recently used forgotten first', () => {
    const ids = new RecentIds(2);
    ids.add('1');
    ids.add('2');
    assert.equal(ids.has('1'), true);
    ids.add('3');
    assert.deepEqual([ids.has('1'), ids.has('2'), ids.has('3'), ids.size], [true, false, true, 2]);
  });
});

describe('shared values of a batch', () => {
  it('lists each new value once, and none a later batch already stored', () => {
    const shared = new SharedValues();
    const labels = { app: 'web', tier: "it's\tfront" };
    const first = shared.batch();
    const id = first.labels(labels);
    assert.equal(first.labels({ tier: "it's\tfront", app: 'web' }), id);
    assert.equal(first.labels({}), '0');
    assert.deepEqual(first.lines.label_sets, [`${id}\t{'app':'web','tier':'it\\'s\\tfront'}`]);
    assert.equal(first.rule('{"a":1}'), first.rule('{"a":1}'));
    assert.equal(first.lines.rule_texts.length, 1);
    assert.equal(first.reportedTrace(['0|t|p|allow|0'], ['0|t|q|deny|1']), reportedTraceId(['0|t|p|allow|0'], ['0|t|q|deny|1']));
    assert.deepEqual(first.lines.reported_traces, [`${reportedTraceId(['0|t|p|allow|0'], ['0|t|q|deny|1'])}\t['0|t|p|allow|0']\t['0|t|q|deny|1']`]);

    // Not stored yet (the insert failed): the retry lists them again.
    const retry = shared.batch();
    retry.labels(labels);
    assert.equal(retry.lines.label_sets.length, 1);
    retry.stored();

    const later = shared.batch();
    assert.equal(later.labels(labels), id);
    later.rule('{"a":1}');
    assert.deepEqual([later.lines.label_sets, later.lines.rule_texts.length], [[], 1]);
  });
});
