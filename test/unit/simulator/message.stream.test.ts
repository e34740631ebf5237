import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import schema from '../../../docs/flow-event.schema.json';
import { parsePolicyHitString, parsePolicyHitStrings } from '../../../src/policy';
import { goldmaneFlowToRecord } from '../../../src/ingest/formats/goldmane-flow.parser';
import { generateCluster } from '../../../src/simulator/cluster.generator';
import { MALFORMED_KINDS } from '../../../src/simulator/expected.counts';
import { MessageStream, SimMessage, StreamOptions } from '../../../src/simulator/message.stream';
import { OutputFormat } from '../../../src/simulator/record.encoders';
import { TrafficGenerator } from '../../../src/simulator/traffic.generator';
import { FlowEventParser } from '../../../src/ingest/flow-event.parser';

function stream(format: OutputFormat, opts: Partial<StreamOptions> = {}, traffic = {}): MessageStream {
  const g = new TrafficGenerator(generateCluster('demo'), { unexpectedRatio: 0.2, ...traffic });
  return new MessageStream(g, { format, linesPerMessage: 1, malformedRatio: 0, malformedKinds: [], seed: 1, ...opts });
}

function flowLines(msgs: SimMessage[]): string[] {
  return msgs.filter((m) => m.topic === 'flows' && m.value !== null).flatMap((m) => (m.value as string).split('\n'));
}

