import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calicoFlowLogToRecord } from '../../../../src/ingest/formats/calico-flow-log.parser';
import { GoldmaneFlowParser, goldmaneFlowToRecord } from '../../../../src/ingest/formats/goldmane-flow.parser';
import { RecordDecoder } from '../../../../src/ingest/formats/record.decoder';
import { FlowEventParser } from '../../../../src/ingest/flow-event.parser';
import { MalformedEventError } from '../../../../src/ingest/malformed-event.error';
import { parsePolicyHitString } from '../../../../src/policy';
import { CALICO_EXTRAS, CALICO_FWD, FELIX_EOT_DENY, FELIX_GNP_EOT, FELIX_STAGED_EOT } from './felix-fixtures';
import { CALICO_G2, FLOWSCOPE, GOLDMANE_INT, buf } from './fixtures';

const goldmane = new GoldmaneFlowParser(1 << 20);

function withPolicies(policies: Record<string, unknown>): unknown {
  return { ...FELIX_EOT_DENY, Key: { ...FELIX_EOT_DENY.Key, policies } };
}

describe('records as Felix emits them to Goldmane', () => {
  it('reads an end-of-tier hit (kind EndOfTier, no name) as its trigger with rule -1', () => {
    const r = goldmaneFlowToRecord(FELIX_EOT_DENY);
    assert.deepEqual(r.enforcedHits, ['0|tier1|np:web/tier1.policy1|pass|0', '1|default|knp:web/allow-nginx|deny|-1']);
    const decisive = parsePolicyHitString(r.enforcedHits[1]);
    assert.deepEqual([decisive.kind, decisive.namespace, decisive.name, decisive.action, decisive.ruleIndex],
      ['KubernetesNetworkPolicy', 'web', 'knp.default.allow-nginx', 'deny', -1]);
  });

  it('renders every trigger kind as Calico does, in enforced and pending traces, integer or named enums, int64 as text', () => {
    const r = goldmaneFlowToRecord(withPolicies({ enforced_policies: [FELIX_GNP_EOT], pending_policies: [FELIX_STAGED_EOT] }));
    assert.deepEqual(r.enforcedHits, ['2|security|gnp:security.default-deny|deny|-1']);
    assert.deepEqual(r.pendingHits, ['0|tier2|snp:default/tier2.np2-1|deny|-1']);
    const named = goldmaneFlowToRecord(withPolicies({ enforcedPolicies: [{
      kind: 'EndOfTier', tier: 'security', action: 'Deny', policyIndex: '2', ruleIndex: '-1',
      trigger: { kind: 'GlobalNetworkPolicy', name: 'security.default-deny', tier: 'security' },
    }] }));
    assert.deepEqual(named.enforcedHits, r.enforcedHits);
  });

  it('keeps the eot form of a named end-of-tier hit without trigger, and rejects one with neither', () => {
    const r = goldmaneFlowToRecord(withPolicies({ enforced_policies: [{ kind: 10, name: '__NO_MATCH__', tier: 'default', action: 2, rule_index: -1 }] }));
    assert.deepEqual(r.enforcedHits, ['0|default|eot:__NO_MATCH__|deny|-1']);
    assert.throws(() => goldmane.parse(buf(withPolicies({ enforced_policies: [{ kind: 10, tier: 'default', action: 2, rule_index: -1 }] }))),
      (err: unknown) => err instanceof MalformedEventError && /^Key\.policies\.enforced_policies\[0\]\.trigger: an EndOfTier hit needs a trigger/.test(err.message));
    assert.throws(() => goldmane.parse(buf(withPolicies({ enforced_policies: [{ ...FELIX_GNP_EOT, trigger: { kind: 2, tier: 'security' } }] }))),
      /enforced_policies\[0\]\.trigger\.name: is empty/);
  });

  it('stores a whole emitter batch of end-of-tier denies', () => {
    const batch = Array.from({ length: 50 }, (_, i) => ({ ...FELIX_EOT_DENY, start_time: FELIX_EOT_DENY.start_time + i, end_time: FELIX_EOT_DENY.end_time + i }));
    const records = goldmane.parse(buf(...batch));
    assert.equal(records.length, 50);
    assert.ok(records.every((r) => r.action === 'deny' && r.enforcedHits[1] === '1|default|knp:web/allow-nginx|deny|-1'));
  });

  it('reads `-` as nothing: namespaces of outside networks, host endpoints and global sets, and every service field', () => {
    const r = goldmaneFlowToRecord(FELIX_EOT_DENY);
    assert.deepEqual([r.src.type, r.src.namespace, r.src.aggregatedName], ['net', '', 'pvt']);
    assert.equal(r.dstService, undefined, 'no service invented from `-`');
    const hep = goldmaneFlowToRecord({ ...GOLDMANE_INT, Key: { ...GOLDMANE_INT.Key, source_type: 2, source_namespace: '-', source_name: 'node-1-eth0' } });
    assert.equal(hep.src.namespace, '');
    const partial = goldmaneFlowToRecord({ ...GOLDMANE_INT, Key: { ...GOLDMANE_INT.Key, dest_service_port_name: '-' } });
    assert.deepEqual(partial.dstService, { name: 'nginx', namespace: 'web', portName: '', port: 80 });
  });

  it("counts flows as Felix does: num_connections_live holds Calico's num_flows", () => {
    const r = goldmaneFlowToRecord(FELIX_EOT_DENY);
    assert.deepEqual([r.numFlows, r.numFlowsStarted, r.numFlowsCompleted], [3, 3, 0]);
    const g = goldmaneFlowToRecord({ ...GOLDMANE_INT, num_connections_started: 5, num_connections_completed: 4, num_connections_live: 5 });
    assert.equal(g.numFlows, 5, 'not completed + live (9)');
  });

  it('reads transit_policies as the trace of a forwarded flow, and fwd as a reporter', () => {
    const transit = [{ kind: 2, name: 'host.block-ssh-forward', tier: 'host', action: 2 }];
    for (const reporter of [3, 'Fwd', 'fwd']) {
      const r = goldmaneFlowToRecord({ ...FELIX_EOT_DENY, Key: { ...FELIX_EOT_DENY.Key, reporter, policies: { transit_policies: transit } } });
      assert.equal(r.reporter, 'fwd');
      assert.deepEqual(r.enforcedHits, ['0|host|gnp:host.block-ssh-forward|deny|0']);
      assert.equal(r.details, undefined);
    }
    const both = goldmaneFlowToRecord(withPolicies({ ...FELIX_EOT_DENY.Key.policies, transit_policies: transit }));
    assert.equal(both.enforcedHits.length, 2, 'an enforced trace stays the trace');
    assert.deepEqual(both.details, { transitPolicies: ['0|host|gnp:host.block-ssh-forward|deny|0'] });
  });
});

