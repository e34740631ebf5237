import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { BUILTIN_TIERS, isPolicy, ManifestParseError, normalizeResource, Resource, ResourceValidationError, splitManifest } from '../policy/model';
import { undeclaredTierWarning } from '../policy/evaluation';
import { InventoryRepository } from '../storage/inventory.repository';
import { Storage } from '../storage/storage.module';
import { InventoryNotFoundError, InventoryRejectedError } from './inventory.errors';
import { InventorySnapshot } from './inventory.snapshot';
import { InventoryTimeline, InventoryVersion } from './inventory.timeline';

const SNAPSHOT_CACHE_SIZE = 16;
/** Beyond this many changed resources between two states, a fresh build is as cheap as deriving. */
const DERIVE_LIMIT = 2_000;

export interface ApplyResult {
  applied: Array<{ key: string; kind: string; namespace: string; name: string; validFrom: string }>;
  /** Kinds outside the policy model (Deployments, Services...): accepted and ignored. */
  skipped: Array<{ apiVersion: string; kind: string; namespace: string; name: string }>;
  /** Accepted, but probably not what was meant (e.g. a policy in a tier nobody declared). */
  warnings: string[];
}

export interface PreparedChange {
  version: InventoryVersion;
  /** Absent for deletions. */
  resource?: Resource;
}

export interface PreparedChanges {
  changes: PreparedChange[];
  skipped: ApplyResult['skipped'];
  problems: InventoryRejectedError['problems'];
}

export interface ApplyOptions {
  validFrom?: number;
  source: string;
  dedupToken?: string;
}

/**
 * The cluster's resources over time. Writes go to ClickHouse first (the record) and then to the
 * in-memory timeline (what enrichment and explain read); the timeline is rebuilt from ClickHouse on
 * start.
 */
@Injectable()
export class InventoryService implements OnModuleInit {
  private readonly logger = new Logger(InventoryService.name);
  readonly timeline = new InventoryTimeline();
  /** Snapshots by generation:epoch; a handful suffices since flows arrive roughly in time order. */
  private readonly snapshots = new Map<string, InventorySnapshot>();
  /**
   * The state used last, to derive the next one from: `epoch` is the timeline's epoch at `at` when
   * it was compiled, so a version that arrived later but took effect at or before `at` is noticed.
   */
  private lastSnapshot?: { key: string; snap: InventorySnapshot; generation: number; at: number; epoch: number };

  constructor(
    private readonly storage: Storage,
    private readonly repository: InventoryRepository,
    private readonly clock: Clock,
    private readonly metrics: IngestMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.storage.ready();
    let count = 0;
    for await (const page of this.repository.all()) {
      for (const v of page) this.timeline.add(v);
      count += page.length;
    }
    this.logger.log(`inventory loaded: ${count} versions of ${this.timeline.size} resources`);
  }

  /** Validates every resource first and applies all or nothing. */
  async apply(manifests: string | unknown[], opts: ApplyOptions): Promise<ApplyResult> {
    let items: unknown[];
    try {
      // Objects take the same path as text so `kind: List` wrappers are expanded alike.
      items = splitManifest(typeof manifests === 'string' ? manifests : JSON.stringify(manifests));
    } catch (err) {
      if (err instanceof ManifestParseError) throw new InventoryRejectedError([{ resource: 'manifest', path: '', message: err.message }]);
      throw err;
    }
    const validFrom = opts.validFrom ?? this.clock.now().getTime();
    const prepared = this.prepare(items, validFrom, opts.source);
    if (prepared.problems.length > 0) throw new InventoryRejectedError(prepared.problems);
    await this.commit(prepared.changes, opts.dedupToken);
    return {
      applied: prepared.changes.map(({ version: v }) => ({ key: v.key, kind: v.kind, namespace: v.namespace, name: v.name, validFrom: new Date(validFrom).toISOString() })),
      skipped: prepared.skipped,
      warnings: this.undeclaredTiers(prepared.changes),
    };
  }

  /** Policies just applied whose tier is neither built in nor declared (they evaluate after every declared tier). */
  private undeclaredTiers(changes: readonly PreparedChange[]): string[] {
    const builtin = new Set(BUILTIN_TIERS.map((t) => t.name));
    return changes
      .map((c) => c.resource)
      .filter((r): r is Extract<Resource, { tier: string }> => r !== undefined && isPolicy(r))
      .filter((p) => !builtin.has(p.tier) && !this.timeline.findLive('Tier', '', p.tier))
      .map((p) => undeclaredTierWarning(p.key, p.tier));
  }