describe('MessageStream', () => {
  it('sends the inventory first, keyed kind/namespace/name, cluster-scoped with an empty namespace', () => {
    const msgs = stream('flowscope').pull(2000);
    const firstFlow = msgs.findIndex((m) => m.topic === 'flows');
    assert.ok(firstFlow > 100);
    assert.ok(msgs.slice(0, firstFlow).every((m) => m.topic === 'inventory'));
    const keys = msgs.slice(0, firstFlow).map((m) => m.key);
    assert.ok(keys.includes('Namespace//kube-system'));
    assert.ok(keys.includes('GlobalNetworkPolicy//security.block-threat-feeds'));
    assert.ok(keys.some((k) => /^Pod\/shop\/shop-api-/.test(k)));
    const ns = JSON.parse(msgs[0].value as string);
    assert.equal(`${ns.kind}/${ns.metadata.namespace ?? ''}/${ns.metadata.name}`, msgs[0].key);
  });

  it('every flowscope record validates against docs/flow-event.schema.json and the ingest parser; hits parse', () => {
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const parser = new FlowEventParser(1024 * 1024);
    const s = stream('flowscope', {}, { staleRatio: 0.05, unknownEndpointRatio: 0.05 });
    const lines = flowLines(s.pull(20000));
    let logs = 0;
    for (const l of lines) {
      const e = JSON.parse(l) as { action: string; policies: { enforced: string[]; pending: string[] } };
      assert.ok(validate(e), JSON.stringify(validate.errors));
      assert.equal(parser.parse(Buffer.from(l)).length, 1);
      if (e.action === 'log') {
        logs++;
        assert.match(e.policies.enforced[0], /^\d+\|security\|gnp:security\.log-external-egress\|log\|0$/);
        continue;
      }
      const hits = parsePolicyHitStrings(e.policies.enforced);
      assert.equal(hits[hits.length - 1].action, e.action, l);
      parsePolicyHitStrings(e.policies.pending);
    }
    assert.ok(logs > 0);
  });

  it('packs NDJSON lines per reporting node, and calico stays one record per message', () => {
    const ms = stream('flowscope', { linesPerMessage: 25 }).pull(3000).filter((m) => m.topic === 'flows');
    for (const m of ms) {
      const lines = (m.value as string).split('\n');
      assert.equal(lines.length, 25);
      assert.equal(m.records, 25);
      for (const l of lines) assert.equal(JSON.parse(l).node, m.key);
    }
    const cal = stream('calico', { linesPerMessage: 25 }).pull(3000).filter((m) => m.topic === 'flows');
    assert.ok(cal.every((m) => !(m.value as string).includes('\n')));
  });

  it('calico records carry the documented fields, types and G2 hit strings', () => {
    const lines = flowLines(stream('calico').pull(5000));
    const types = new Set<string>();
    for (const l of lines) {
      const r = JSON.parse(l);
      for (const f of ['start_time', 'end_time', 'action', 'reporter', 'source_ip', 'source_port', 'source_name', 'source_name_aggr', 'source_namespace',
        'source_type', 'source_labels', 'dest_ip', 'dest_port', 'dest_name', 'dest_name_aggr', 'dest_namespace', 'dest_type', 'dest_labels',
        'dest_service_name', 'proto', 'policies', 'packets_in', 'packets_out', 'bytes_in', 'bytes_out', 'num_flows', 'num_flows_started',
        'num_flows_completed', 'host']) assert.ok(f in r, `${f} missing`);
      assert.ok(['allow', 'deny'].includes(r.action));
      assert.ok(['src', 'dst'].includes(r.reporter));
      types.add(r.source_type).add(r.dest_type);
      assert.equal(r.end_time - r.start_time, 300);
      for (const h of r.policies.enforced_policies) assert.equal(h.split('|').length, 5);
      const hits = parsePolicyHitStrings(r.policies.enforced_policies);
      assert.equal(hits[hits.length - 1].action, r.action);
    }
    assert.deepEqual([...types].sort(), ['hep', 'net', 'ns', 'wep']);
  });

  it('goldmane records use integer enums and no IPs', () => {
    const lines = flowLines(stream('goldmane').pull(5000));
    for (const l of lines) {
      const f = JSON.parse(l);
      assert.ok(!/"(source_ip|dest_ip|source_port)"/.test(l));
      assert.ok([1, 2].includes(f.Key.action) && [1, 2].includes(f.Key.reporter));
      assert.ok([1, 2, 3, 4].includes(f.Key.source_type) && [1, 2, 3, 4].includes(f.Key.dest_type));
      const hits = goldmaneFlowToRecord(f).enforcedHits.map(parsePolicyHitString);
      assert.equal(hits[hits.length - 1].action, f.Key.action === 1 ? 'allow' : 'deny');
      for (const h of f.Key.policies.enforced_policies) {
        assert.ok([1, 2, 3, 6, 9, 10].includes(h.kind) && [1, 2, 3].includes(h.action));
        // End-of-tier hits as Felix sends them: kind EndOfTier, no name, a trigger.
        if (h.rule_index === -1 && h.kind !== 9) assert.ok(h.kind === 10 && h.name === undefined && h.trigger?.name);
      }
    }
  });

  it('expected counts add up to the records emitted, per verdict and per deciding hit', () => {
    const s = stream('flowscope', { linesPerMessage: 7 });
    const lines = flowLines([...s.pull(4000), ...s.flush()]);
    const c = s.counts;
    assert.equal(c.records, lines.length);
    const verdicts = { allow: 0, deny: 0, log: 0 };
    const byHit = new Map<string, number>();
    for (const l of lines) {
      const e = JSON.parse(l);
      verdicts[e.action as 'allow']++;
      const h = e.policies.enforced[e.policies.enforced.length - 1].split('|');
      byHit.set(`${h[1]}|${h[2]}|${h[3]}`, (byHit.get(`${h[1]}|${h[2]}|${h[3]}`) ?? 0) + 1);
    }
    assert.deepEqual(c.byVerdict, verdicts);
    assert.equal([...c.byHit.values()].reduce((a, b) => a + b, 0), lines.length);
    assert.equal(c.byHit.size, byHit.size);
  });

  it('error injection produces exactly what it counts, each kind rejected by the ingest parser', () => {
    const s = stream('flowscope', { malformedRatio: 0.1, malformedKinds: MALFORMED_KINDS });
    const parser = new FlowEventParser(1024 * 1024);
    const msgs = [...s.pull(3000), ...s.flush()].filter((m) => m.topic === 'flows');
    let bad = 0;
    for (const m of msgs) {
      try {
        parser.parse(Buffer.from(m.value as string));
      } catch {
        bad++;
      }
    }
    assert.equal(bad, s.counts.malformedTotal);
    for (const k of MALFORMED_KINDS) assert.ok(s.counts.malformed[k] > 0, `no ${k}`);
    assert.equal(s.counts.records + s.counts.malformedTotal, msgs.length);
  });
});
