import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { InventoryService } from '../inventory/inventory.service';
import { ManifestParseError, Resource, splitManifest } from '../policy';
import { AnalysisWindow, NamespaceScope, SuggestRepository } from '../storage/suggest.repository';
import { Candidate, NO_CHANGE } from './candidate';
import { matchesSourcePorts } from './source-ports';
import { FlowGroup, InventoryHistory } from './flow-group';
import { replay, ReplayResult } from './replay';
import { SuggestInputError } from './suggest.errors';

/** Most distinct flow groups one replay reads; more is reported as truncated. */
export const MAX_FLOW_GROUPS = 2_000_000;

export interface SimulateRequest {
  window: AnalysisWindow;
  /** YAML/JSON text or manifest objects: resources added or replacing the inventory's. */
  manifests?: string | readonly unknown[];
  deletions?: ReadonlyArray<{ kind: string; namespace?: string; name: string }>;
  namespace?: string;
  /** Wall-clock budget (ms) after which the replay stops with partial results. */
  timeLimitMs: number;
}

export interface SimulateResult extends ReplayResult {
  window: AnalysisWindow;
  /** True when the window held more distinct flows than one replay reads. */
  truncated: boolean;
  candidate: { upserts: string[]; deletions: string[] };
}

/** Replays the stored flows of a window under a candidate change of the inventory. */
@Injectable()
export class SimulateService {
  private readonly logger = new Logger(SimulateService.name);

  constructor(
    private readonly inventory: InventoryService,
    private readonly repository: SuggestRepository,
    private readonly clock: Clock,
  ) {}

  async simulate(req: SimulateRequest, namespaces: NamespaceScope = null): Promise<SimulateResult> {
    const started = this.clock.now().getTime();
    const candidate = this.candidate(req);
    const groups = await this.flowGroups(req.window, namespaces, req.namespace, candidate);
    const result = this.replay(groups, candidate, started + req.timeLimitMs);
    return {
      window: req.window,
      ...result,
      truncated: groups.length >= MAX_FLOW_GROUPS,
      candidate: { upserts: candidate.upserts.map((r) => r.key), deletions: [...candidate.deletions] },
    };
  }

  /**
   * Distinct flows of the window, split at every inventory change inside it, and by source port
   * when a rule of the window's inventory or of the candidate matches on source ports.
   */
  flowGroups(window: AnalysisWindow, namespaces: NamespaceScope, namespace?: string, candidate: Candidate = NO_CHANGE): Promise<FlowGroup[]> {
    const [from, to] = [window.from.getTime(), window.to.getTime()];
    const changes = this.inventory.timeline.changeTimesIn(from, to);
    const bySourcePort = matchesSourcePorts(candidate.upserts) || matchesSourcePorts(this.inventory.timeline.resourcesLiveIn(from, to));
    return this.repository.flowGroups(window, changes, namespaces, { namespace, limit: MAX_FLOW_GROUPS, bySourcePort });
  }

  /** The inventory's history, with the compiled snapshots ingest and explain already keep. */
  history(): InventoryHistory {
    const timeline = this.inventory.timeline;
    return {
      epochAt: (t) => timeline.epochAt(t),
      stateAt: (t) => timeline.stateAt(t),
      changesBetween: (from, to, limit) => timeline.changesBetween(from, to, limit),
      snapshotAt: (t) => this.inventory.snapshotAt(t).engine,
    };
  }

  replay(groups: readonly FlowGroup[], candidate: Candidate, deadline: number): ReplayResult {
    return replay(groups, this.history(), candidate, {
      deadline,
      now: () => this.clock.now().getTime(),
      onProgress: (done, total) => this.logger.debug(`replay: ${done} of ${total} flow groups`),
      progressEvery: 50_000,
    });
  }

  /** Validates the candidate whole: every invalid resource and unknown deletion is named. */
  candidate(req: Pick<SimulateRequest, 'manifests' | 'deletions'>): Candidate {
    let items: unknown[] = [];
    if (req.manifests !== undefined) {
      try {
        items = splitManifest(typeof req.manifests === 'string' ? req.manifests : JSON.stringify(req.manifests));
      } catch (err) {
        if (err instanceof ManifestParseError) throw new SuggestInputError('manifests', `manifests: ${err.message}`);
        throw err;
      }
    }
    const prepared = this.inventory.prepare(items, this.clock.now().getTime(), 'simulate');
    if (prepared.problems.length > 0) {
      const problems = prepared.problems.map((p) => `${p.resource}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
      throw new SuggestInputError('manifests', `manifests: ${problems.join('; ')}`, problems);
    }
    const upserts: Resource[] = prepared.changes.map((c) => c.resource as Resource);
    const deletions = (req.deletions ?? []).map((d, i) => {
      const live = this.inventory.timeline.findLive(d.kind, d.namespace ?? '', d.name);
      if (!live) throw new SuggestInputError(`deletions.${i}`, `deletions.${i}: no live ${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name} in the inventory`);
      return live.key;
    });
    return { upserts, deletions };
  }
}
