import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlowEventParser } from '../../../src/ingest/flow-event.parser';
import { MalformedEventError } from '../../../src/ingest/malformed-event.error';

const parser = new FlowEventParser(4096);
const valid = {
  time: '2026-11-26T07:00:00.250Z',
  action: 'deny',
  reporter: 'dst',
  protocol: 'TCP',
  srcIp: '10.0.0.1',
  srcPort: 40000,
  dstIp: 'fd00::0001',
  dstPort: 443,
  policies: { enforced: ['0|security|security.deny-all|deny|-1'] },
};
const buf = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const rejects = (v: unknown, reason: RegExp) =>
  assert.throws(() => parser.parse(buf(v)), (e: unknown) => e instanceof MalformedEventError && reason.test(e.message));

describe('FlowEventParser', () => {
  it('normalises a valid event', () => {
    const [r] = parser.parse(buf(valid));
    assert.equal(r.startTime, Date.parse('2026-11-26T07:00:00.250Z'));
    assert.equal(r.endTime, r.startTime);
    assert.equal(r.numFlows, 1);
    assert.equal(r.action, 'deny');
    assert.equal(r.protocol, 'tcp');
    assert.equal(r.dstIp, 'fd00::1');
    assert.equal(r.srcPort, 40000);
    assert.deepEqual(r.enforcedHits, ['0|security|security.deny-all|deny|-1']);
    assert.deepEqual(r.pendingHits, []);
    assert.equal(r.bytesIn, 0);
  });

  it('accepts epoch milliseconds and protocol numbers', () => {
    const [r] = parser.parse(buf({ ...valid, time: 1795676400000, protocol: 17 }));
    assert.equal(r.startTime, 1795676400000);
    assert.equal(r.protocol, 'udp');
  });

  it('reads NDJSON: one record per line', () => {
    const rs = parser.parse(buf(`${JSON.stringify(valid)}\n${JSON.stringify({ ...valid, action: 'log' })}\n`));
    assert.deepEqual(rs.map((r) => r.action), ['deny', 'log']);
  });

  it('rejects with a reason naming the problem', () => {
    rejects('{"time":', /not JSON/);
    rejects({ ...valid, action: 'drop' }, /action: must be equal to one of the allowed values/);
    rejects({ ...valid, srcIp: '10.0.0.300' }, /srcIp: "10.0.0.300" is not an IP address/);
    rejects({ ...valid, dstPort: 70000 }, /dstPort: must be <= 65535/);
    rejects({ ...valid, extra: 1 }, /unknown field "extra"/);
    rejects({ ...valid, time: 'yesterday' }, /time: "yesterday" is not an RFC 3339 time/);
    // What Date.parse alone would take for a year (2047, 2001) or a local time: never stored.
    for (const time of ['yesterday-47', 'x 1', '2026-11-26', '2026-11-26T07:00:00', 'Thu, 26 Nov 2026 07:00:00 GMT']) {
      rejects({ ...valid, time }, /is not an RFC 3339 time/);
    }
    rejects({ ...valid, protocol: 'carrier-pigeon' }, /protocol: unknown protocol/);
    const { reporter: _r, ...noReporter } = valid;
    rejects(noReporter, /reporter: is required/);
    rejects('   \n', /empty/);
  });

  it('names the failing line of an NDJSON message', () => {
    rejects(`${JSON.stringify(valid)}\n{"oops"`, /^line 2: not JSON/);
  });

  it('rejects an oversized message before parsing it', () => {
    rejects({ ...valid, node: 'x'.repeat(5000) }, /over the 4096-byte limit/);
  });
});
