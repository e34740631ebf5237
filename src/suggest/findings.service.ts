import { Injectable } from '@nestjs/common';
import { InventoryService } from '../inventory/inventory.service';
import { isPolicy, PodResource } from '../policy';
import { AnalysisWindow, NamespaceScope, SuggestRepository } from '../storage/suggest.repository';
import { Finding, FindingKind } from './finding.types';
import { staticFindings } from './static-analysis';
import { overBroadFindings, PolicyVersion, unprotectedFindings, unusedFindings, WorkloadInventory } from './findings';

export interface FindingsQuery {
  window: AnalysisWindow;
  namespace?: string;
  tier?: string;
  policy?: string;
  kinds?: readonly FindingKind[];
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
  constructor(
    private readonly inventory: InventoryService,
    private readonly repository: SuggestRepository,
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

  async findings(q: FindingsQuery, scope: NamespaceScope = null): Promise<Finding[]> {
    const want = (k: FindingKind) => !q.kinds || q.kinds.length === 0 || q.kinds.includes(k);
    const w = { from: q.window.from.getTime(), to: q.window.to.getTime() };
    const { policies, workloads } = this.inputs(q, scope);
    const out: Finding[] = [];
    if (want('unused') || want('changed-recently')) {
      const use = await this.repository.ruleUse(q.window, scope);
      out.push(...unusedFindings(policies, use, w).filter((f) => want(f.kind)));
    }
    if (want('unprotected') && q.tier === undefined && q.policy === undefined) {
      const edges = await this.repository.edges(q.window, scope, { decisionKinds: ['profile', 'no-profile'], namespace: q.namespace });
      out.push(...unprotectedFindings(edges.filter((e) => q.namespace === undefined || e.localNamespace === q.namespace), w));
    }
    if (want('over-broad')) {
      const edges = await this.repository.edges(q.window, scope, { decisionKinds: ['rule'], action: 'allow', policy: q.policy, namespace: q.namespace });
      out.push(...overBroadFindings(policies, edges, workloads, w));
    }
    const coverKinds: FindingKind[] = ['shadowed', 'redundant', 'generalization', 'correlation'];
    if (coverKinds.some(want)) {
      const keys = new Set(policies.map((p) => p.resource.key));
      const snap = this.inventory.snapshotAt(w.to - 1).engine;
      const r = staticFindings(snap, { report: (p) => keys.has(p.key), window: w });
      out.push(...r.findings.filter((f) => want(f.kind)));
    }
    return out;
  }
}
