import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GoldmaneFlowParser, goldmaneFlowToRecord } from '../../../../src/ingest/formats/goldmane-flow.parser';
import { MalformedEventError } from '../../../../src/ingest/malformed-event.error';
import { parsePolicyHitString } from '../../../../src/policy';
import { GOLDMANE_INT, GOLDMANE_NAMES, buf } from './fixtures';

const parser = new GoldmaneFlowParser(1 << 20);

function withKey(over: Record<string, unknown>): unknown {
  return { ...GOLDMANE_INT, Key: { ...GOLDMANE_INT.Key, ...over } };
}

function rejects(record: unknown, pattern: RegExp): void {
  assert.throws(() => parser.parse(buf(record)), (err: unknown) => {
    assert.ok(err instanceof MalformedEventError, `expected MalformedEventError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('Goldmane flow parser', () => {
  it('reads an emitter line with integer enums', () => {
    const [r] = parser.parse(buf(GOLDMANE_INT));
    assert.equal(r.startTime, 1741600000000);
    assert.equal(r.endTime, 1741600015000);
    assert.equal(r.action, 'allow');
    assert.equal(r.reporter, 'dst');
    assert.equal(r.protocol, 'tcp');
    assert.deepEqual([r.srcIp, r.srcPort, r.dstIp, r.dstPort, r.node], ['', 0, '', 80, '']);
    assert.deepEqual(r.src, { type: 'wep', namespace: 'app', name: '', aggregatedName: 'client-7f9d8c6b5-*', labels: { app: 'client' } });
    assert.deepEqual(r.dst.labels, { app: 'nginx', 'pod-template-hash': '86c57db685' });
    assert.deepEqual(r.dstService, { name: 'nginx', namespace: 'web', portName: 'http', port: 80 });
    // Felix's num_flows travels in num_connections_live.
    assert.deepEqual([r.numFlows, r.numFlowsStarted, r.numFlowsCompleted], [1, 3, 2]);
    assert.deepEqual([r.packetsIn, r.packetsOut, r.bytesIn, r.bytesOut], [20, 18, 2400, 9100]);
  });

  it('renders structured hits as G3 strings, ordered by policy_index (omitted index = 0)', () => {
    const r = goldmaneFlowToRecord(GOLDMANE_INT);
    assert.deepEqual(r.enforcedHits, ['0|platform|gnp:platform.allow-dns|pass|1', '1|default|knp:web/allow-nginx|allow|0']);
    assert.deepEqual(r.pendingHits, ['0|default|sknp:web/lockdown|deny|-1']);
    const parsed = parsePolicyHitString(r.enforcedHits[1]);
    assert.equal(parsed.kind, 'KubernetesNetworkPolicy');
    assert.equal(parsed.name, 'knp.default.allow-nginx');
  });

  it('reads enum names (protobuf JSON mapping) to the same record as integers', () => {
    assert.deepEqual(goldmaneFlowToRecord(GOLDMANE_NAMES), goldmaneFlowToRecord(GOLDMANE_INT));
  });

  it('sorts hits that arrive out of order and renders every endpoint type', () => {
    const r = goldmaneFlowToRecord(withKey({
      source_type: 2, dest_type: 4, dest_name: 'pub', source_namespace: '',
      policies: { enforced_policies: [
        { kind: 9, name: 'kns.web', action: 1, policy_index: 2 },
        { kind: 1, namespace: 'web', name: 'web.allow', tier: 'web', action: 3, policy_index: 1, rule_index: -1 },
        { kind: 11, name: 'kanp.deny-all', tier: 'adminnetworkpolicy', action: 3, policy_index: 0 },
      ] },
    }));
    assert.equal(r.src.type, 'hep');
    assert.deepEqual(r.dst, { type: 'net', namespace: 'web', name: '', aggregatedName: 'pub', labels: { app: 'nginx', 'pod-template-hash': '86c57db685' } });
    assert.deepEqual(r.enforcedHits, [
      '0|adminnetworkpolicy|kcnp:kanp.deny-all|pass|0',
      '1|web|np:web/web.allow|pass|-1',
      '2|__PROFILE__|pro:kns.web|allow|0',
    ]);
    assert.equal(goldmaneFlowToRecord(withKey({ source_type: 3, dest_type: 0 })).src.type, 'ns');
    assert.equal(goldmaneFlowToRecord(withKey({ source_type: 3, dest_type: 0 })).dst.type, '');
  });

  it('accepts zero values omitted by omitempty, a lower-case `key`, and int64 as decimal strings', () => {
    const r = goldmaneFlowToRecord({ key: { proto: 'UDP', reporter: 1, action: 2, source_type: 1 }, start_time: '1741600000', bytes_in: '12' });
    assert.equal(r.protocol, 'udp');
    assert.equal(r.reporter, 'src');
    assert.equal(r.action, 'deny');
    assert.equal(r.endTime, r.startTime);
    assert.equal(r.bytesIn, 12);
    assert.equal(r.dstService, undefined);
    assert.deepEqual([r.enforcedHits, r.pendingHits, r.src.labels], [[], [], {}]);
  });

  it('reads NDJSON with several flows', () => {
    const records = parser.parse(buf(GOLDMANE_INT, GOLDMANE_NAMES, withKey({ reporter: 1 })));
    assert.deepEqual(records.map((r) => r.reporter), ['dst', 'dst', 'src']);
  });

  it('rejects unknown enum values, naming the field', () => {
    rejects(withKey({ action: 7 }), /^Key\.action: unknown Action 7; expected 1 \(Allow\), 2 \(Deny\)$/);
    rejects(withKey({ action: 'Maybe' }), /^Key\.action: unknown Action "Maybe"/);
    rejects(withKey({ action: 3 }), /^Key\.action: Pass \(3\) is a policy action, not a flow verdict$/);
    rejects(withKey({ action: undefined }), /^Key\.action: ActionUnspecified \(0\)/);
    rejects(withKey({ reporter: 4 }), /^Key\.reporter: unknown Reporter 4/);
    rejects(withKey({ dest_type: 5 }), /^Key\.dest_type: unknown EndpointType 5/);
    rejects(withKey({ source_type: 'Pod' }), /^Key\.source_type: unknown EndpointType "Pod"/);
    rejects(withKey({ policies: { enforced_policies: [{ kind: 42, name: 'x', tier: 't', action: 1 }] } }),
      /^Key\.policies\.enforced_policies\[0\]: invalid policy hit .*kind: unknown PolicyKind 42$/);
    rejects(withKey({ policies: { pending_policies: [{ kind: 2, name: 'x', tier: 't', action: 9 }] } }),
      /^Key\.policies\.pending_policies\[0\]: invalid policy hit .*action/);
  });

  it('rejects wrong types, negative counters and a missing key', () => {
    rejects({ ...GOLDMANE_INT, packets_in: -1 }, /^packets_in: must not be negative, got -1$/);
    rejects({ ...GOLDMANE_INT, num_connections_live: '-2' }, /^num_connections_live: must not be negative/);
    rejects({ ...GOLDMANE_INT, bytes_out: 1.5 }, /^bytes_out: expected an integer, got 1\.5$/);
    rejects({ ...GOLDMANE_INT, source_labels: 'app=client' }, /^source_labels: expected an array/);
    rejects(withKey({ dest_port: 'http' }), /^Key\.dest_port: expected a non-negative integer, got "http"$/);
    rejects(withKey({ source_namespace: 3 }), /^Key\.source_namespace: expected a string, got 3$/);
    rejects(withKey({ policies: { enforced_policies: [{ kind: 1, namespace: 5, name: 'a', tier: 't', action: 1 }] } }),
      /^Key\.policies\.enforced_policies\[0\]\.namespace: expected a string, got 5$/);
    rejects(withKey({ policies: { enforced_policies: [{ kind: 1, name: 'a', tier: 't', action: 1 }] } }),
      /^Key\.policies\.enforced_policies\[0\]: namespace: NetworkPolicy "t\.a" has no namespace$/);
    rejects({ ...GOLDMANE_INT, Key: 'nope' }, /^Key: expected an object/);
    rejects({ ...GOLDMANE_INT, start_time: undefined }, /^start_time: is required$/);
  });

  it('names the line in NDJSON', () => {
    assert.throws(() => parser.parse(buf(GOLDMANE_INT, withKey({ action: 7 }))), /^MalformedEventError: line 2: Key\.action: unknown Action 7/);
  });
});
