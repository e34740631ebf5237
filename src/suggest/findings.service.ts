import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { InventoryService } from '../inventory/inventory.service';
import { isPolicy, PodResource } from '../policy';
import { AnalysisWindow, NamespaceScope, SuggestRepository } from '../storage/suggest.repository';
import { Finding, FINDING_KINDS, FindingKind } from './finding.types';
import { staticFindings } from './static-analysis';
import { overBroadFindings, PolicyVersion, unprotectedFindings, unusedFindings, WorkloadInventory } from './findings';

export interface FindingsQuery {
  window: AnalysisWindow;
  namespace?: string;
  tier?: string;
  policy?: string;
  kinds?: readonly FindingKind[];
  /** Wall-clock budget (ms): analyses not finished by then are left out and the result marked partial. */
  timeLimitMs?: number;
}

export interface FindingsResult {
  items: Finding[];
  /** The time limit stopped the analyses: kinds missing from `covered` were not (fully) looked for. */
  partial: boolean;
  /** Kinds asked for whose analysis ran to the end. */
  covered: FindingKind[];
}

/** What the analyses read for one window: the inventory at its end and the grouped traffic. */
export interface AnalysisInputs {
  policies: PolicyVersion[];
  workloads: WorkloadInventory;
}

const inScope = (ns: string, scope: NamespaceScope) => scope === null || (ns !== '' && scope.includes(ns));

/** Findings over a window: unused and recently changed rules, unprotected workloads, over-broad allows. */
@Injectable()
export class FindingsService {
  private readonly logger = new Logger(FindingsService.name);

  constructor(
    private readonly inventory: InventoryService,
    private readonly repository: SuggestRepository,
    private readonly clock: Clock,
  ) {}

  /** The inventory in force at the end of the window, narrowed to the query's policies and the caller's scope. */
  inputs(q: FindingsQuery, scope: NamespaceScope): AnalysisInputs {
    const at = q.window.to.getTime() - 1;
    const versions = this.inventory.timeline.versionsAt(at);
    const policies: PolicyVersion[] = [];
    const pods: PodResource[] = [];
    const namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
    for (const { version, resource: r } of versions) {
      if (r.kind === 'Pod') pods.push(r);
      else if (r.kind === 'Namespace') namespaceLabels.set(r.name, r.labels);
      else if (isPolicy(r)) {
        if (!inScope(r.namespace, scope)) continue;
        if (q.namespace !== undefined && r.namespace !== q.namespace) continue;
        if (q.tier !== undefined && r.tier !== q.tier) continue;
        if (q.policy !== undefined && r.key !== q.policy) continue;
        policies.push({ resource: r, since: version.validFrom, manifest: version.manifest });
      }
    }
    policies.sort((a, b) => (a.resource.key < b.resource.key ? -1 : 1));
    return { policies, workloads: { pods, namespaceLabels } };
  }

  async findings(q: FindingsQuery, scope: NamespaceScope = null): Promise<FindingsResult> {
    const want = (k: FindingKind) => !q.kinds || q.kinds.length === 0 || q.kinds.includes(k);
    const now = () => this.clock.now().getTime();
    const deadline = q.timeLimitMs === undefined ? undefined : now() + q.timeLimitMs;
    const w = { from: q.window.from.getTime(), to: q.window.to.getTime() };
    const { policies, workloads } = this.inputs(q, scope);
    const out: Finding[] = [];
    const covered: FindingKind[] = [];
    let partial = false;
    // Each analysis starts only while time is left; one that starts runs to its end (the static one checks as it goes).
    const stage = async (kinds: FindingKind[], run: () => Promise<boolean | void>) => {
      const asked = kinds.filter(want);
      if (asked.length === 0) return;
      if (partial || (deadline !== undefined && now() > deadline)) {
        partial = true;
        return;
      }
      const complete = (await run()) !== false;
      if (complete) covered.push(...asked);
      else partial = true;
      this.logger.debug(`findings: ${asked.join(', ')} ${complete ? 'done' : 'stopped at the time limit'}`);
    };
    await stage(['unused', 'changed-recently'], async () => {
      const use = await this.repository.ruleUse(q.window, scope);
      out.push(...unusedFindings(policies, use, w).filter((f) => want(f.kind)));
    });
    if (q.tier === undefined && q.policy === undefined) {
      await stage(['unprotected'], async () => {
        const edges = await this.repository.edges(q.window, scope, { decisionKinds: ['profile', 'no-profile'], namespace: q.namespace });
        out.push(...unprotectedFindings(edges.filter((e) => q.namespace === undefined || e.localNamespace === q.namespace), w));
      });
    } else if (want('unprotected')) covered.push('unprotected'); // no workload is unprotected by a policy or tier filter
    await stage(['over-broad'], async () => {
      const edges = await this.repository.edges(q.window, scope, { decisionKinds: ['rule'], action: 'allow', policy: q.policy, namespace: q.namespace });
      out.push(...overBroadFindings(policies, edges, workloads, w));
    });
    await stage(['shadowed', 'redundant', 'generalization', 'correlation'], async () => {
      const keys = new Set(policies.map((p) => p.resource.key));
      const snap = this.inventory.snapshotAt(w.to - 1).engine;
      const r = staticFindings(snap, { report: (p) => keys.has(p.key), window: w, deadline, now });
      out.push(...r.findings.filter((f) => want(f.kind)));
      return !r.partial;
    });
    return { items: out, partial, covered: FINDING_KINDS.filter((k) => covered.includes(k)) };
  }
}
