import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CalicoFlowLogParser, calicoFlowLogToRecord } from '../../../../src/ingest/formats/calico-flow-log.parser';
import { MalformedEventError } from '../../../../src/ingest/malformed-event.error';
import { CALICO_AGGREGATED, CALICO_G2, CALICO_G3, buf } from './fixtures';

const parser = new CalicoFlowLogParser(1 << 20);

function rejects(record: unknown, pattern: RegExp): void {
  assert.throws(() => parser.parse(buf(record)), (err: unknown) => {
    assert.ok(err instanceof MalformedEventError, `expected MalformedEventError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('Calico flow-log parser', () => {
  it('reads an aggregated record: null IPs and ports, `-` names, aggregated names, all_policies as enforced', () => {
    const [r] = parser.parse(buf(CALICO_AGGREGATED));
    assert.equal(r.startTime, 1577834657000);
    assert.equal(r.endTime, 1577834965000);
    assert.equal(r.action, 'allow');
    assert.equal(r.reporter, 'dst');
    assert.equal(r.protocol, 'udp');
    assert.equal(r.srcIp, '');
    assert.equal(r.srcPort, 0);
    assert.equal(r.dstIp, '');
    assert.equal(r.dstPort, 53);
    assert.deepEqual(r.src, {
      type: 'wep', namespace: 'tigera-intrusion-detection', name: '', aggregatedName: 'intrusion-detection-controller-5bdcdd9c97-*',
      labels: { 'pod-template-hash': '5bdcdd9c97', 'k8s-app': 'intrusion-detection-controller' },
    });
    assert.equal(r.dst.aggregatedName, 'coredns-576cbf47c7-*');
    assert.equal(r.dst.labels['k8s-app'], 'kube-dns');
    assert.deepEqual(r.enforcedHits, ['0|__PROFILE__|__PROFILE__.kns.kube-system|allow']);
    assert.deepEqual(r.pendingHits, []);
    assert.equal(r.dstService, undefined);
    assert.equal(r.node, '');
    assert.deepEqual([r.numFlows, r.numFlowsStarted, r.numFlowsCompleted], [41, 37, 39]);
    assert.deepEqual([r.packetsIn, r.packetsOut, r.bytesIn, r.bytesOut], [37, 37, 4288, 7644]);
  });

  it('reads a level-0 record with G2 hits, sorting hits by leading index but keeping the strings', () => {
    const r = calicoFlowLogToRecord(CALICO_G2);
    assert.equal(r.action, 'deny');
    assert.equal(r.reporter, 'src');
    assert.equal(r.node, 'node-1');
    assert.deepEqual([r.srcIp, r.srcPort, r.dstIp, r.dstPort], ['10.0.1.5', 43512, '10.0.2.9', 5432]);
    assert.equal(r.src.name, 'frontend-7d4b9c8f6-x2x7q');
    assert.deepEqual(r.dst.labels, {});
    assert.deepEqual(r.dstService, { name: 'db', namespace: 'data', portName: 'postgres', port: 5432 });
    assert.deepEqual(r.enforcedHits, ['0|security|security.block-list|pass|-1', '1|default|shop/knp.default.deny-db|deny|0']);
    assert.deepEqual(r.pendingHits, ['0|security|security.block-list|pass|-1', '1|default|shop/default.staged:allow-db|allow|2']);
  });

  it('reads G3 hits, a host endpoint, an IPv6 public destination, a numeric proto and reporter fwd', () => {
    const r = calicoFlowLogToRecord(CALICO_G3);
    assert.equal(r.reporter, 'fwd');
    assert.equal(r.protocol, 'tcp');
    assert.deepEqual(r.src, { type: 'hep', namespace: '', name: 'node-2-eth0', aggregatedName: 'node-2-eth0', labels: {} });
    assert.deepEqual(r.dst, { type: 'net', namespace: '', name: '', aggregatedName: 'pub', labels: {} });
    assert.equal(r.dstIp, '2001:db8::1');
    assert.equal(r.dstService, undefined, 'all `-` service fields: no service');
    assert.deepEqual(r.enforcedHits, CALICO_G3.policies.enforced_policies);
    assert.deepEqual(r.pendingHits, ['0|tier2|snp:default/tier2.np2-1|deny|-1']);
  });

  it('prefers enforced_policies over the deprecated all_policies when both are present', () => {
    const r = calicoFlowLogToRecord({ ...CALICO_G3, policies: { enforced_policies: ['0|t|gnp:t.a|allow|0'], all_policies: ['0|t|gnp:t.b|deny|0'] } });
    assert.deepEqual(r.enforcedHits, ['0|t|gnp:t.a|allow|0']);
  });

  it('keeps `*` (several services / ports) and maps `-` to \'\' in the service', () => {
    const r = calicoFlowLogToRecord({ ...CALICO_G2, dest_service_name: '*', dest_service_port: '-', dest_service_port_num: 0 });
    assert.deepEqual(r.dstService, { name: '*', namespace: 'data', portName: '', port: 0 });
  });

  it('folds IPv4-mapped IPv6 to IPv4 and accepts a record with no policies and no end_time', () => {
    const { end_time: _e, policies: _p, ...rest } = CALICO_G2;
    const r = calicoFlowLogToRecord({ ...rest, source_ip: '::ffff:10.0.0.7' });
    assert.equal(r.srcIp, '10.0.0.7');
    assert.equal(r.endTime, r.startTime);
    assert.deepEqual(r.enforcedHits, []);
  });

  it('reads NDJSON with several records', () => {
    const records = parser.parse(buf(CALICO_AGGREGATED, CALICO_G2, '', CALICO_G3));
    assert.deepEqual(records.map((r) => r.reporter), ['dst', 'src', 'fwd']);
  });

  it('rejects a bad IP, naming the field', () => {
    rejects({ ...CALICO_G2, source_ip: '10.0.1.256' }, /^source_ip: "10\.0\.1\.256" is not an IP address$/);
    rejects({ ...CALICO_G2, dest_ip: '010.0.0.1' }, /^dest_ip: /);
    rejects({ ...CALICO_G2, dest_ip: 'fe80::zz' }, /^dest_ip: /);
  });

  it('rejects unknown enum values: action, reporter, endpoint type', () => {
    rejects({ ...CALICO_G2, action: 'log' }, /^action: expected allow or deny, got "log"$/);
    rejects({ ...CALICO_G2, reporter: 'both' }, /^reporter: expected src, dst or fwd/);
    rejects({ ...CALICO_G2, dest_type: 'pod' }, /^dest_type: expected wep, hep, ns or net, got "pod"$/);
    rejects({ ...CALICO_G2, action: 'constructor' }, /^action: /);
    rejects({ ...CALICO_G2, proto: 'carrier-pigeon' }, /^proto: unknown protocol/);
  });

  it('rejects wrong types, naming the field', () => {
    rejects({ ...CALICO_G2, start_time: '2024-01-01' }, /^start_time: expected Unix seconds/);
    rejects({ ...CALICO_G2, packets_in: '3' }, /^packets_in: expected a non-negative integer, got "3"$/);
    rejects({ ...CALICO_G2, source_name: 7 }, /^source_name: expected a string, got 7$/);
    rejects({ ...CALICO_G2, source_labels: ['app=x'] }, /^source_labels: expected \{"labels": \[\.\.\.\]\} or "-"/);
    rejects({ ...CALICO_G2, dest_labels: { labels: ['novalue'] } }, /^dest_labels\.labels\[0\]: expected "key=value"/);
    rejects({ ...CALICO_G2, policies: { enforced_policies: '0|t|gnp:t.a|allow|0' } }, /^policies\.enforced_policies: expected an array/);
    rejects({ ...CALICO_G2, policies: { pending_policies: [3] } }, /^policies\.pending_policies\[0\]: expected a string/);
    rejects([CALICO_G2], /^\(record\): expected a JSON object, got an array$/);
    rejects({ ...CALICO_G2, start_time: 1700000000000 }, /^start_time: .*milliseconds/);
    rejects({ ...CALICO_G2, end_time: 1600000000 }, /^end_time: is before start_time$/);
    rejects({ ...CALICO_G2, dest_port: 70000 }, /^dest_port: port out of range/);
  });

  it('rejects negative counters', () => {
    rejects({ ...CALICO_G2, bytes_out: -1 }, /^bytes_out: must not be negative, got -1$/);
    rejects({ ...CALICO_G2, num_flows_completed: -5 }, /^num_flows_completed: must not be negative/);
  });

  it('rejects a malformed hit string with the engine\'s reason, naming the list and position', () => {
    rejects({ ...CALICO_G2, policies: { enforced_policies: ['0|default|shop/default.a|allow|0', 'x|default|default.a|allow|0'] } },
      /^policies\.enforced_policies\[1\]: invalid policy hit "x\|default\|default\.a\|allow\|0": index: not an integer/);
    rejects({ ...CALICO_AGGREGATED, policies: { all_policies: ['0|default|default.a|maybe'] } }, /^policies\.all_policies\[0\]: .*action/);
    rejects({ ...CALICO_G3, policies: { pending_policies: ['0|t|np:t.nonamespace|allow|0'] } }, /^policies\.pending_policies\[0\]: .*needs a namespace/);
  });

  it('names the line of a bad record in NDJSON and rejects the whole message', () => {
    assert.throws(() => parser.parse(buf(CALICO_G2, { ...CALICO_G3, dest_ip: 'nope' })), /^MalformedEventError: line 2: dest_ip: "nope" is not an IP address$/);
    assert.throws(() => parser.parse(buf(CALICO_G2, '{"start_time": ')), /^MalformedEventError: line 2: not JSON/);
  });

  it('rejects an oversized message before parsing it', () => {
    const small = new CalicoFlowLogParser(100);
    assert.throws(() => small.parse(Buffer.from('x'.repeat(101))), /message is 101 bytes, over the 100-byte limit/);
  });
});
