import { Injectable } from '@nestjs/common';
import { stringify } from 'yaml';
import { Clock } from '../clock/clock';
import { InventoryService } from '../inventory/inventory.service';
import { NetworkSetResource, PolicySnapshot, Resource } from '../policy';
import { NamespaceScope, SuggestRepository, TrafficEdge } from '../storage/suggest.repository';
import { confidenceOf } from './confidence';
import { FindingsQuery, FindingsService } from './findings.service';
import { groupBy, overBroadFindings, summarize, unprotectedFindings } from './findings';
import { placementFor, Proposal, ProposalContext, protectWorkload, tightenRule } from './proposals';
import { FlowGroup } from './flow-group';
import { replayJointly } from './joint-replay';
import { ReplayResult } from './replay';
import { SimulateService } from './simulate.service';
import { SuggestInputError } from './suggest.errors';
import { ProvenSuggestion, Suggestion, SuggestionKind } from './suggestion.types';
import { stableLabels } from './workload';

export interface SuggestionsQuery extends FindingsQuery {
  suggestionKinds?: readonly SuggestionKind[];
  /** Most never-seen addresses one proposed CIDR list may hold. */
  cidrBudget: number;
  timeLimitMs: number;
}

export interface SuggestionList {
  /** Without YAML: a listing of hundreds of proposals would spend most of its time writing it. */
  items: ProvenSuggestion[];
  /** The time limit stopped the analysis: later suggestions were not replayed to the end (never safe). */
  partial: boolean;
}

const CACHE_LIMIT = 2000;

/** Suggestions with their proof: each proposal replayed over the window's distinct flows. */
@Injectable()
export class SuggestionsService {
  /** The latest suggestions by id, so one can be fetched (and its YAML downloaded) after a listing. */
  private readonly cache = new Map<string, ProvenSuggestion>();

  constructor(
    private readonly inventory: InventoryService,
    private readonly repository: SuggestRepository,
    private readonly findings: FindingsService,
    private readonly simulator: SimulateService,
    private readonly clock: Clock,
  ) {}

  async suggestions(q: SuggestionsQuery, scope: NamespaceScope = null): Promise<SuggestionList> {
    const started = this.clock.now().getTime();
    const deadline = started + q.timeLimitMs;
    const want = (k: SuggestionKind) => !q.suggestionKinds?.length || q.suggestionKinds.includes(k);
    const w = { from: q.window.from.getTime(), to: q.window.to.getTime() };
    const { policies, workloads } = this.findings.inputs(q, scope);
    const protect = want('protect-workload') && q.tier === undefined && q.policy === undefined;
    // Independent reads go out together: the embedded engine serves them on separate sessions, one
    // core each, and the flow groups (the largest) load while the proposals are being built.
    const labelsP = this.repository.workloadLabels(q.window, scope);
    const ruleEdgesP = want('tighten-rule') ? this.repository.edges(q.window, scope, { decisionKinds: ['rule'], action: 'allow', policy: q.policy, namespace: q.namespace }) : undefined;
    const profileEdgesP = protect ? this.repository.edges(q.window, scope, { decisionKinds: ['profile', 'no-profile'], action: 'allow', namespace: q.namespace }) : undefined;
    let proofInputs: Promise<[FlowGroup[], number]> | undefined;
    const loadProofInputs = () => (proofInputs ??= Promise.all([this.simulator.flowGroups(q.window, scope), this.repository.daysWithData(q.window, scope)]));
    // A read that fails while another is awaited must not go unhandled; the await below rethrows it.
    for (const p of [labelsP, ruleEdgesP, profileEdgesP]) p?.catch(() => undefined);
    const labelRows = await labelsP;
    const labels = new Map(labelRows.map((r) => [`${r.namespace}\u0000${r.workload}`, stableLabels(r.labelSets)]));
    const atEnd = this.inventory.timeline.versionsAt(w.to - 1).map((v) => v.resource);
    const ctx: ProposalContext = {
      stableLabels: (ns, wl) => labels.get(`${ns}\u0000${wl}`) ?? [],
      networkSets: atEnd.filter((r): r is NetworkSetResource => r.kind === 'NetworkSet' || r.kind === 'GlobalNetworkSet'),
      cidrBudget: q.cidrBudget,
    };
    const proposals: Proposal[] = [];
    if (ruleEdgesP) {
      const edges = await ruleEdgesP;
      const byRule = new Map(groupBy(edges, ruleKey));
      const byKey = new Map(policies.map((p) => [p.resource.key, p]));
      for (const f of overBroadFindings(policies, edges, workloads, w)) {
        const s = f.subject!;
        const p = tightenRule(f, byKey.get(s.policy)!, byRule.get(`${s.policy}\u0000${s.direction}\u0000${s.ruleIndex}`) ?? [], ctx);
        if (p) proposals.push(p);
      }
    }
    if (proposals.length > 0) loadProofInputs().catch(() => undefined);
    if (profileEdgesP) {
      const edges = (await profileEdgesP).filter(
        (e) => q.namespace === undefined || e.localNamespace === q.namespace,
      );
      const snap = new PolicySnapshot(atEnd);
      const placement = placementFor(snap.tiers, policies.map((p) => p.resource));
      const found = unprotectedFindings(edges, w);
      if (found.length > 0) loadProofInputs().catch(() => undefined);
      // The policy must allow all the workload's traffic, not only what its own side reported.
      const traffic = found.length ? await this.repository.workloadTraffic(q.window, scope, [...new Set(found.map((f) => f.unprotected!.namespace))]) : [];
      const byWorkload = new Map(groupBy(traffic, (e) => `${e.localNamespace}\u0000${e.localWorkload}`));
      for (const f of found) {
        const p = protectWorkload(f, byWorkload.get(`${f.unprotected!.namespace}\u0000${f.unprotected!.workload}`) ?? [], placement, ctx);
        if (p) proposals.push(p);
      }
    }
    if (proposals.length === 0) return { items: [], partial: false };
    const [groups, daysWithData] = await loadProofInputs();
    const replays = this.replayAll(proposals, groups, deadline);
    const items = proposals.map((p, i) => this.prove(p, replays[i], daysWithData, w));
    for (const s of items) this.remember(s);
    return { items, partial: items.some((s) => s.replay.partial) };
  }