describe('Calico Enterprise records: transit trace and extras', () => {
  it('reads transit_policies as the enforced trace of a fwd record', () => {
    const r = calicoFlowLogToRecord(CALICO_FWD);
    assert.equal(r.reporter, 'fwd');
    assert.deepEqual(r.enforcedHits, ['0|host|host.block-ssh-forward|deny|0']);
    assert.equal(r.details, undefined);
    assert.throws(() => calicoFlowLogToRecord({ ...CALICO_FWD, policies: { transit_policies: ['0|host|x'] } }), /^MalformedEventError: policies\.transit_policies\[0\]/);
  });

  it('reads process, domains, original source IPs, NAT ports, TCP statistics and HTTP counts', () => {
    const r = calicoFlowLogToRecord({ ...CALICO_EXTRAS, http_requests_allowed_in: 7, http_requests_denied_in: 1 });
    assert.deepEqual(r.details, {
      process: { name: '/usr/bin/curl', names: 1, id: '4242', ids: 1, args: ['-s', 'https://example.com/'], argsCount: 2 },
      destDomains: ['example.com', 'www.example.com'],
      originalSourceIps: ['198.51.100.4'],
      originalSourceIpCount: 1,
      natOutgoingPorts: [61000, 61001],
      tcp: {
        meanSmoothRttUs: 2100, maxSmoothRttUs: 3900, meanMinRttUs: 1800, maxMinRttUs: 2000, meanSendCongestionWindow: 10,
        minSendCongestionWindow: 10, meanMss: 1448, minMss: 1448, totalRetransmissions: 2, lostPackets: 0, unrecoveredTimeouts: 0,
      },
      http: { allowedIn: 7, deniedIn: 1 },
    });
  });

  it('has no details when the features are off (`-`, null, zeroes)', () => {
    const off = {
      ...CALICO_G2, process_name: '-', process_id: '-', process_args: ['-'], dest_domains: null, original_source_ips: null,
      num_original_source_ips: 0, nat_outgoing_ports: null, tcp_mean_smooth_rtt: 0, tcp_mean_send_congestion_window: 0, tcp_total_retransmissions: 0,
      http_requests_allowed_in: 0, http_requests_denied_in: 0,
    };
    assert.equal(calicoFlowLogToRecord(off).details, undefined);
    assert.deepEqual(calicoFlowLogToRecord({ ...off, process_id: 77 }).details, { process: { name: '', names: 0, id: '77', ids: 0, args: [], argsCount: 0 } });
  });

  it('rejects mistyped extras, naming the field', () => {
    assert.throws(() => calicoFlowLogToRecord({ ...CALICO_EXTRAS, nat_outgoing_ports: [70000] }), /^MalformedEventError: nat_outgoing_ports\[0\]: expected a port/);
    assert.throws(() => calicoFlowLogToRecord({ ...CALICO_EXTRAS, tcp_mean_smooth_rtt: 'fast' }), /^MalformedEventError: tcp_mean_smooth_rtt: expected a non-negative number/);
    assert.throws(() => calicoFlowLogToRecord({ ...CALICO_EXTRAS, original_source_ips: ['not-an-ip'] }), /original_source_ips\[0\]/);
    assert.throws(() => calicoFlowLogToRecord({ ...CALICO_EXTRAS, dest_domains: 'example.com' }), /^MalformedEventError: dest_domains: expected an array/);
  });
});

