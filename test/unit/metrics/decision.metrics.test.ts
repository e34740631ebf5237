import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttributedFlow } from '../../../src/attribution/attributed-flow';
import { loadConfig } from '../../../src/config/config.loader';
import { BoundedLabel } from '../../../src/metrics/bounded-label';
import { DecisionMetrics } from '../../../src/metrics/decision.metrics';
import { IngestMetrics } from '../../../src/metrics/ingest.metrics';

function stored(action: string, policy: string, over: { tier?: string; reporter?: string; mismatch?: boolean; unknownEndpoint?: boolean } = {}): AttributedFlow {
  return {
    record: { action, reporter: over.reporter ?? 'dst' },
    attribution: {
      decision: { kind: 'rule', tier: over.tier ?? 'default', tierOrder: null, policy, policyOrder: null, ruleIndex: 0, rule: '' },
      verdictMismatch: over.mismatch ?? false,
      unknownEndpoint: over.unknownEndpoint ?? false,
    },
  } as unknown as AttributedFlow;
}

async function values(metrics: IngestMetrics, name: string): Promise<Array<{ labels: Record<string, string | number>; value: number }>> {
  const metric = metrics.registry.getSingleMetric(name);
  assert.ok(metric, `${name} is registered`);
  return (await metric.get()).values.map((v) => ({ labels: { ...v.labels } as Record<string, string | number>, value: v.value }));
}

function setup(topPolicies: number) {
  const ingest = new IngestMetrics();
  const config = loadConfig({ FLOWSCOPE_METRICS_TOP_POLICIES: String(topPolicies) });
  return { ingest, decisions: new DecisionMetrics(config, ingest) };
}

describe('BoundedLabel', () => {
  it('admits the first N distinct values and folds the rest into other, for good', () => {
    const label = new BoundedLabel(2);
    assert.equal(label.of('a'), 'a');
    assert.equal(label.of('b'), 'b');
    assert.equal(label.of('c'), 'other');
    assert.equal(label.of('a'), 'a', 'an admitted value keeps its label');
    assert.equal(label.of('c'), 'other', 'a folded value stays folded');
    assert.equal(label.size, 2);
  });

  it('never holds more than its limit, whatever the input (property)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const limit = 1 + (seed % 7);
      const label = new BoundedLabel(limit);
      const seen = new Set<string>();
      let x = seed;
      for (let i = 0; i < 200; i++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        seen.add(label.of(`p${x % 20}`));
      }
      seen.delete('other');
      assert.ok(seen.size <= limit, `seed ${seed}: ${seen.size} labels for a limit of ${limit}`);
    }
  });
});

describe('DecisionMetrics', () => {
  it('counts stored records by action, reporter, tier and policy', async () => {
    const { ingest, decisions } = setup(10);
    decisions.recordStored([
      stored('deny', 'GlobalNetworkPolicy//security.deny-all', { tier: 'security' }),
      stored('deny', 'GlobalNetworkPolicy//security.deny-all', { tier: 'security' }),
      stored('allow', 'NetworkPolicy/shop/default.web', { reporter: 'src' }),
    ]);
    const got = await values(ingest, 'flowscope_decision_records_total');
    assert.deepEqual(
      got.sort((a, b) => b.value - a.value),
      [
        { labels: { action: 'deny', reporter: 'dst', tier: 'security', policy: 'GlobalNetworkPolicy//security.deny-all' }, value: 2 },
        { labels: { action: 'allow', reporter: 'src', tier: 'default', policy: 'NetworkPolicy/shop/default.web' }, value: 1 },
      ],
    );
  });

  it('folds policies beyond the top-N into other, keeping the total', async () => {
    const { ingest, decisions } = setup(2);
    decisions.recordStored(['p1', 'p2', 'p3', 'p4', 'p1', 'p3'].map((p) => stored('deny', p)));
    const got = await values(ingest, 'flowscope_decision_records_total');
    const byPolicy = Object.fromEntries(got.map((v) => [v.labels.policy, v.value]));
    assert.deepEqual(byPolicy, { p1: 2, p2: 1, other: 3 });
  });

  it('counts verdict mismatches and unknown endpoints', async () => {
    const { ingest, decisions } = setup(10);
    decisions.recordStored([
      stored('deny', 'p1', { mismatch: true }),
      stored('allow', 'p1', { mismatch: true, unknownEndpoint: true }),
      stored('allow', 'p2'),
    ]);
    assert.deepEqual(await values(ingest, 'flowscope_decision_verdict_mismatch_total'), [{ labels: { tier: 'default', policy: 'p1' }, value: 2 }]);
    assert.deepEqual(await values(ingest, 'flowscope_decision_unknown_endpoint_total'), [{ labels: { action: 'allow' }, value: 1 }]);
  });

  it('counts a batch exactly as one update per row would, shared decisions and top-N included (property)', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const top = 1 + (seed % 5);
      const { ingest, decisions } = setup(top);
      // Attribution shares decision objects between rows; some rows here share, some do not.
      const shared = new Map<string, AttributedFlow['attribution']['decision']>();
      let x = seed;
      const next = (n: number) => ((x = (x * 1103515245 + 12345) % 2147483648), x % n);
      const batches: AttributedFlow[][] = [];
      for (let b = 0; b < 3; b++) {
        const rows: AttributedFlow[] = [];
        for (let i = 0; i < 60; i++) {
          const f = stored(['allow', 'deny', 'log'][next(3)], `p${next(9)}`, { tier: `t${next(3)}`, reporter: ['src', 'dst'][next(2)], mismatch: next(4) === 0, unknownEndpoint: next(5) === 0 });
          const key = `${f.attribution.decision.tier}/${f.attribution.decision.policy}`;
          if (next(2) === 0) f.attribution.decision = shared.get(key) ?? (shared.set(key, f.attribution.decision), f.attribution.decision);
          rows.push(f);
        }
        batches.push(rows);
      }
      // The oracle: labels admitted row by row, in order.
      const policies = new BoundedLabel(top);
      const tiers = new BoundedLabel(100);
      const want = { records: new Map<string, number>(), mismatches: new Map<string, number>(), unknown: new Map<string, number>() };
      const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
      for (const rows of batches) {
        for (const f of rows) {
          const tier = tiers.of(f.attribution.decision.tier);
          const policy = policies.of(f.attribution.decision.policy);
          add(want.records, `${f.record.action} ${f.record.reporter} ${tier} ${policy}`);
          if (f.attribution.verdictMismatch) add(want.mismatches, `${tier} ${policy}`);
          if (f.attribution.unknownEndpoint) add(want.unknown, f.record.action);
        }
        decisions.recordStored(rows);
      }
      const got = async (name: string, key: (l: Record<string, string | number>) => string) => new Map((await values(ingest, name)).map((v) => [key(v.labels), v.value]));
      assert.deepEqual(await got('flowscope_decision_records_total', (l) => `${l.action} ${l.reporter} ${l.tier} ${l.policy}`), want.records, `seed ${seed}`);
      assert.deepEqual(await got('flowscope_decision_verdict_mismatch_total', (l) => `${l.tier} ${l.policy}`), want.mismatches, `seed ${seed}`);
      assert.deepEqual(await got('flowscope_decision_unknown_endpoint_total', (l) => String(l.action)), want.unknown, `seed ${seed}`);
    }
  });

  it('rejects a top-N below one at start', () => {
    assert.throws(() => loadConfig({ FLOWSCOPE_METRICS_TOP_POLICIES: '0' }), /FLOWSCOPE_METRICS_TOP_POLICIES/);
  });
});