  /** Validates manifest objects into versions valid from `validFrom`; touches nothing. */
  prepare(items: readonly unknown[], validFrom: number, source: string): PreparedChanges {
    const out: PreparedChanges = { changes: [], skipped: [], problems: [] };
    items.forEach((item, i) => {
      try {
        const normalized = normalizeResource(item, items.length > 1 ? i : undefined);
        if ('skipped' in normalized) {
          const { apiVersion, kind, namespace, name } = normalized.skipped;
          out.skipped.push({ apiVersion, kind, namespace, name });
          return;
        }
        const r = normalized.resource;
        const meta = item as { kind: string; metadata: { name: string } };
        out.changes.push({
          resource: r,
          version: { key: r.key, kind: r.kind, namespace: r.namespace, name: r.name, manifestKind: meta.kind, manifestName: meta.metadata.name, validFrom, deleted: false, manifest: item, source },
        });
      } catch (err) {
        if (!(err instanceof ResourceValidationError)) throw err;
        const id = `${err.kind || 'resource'} ${err.namespace ? `${err.namespace}/` : ''}${err.resourceName || `#${i}`}`;
        for (const e of err.all) out.problems.push({ resource: id, path: e.path, message: e.detail });
      }
    });
    return out;
  }

  /** The deletion of a live resource (by model key or manifest identity), or undefined if none is live. */
  prepareDelete(kind: string, namespace: string, name: string, validFrom: number, source: string): PreparedChange | undefined {
    const live = this.timeline.findLive(kind, namespace, name);
    return live && { version: { ...live, validFrom, deleted: true, manifest: undefined, source } };
  }

  /** Stores the changes (one insert) and only then makes them visible to enrichment and explain. */
  async commit(changes: readonly PreparedChange[], dedupToken?: string): Promise<void> {
    if (changes.length === 0) return;
    await this.repository.insert(changes.map((c) => c.version), this.clock.now().getTime(), dedupToken);
    for (const c of changes) {
      this.timeline.add(c.version, c.resource);
      this.metrics.inventoryVersions.inc({ source: c.version.source });
    }
  }

  async delete(kind: string, namespace: string, name: string, opts: ApplyOptions): Promise<InventoryVersion> {
    const change = this.prepareDelete(kind, namespace, name, opts.validFrom ?? this.clock.now().getTime(), opts.source);
    if (!change) throw new InventoryNotFoundError(kind, namespace, name);
    await this.commit([change], opts.dedupToken);
    return change.version;
  }

  /** The inventory as it was at instant t, compiled for the policy engine (cached per state). */
  snapshotAt(t: number): InventorySnapshot {
    const key = `${this.timeline.generation}:${this.timeline.epochAt(t)}`;
    // Per flow record: consecutive records nearly always share the state, so skip the LRU shuffle.
    if (key === this.lastSnapshot?.key) return this.lastSnapshot.snap;
    let snap = this.snapshots.get(key);
    if (snap) {
      this.snapshots.delete(key); // re-insert: Map order doubles as LRU order
    } else {
      snap = this.derive(t) ?? new InventorySnapshot(this.timeline.stateAt(t));
      if (this.snapshots.size >= SNAPSHOT_CACHE_SIZE) this.snapshots.delete(this.snapshots.keys().next().value as string);
    }
    this.snapshots.set(key, snap);
    this.lastSnapshot = { key, snap, generation: this.timeline.generation, at: t, epoch: this.timeline.epochAt(t) };
    return snap;
  }

  /**
   * The state at t from the last one used, by the changes between them (pods come and go every
   * second; rebuilding the compiled snapshot for each would cost far more than the change).
   */
  private derive(t: number): InventorySnapshot | undefined {
    const last = this.lastSnapshot;
    // A backfill (new generation), or a version dated at or before the last state's instant that
    // arrived after it was compiled (its epoch moved: inventory messages are often dated a little
    // before they arrive), changed the last state itself: nothing to derive from.
    if (!last || last.generation !== this.timeline.generation || this.timeline.epochAt(last.at) !== last.epoch) return undefined;
    const changes = this.timeline.changesBetween(last.at, t, DERIVE_LIMIT);
    return changes && last.snap.withChanges(changes.upserts, changes.deletions);
  }

  /** `scope`: an API key's namespaces (null or absent = all); cluster-scoped resources are outside any. */
  list(filter: { kind?: string; namespace?: string; scope?: readonly string[] | null } = {}): InventoryVersion[] {
    const scope = filter.scope ?? null;
    return this.timeline
      .current()
      .filter((v) => (!filter.kind || v.kind === filter.kind || v.manifestKind === filter.kind) && (filter.namespace === undefined || v.namespace === filter.namespace))
      .filter((v) => scope === null || scope.includes(v.namespace))
      .sort((a, b) => a.key.localeCompare(b.key));
  }
}