  /** A suggestion with its YAML, from the latest listing (or recomputed with the query's window when not there). */
  async suggestion(id: string, q: SuggestionsQuery, scope: NamespaceScope = null): Promise<Suggestion | undefined> {
    const cached = this.cache.get(id);
    const found = cached && (scope === null || scope.includes(cached.namespace)) ? cached : (await this.suggestions(q, scope)).items.find((s) => s.id === id);
    return found && withYaml(found);
  }

  private replayAll(proposals: readonly Proposal[], all: readonly FlowGroup[], deadline: number): ReplayResult[] {
    const changes = proposals.map((p) => ({ namespace: p.namespace, resource: this.resourceOf(p) }));
    return replayJointly(changes, all, this.simulator.history(), { deadline, now: () => this.clock.now().getTime() });
  }

  private prove(p: Proposal, replay: ReplayResult, daysWithData: number, w: { from: number; to: number }): ProvenSuggestion {
    const summary = summarize(p.edges);
    const evidence = { ...summary, sampleFlowIds: [...new Set(p.edges.flatMap((e) => e.sampleIds))].sort().slice(0, 5) };
    const safe = replay.allowToDeny.length === 0 && replay.denyToAllow.length === 0 && !replay.partial && p.containment.contained;
    return {
      id: p.id,
      kind: p.kind,
      name: p.name,
      findingId: p.findingId,
      policy: p.policy,
      namespace: p.namespace,
      summary: p.summary,
      placement: p.placement,
      resources: { staged: p.staged, enforced: p.enforced },
      evidence,
      confidence: confidenceOf(p.edges, daysWithData, w),
      containment: p.containment,
      replay,
      safe,
    };
  }

  private resourceOf(p: Proposal): Resource {
    const prepared = this.inventory.prepare([p.enforced], this.clock.now().getTime(), 'suggestion');
    const r = prepared.changes[0]?.resource;
    if (!r) throw new SuggestInputError('suggestion', `proposal ${p.id} is not a valid resource: ${prepared.problems.map((x) => x.message).join('; ')}`);
    return r;
  }

  private remember(s: ProvenSuggestion): void {
    this.cache.delete(s.id);
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(s.id, s);
  }
}

const ruleKey = (e: TrafficEdge) => `${e.policy}\u0000${e.direction}\u0000${e.ruleIndex}`;

export function withYaml(s: ProvenSuggestion): Suggestion {
  return { ...s, yaml: { staged: toYaml(s.resources.staged), enforced: toYaml(s.resources.enforced) } };
}

export function toYaml(doc: Record<string, unknown>): string {
  return stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}
