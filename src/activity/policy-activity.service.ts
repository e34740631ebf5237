import { Injectable } from '@nestjs/common';
import { describeRule } from '../attribution/flow.attributor';
import { InventoryService } from '../inventory/inventory.service';
import { ActivityWindow, PolicyActivityRepository, RuleActivityRow } from '../storage/policy-activity.repository';

export type RuleDirection = 'ingress' | 'egress' | 'forward';

export interface RuleActivity {
  direction: RuleDirection;
  /** >= 0 a rule, -1 the end of the tier (no rule matched), -2 unknown */
  ruleIndex: number;
  /** The rule as the policy states it now; null when the policy or rule is unknown. */
  rule: unknown;
  /** Hits in the attributed traces (the enforced evaluation). */
  hits: number;
  /** Flows decided by this rule with staged policies enforced (how a staged policy's rules are counted). */
  pendingHits: number;
  /** Matches of this rule as a Log rule. */
  logHits: number;
  /** Trace hits by action (allow, deny, pass). */
  byAction: Record<string, number>;
  flows: number;
  firstSeen: string | null;
  lastSeen: string | null;
}

export interface PolicyActivity {
  policy: string;
  known: boolean;
  staged: boolean;
  tier: string | null;
  rules: RuleActivity[];
  topPeers: Array<{ srcNamespace: string; src: string; dstNamespace: string; dst: string; records: number; flows: number; lastSeen: string }>;
}

/** Rule numbers restart per direction: the reporter says which list a rule index is in. */
const DIRECTION: Record<string, RuleDirection> = { src: 'egress', dst: 'ingress', fwd: 'forward' };

/**
 * "Is this rule used?": every rule of the policy as it stands (unused ones with zero hits), with its
 * hits per direction over a window, staged and Log hits counted too, and the busiest peers.
 */
@Injectable()
export class PolicyActivityService {
  constructor(
    private readonly activity: PolicyActivityRepository,
    private readonly inventory: InventoryService,
  ) {}

  async of(policy: string, w: ActivityWindow, topPeers: number): Promise<PolicyActivity> {
    const [rows, peers] = await Promise.all([this.activity.rules(policy, w), this.activity.topPeers(policy, w, topPeers)]);
    const resource = this.inventory.snapshotAt(w.to.getTime() - 1).policy(policy);
    const byRule = new Map<string, RuleActivity>();
    const entry = (direction: RuleDirection, ruleIndex: number): RuleActivity => {
      const k = `${direction}/${ruleIndex}`;
      let e = byRule.get(k);
      if (!e) {
        const list = direction === 'egress' ? resource?.egress : direction === 'ingress' ? resource?.ingress : undefined;
        const rule = ruleIndex >= 0 ? list?.[ruleIndex] : undefined;
        e = { direction, ruleIndex, rule: rule ? (JSON.parse(describeRule(rule)) as unknown) : null, hits: 0, pendingHits: 0, logHits: 0, byAction: {}, flows: 0, firstSeen: null, lastSeen: null };
        byRule.set(k, e);
      }
      return e;
    };
    for (const dir of ['ingress', 'egress'] as const) resource?.[dir].forEach((_, i) => entry(dir, i));
    for (const r of rows) add(entry(DIRECTION[r.reporter] ?? 'forward', r.ruleIndex), r);
    const order: Record<RuleDirection, number> = { ingress: 0, egress: 1, forward: 2 };
    return {
      policy,
      known: resource !== undefined,
      staged: resource?.staged ?? policy.startsWith('Staged'),
      tier: resource?.tier ?? null,
      rules: [...byRule.values()].sort((a, b) => order[a.direction] - order[b.direction] || a.ruleIndex - b.ruleIndex),
      topPeers: peers.map((p) => ({ ...p, lastSeen: new Date(p.lastSeen).toISOString() })),
    };
  }
}

function add(e: RuleActivity, r: RuleActivityRow): void {
  if (r.source === 'trace') {
    e.hits += r.hits;
    e.flows += r.flows;
    e.byAction[r.action] = (e.byAction[r.action] ?? 0) + r.hits;
  } else if (r.source === 'pending') {
    e.pendingHits += r.hits;
  } else {
    e.logHits += r.hits;
    e.flows += r.flows;
  }
  const first = new Date(r.firstSeen).toISOString();
  const last = new Date(r.lastSeen).toISOString();
  if (e.firstSeen === null || first < e.firstSeen) e.firstSeen = first;
  if (e.lastSeen === null || last > e.lastSeen) e.lastSeen = last;
}
