import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { AttributedFlow, Attribution } from '../attribution/attributed-flow';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { BoundedLabel } from './bounded-label';
import { IngestMetrics } from './ingest.metrics';

/** Tiers are few by design; the bound only protects against a flood of bogus reported names. */
const MAX_TIERS = 100;

/**
 * What decided the stored flows, for Prometheus and its alerts. Counted once per stored row (after
 * the insert succeeded), so over the same window these counters agree with the stats API, which
 * reads the same rows through the rollups. Deciding policies beyond the configured top-N fold
 * into `other` (see BoundedLabel).
 */
@Injectable()
export class DecisionMetrics {
  private readonly policies: BoundedLabel;
  private readonly tiers = new BoundedLabel(MAX_TIERS);

  readonly records: Counter<'action' | 'reporter' | 'tier' | 'policy'>;
  readonly mismatches: Counter<'tier' | 'policy'>;
  readonly unknownEndpoints: Counter<'action'>;

  constructor(@Inject(APP_CONFIG) config: AppConfig, metrics: IngestMetrics) {
    this.policies = new BoundedLabel(config.metrics.topPolicies);
    const registers = [metrics.registry];
    this.records = new Counter({
      name: 'flowscope_decision_records_total',
      help: 'Stored flow records by action, reporter, deciding tier and deciding policy (policies beyond the top-N as "other")',
      labelNames: ['action', 'reporter', 'tier', 'policy'],
      registers,
    });
    this.mismatches = new Counter({
      name: 'flowscope_decision_verdict_mismatch_total',
      help: 'Stored flow records whose reported (dataplane) and computed verdicts disagree, by deciding tier and policy',
      labelNames: ['tier', 'policy'],
      registers,
    });
    this.unknownEndpoints = new Counter({
      name: 'flowscope_decision_unknown_endpoint_total',
      help: 'Stored flow records with an endpoint not in the inventory at their time, by action',
      labelNames: ['action'],
      registers,
    });
  }

  /**
   * Call once per successfully stored batch with exactly the rows that were stored. Rows are
   * counted per deciding decision (attribution shares one object per decision), action and
   * reporter, then added once each: a counter update per row was 6% of ingest's JavaScript time in
   * the profile, and a batch has a few dozen distinct label sets.
   */
  recordStored(flows: readonly AttributedFlow[]): void {
    const byDecision = new Map<Attribution['decision'], { rows: Map<string, { action: string; reporter: string; n: number }>; mismatches: number }>();
    const unknown = new Map<string, number>();
    for (const flow of flows) {
      const { decision, verdictMismatch, unknownEndpoint } = flow.attribution;
      const { action, reporter } = flow.record;
      let counts = byDecision.get(decision);
      if (!counts) byDecision.set(decision, (counts = { rows: new Map(), mismatches: 0 }));
      const key = `${action}|${reporter}`;
      const row = counts.rows.get(key);
      if (row) row.n++;
      else counts.rows.set(key, { action, reporter, n: 1 });
      if (verdictMismatch) counts.mismatches++;
      if (unknownEndpoint) unknown.set(action, (unknown.get(action) ?? 0) + 1);
    }
    // Decisions in the order rows first named them, so the top-N policies are admitted as a
    // per-row update would admit them.
    for (const [decision, counts] of byDecision) {
      const tier = this.tiers.of(decision.tier);
      const policy = this.policies.of(decision.policy);
      for (const { action, reporter, n } of counts.rows.values()) this.records.inc({ action, reporter, tier, policy }, n);
      if (counts.mismatches > 0) this.mismatches.inc({ tier, policy }, counts.mismatches);
    }
    for (const [action, n] of unknown) this.unknownEndpoints.inc({ action }, n);
  }
}