describe('a message holding one pretty-printed JSON record', () => {
  const decoder = new RecordDecoder({ format: 'auto', maxMessageBytes: 1 << 20 });

  it('is read as one record in every format', () => {
    for (const [record, format] of [[FELIX_EOT_DENY, 'goldmane'], [CALICO_EXTRAS, 'calico'], [FLOWSCOPE, 'flowscope']] as const) {
      const { format: seen, records } = decoder.decode(Buffer.from(JSON.stringify(record, null, 2)));
      assert.equal(seen, format);
      assert.equal(records.length, 1);
    }
    assert.equal(new FlowEventParser(1 << 20).parse(Buffer.from(JSON.stringify(FLOWSCOPE, null, 4))).length, 1);
    const fixed = new RecordDecoder({ format: 'goldmane', maxMessageBytes: 1 << 20 });
    assert.equal(fixed.decode(Buffer.from(JSON.stringify(FELIX_EOT_DENY, null, '\t'))).records[0].action, 'deny');
  });

  it('still reads NDJSON line by line and names the bad line', () => {
    assert.equal(decoder.decode(buf(FELIX_EOT_DENY, GOLDMANE_INT)).records.length, 2);
    assert.throws(() => decoder.decode(Buffer.from(`${JSON.stringify(GOLDMANE_INT)}\n{"Key": `)), /^MalformedEventError: line 2: not JSON/);
    assert.throws(() => decoder.decode(Buffer.from('{\n  "Key": {\n')), /^MalformedEventError: line 1: not JSON/);
  });
});
