import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecordDecoder, detectFormat } from '../../../../src/ingest/formats/record.decoder';
import { MalformedEventError } from '../../../../src/ingest/malformed-event.error';
import { CALICO_AGGREGATED, CALICO_G2, FLOWSCOPE, GOLDMANE_INT, buf } from './fixtures';

const auto = new RecordDecoder({ format: 'auto', maxMessageBytes: 1 << 20 });

function rejects(decoder: RecordDecoder, value: Buffer, pattern: RegExp): void {
  assert.throws(() => decoder.decode(value), (err: unknown) => {
    assert.ok(err instanceof MalformedEventError, `expected MalformedEventError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('RecordDecoder', () => {
  it('detects a flowscope event', () => {
    const { format, records } = auto.decode(buf(FLOWSCOPE));
    assert.equal(format, 'flowscope');
    assert.equal(records[0].srcIp, '10.0.0.1');
    assert.equal(records[0].startTime, Date.parse('2024-05-01T10:00:00Z'));
  });

  it('detects a Calico flow log', () => {
    const { format, records } = auto.decode(buf(CALICO_AGGREGATED));
    assert.equal(format, 'calico');
    assert.equal(records[0].dst.aggregatedName, 'coredns-576cbf47c7-*');
  });

  it('detects a Goldmane flow', () => {
    const { format, records } = auto.decode(buf(GOLDMANE_INT));
    assert.equal(format, 'goldmane');
    assert.equal(records[0].enforcedHits.length, 2);
  });

  it('decodes NDJSON messages of several lines in each format', () => {
    assert.equal(auto.decode(buf(CALICO_AGGREGATED, CALICO_G2, CALICO_AGGREGATED)).records.length, 3);
    assert.equal(auto.decode(buf(GOLDMANE_INT, GOLDMANE_INT)).records.length, 2);
    assert.equal(auto.decode(buf(FLOWSCOPE, { ...FLOWSCOPE, srcIp: '10.0.0.9' })).records[1].srcIp, '10.0.0.9');
  });

  it('names what it saw when no format matches', () => {
    rejects(auto, buf({ timestamp: 1, src: 'a', dst: 'b' }), /^unknown record format: .*; got an object with keys "timestamp", "src", "dst"$/);
    rejects(auto, buf([1, 2]), /got a JSON array$/);
    rejects(auto, buf({}, {}), /^line 1: unknown record format: .*got an empty object$/);
  });

  it('rejects a message mixing formats, naming the line', () => {
    rejects(auto, buf(CALICO_G2, GOLDMANE_INT), /^line 2: mixed formats: the message's first line is a calico record, this one is a goldmane record$/);
    rejects(auto, buf(GOLDMANE_INT, { foo: 1 }), /^line 2: mixed formats: .*goldmane record, this one is an object with keys "foo"$/);
    rejects(auto, buf(FLOWSCOPE, CALICO_G2), /^line 2: /);
  });

  it('rejects an oversized message before parsing, in every mode', () => {
    for (const format of ['auto', 'flowscope', 'calico', 'goldmane'] as const) {
      const d = new RecordDecoder({ format, maxMessageBytes: 64 });
      rejects(d, Buffer.from('{' + ' '.repeat(70)), /^message is 71 bytes, over the 64-byte limit$/);
    }
  });

  it('uses the configured format without detection', () => {
    const calico = new RecordDecoder({ format: 'calico', maxMessageBytes: 1 << 20 });
    assert.equal(calico.decode(buf(CALICO_G2)).format, 'calico');
    rejects(calico, buf(GOLDMANE_INT), /^action: is required$/);
    const goldmane = new RecordDecoder({ format: 'goldmane', maxMessageBytes: 1 << 20 });
    rejects(goldmane, buf(CALICO_G2), /^Key: is required$/);
  });

  it('rejects an empty message and non-JSON', () => {
    rejects(auto, Buffer.from('\n \n'), /^message is empty$/);
    rejects(auto, Buffer.from('{"start_time":'), /^not JSON/);
  });

  it('refuses an unknown configured format', () => {
    assert.throws(() => new RecordDecoder({ format: 'netflow' as never, maxMessageBytes: 10 }), /unknown flow format "netflow"/);
  });

  it('detectFormat reads only the top-level shape', () => {
    assert.equal(detectFormat({ key: { action: 1 } }), 'goldmane');
    assert.equal(detectFormat({ start_time: 1, dest_ip: null }), 'calico');
    assert.equal(detectFormat({ start_time: 1 }), undefined);
    assert.equal(detectFormat({ time: 1 }), 'flowscope');
    assert.equal(detectFormat({ Key: 'not an object' }), undefined);
  });
});
