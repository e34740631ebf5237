import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { ManifestParseError, normalizeResource, Resource, ResourceValidationError, splitManifest } from '../policy/model';
import { InventoryRepository } from '../storage/inventory.repository';
import { Storage } from '../storage/storage.module';
import { InventoryNotFoundError, InventoryRejectedError } from './inventory.errors';
import { InventorySnapshot } from './inventory.snapshot';
import { InventoryTimeline, InventoryVersion } from './inventory.timeline';

const SNAPSHOT_CACHE_SIZE = 16;

export interface ApplyResult {
  applied: Array<{ key: string; kind: string; namespace: string; name: string; validFrom: string }>;
  /** Kinds outside the policy model (Deployments, Services...): accepted and ignored. */
  skipped: Array<{ apiVersion: string; kind: string; namespace: string; name: string }>;
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

  constructor(
    private readonly storage: Storage,
    private readonly repository: InventoryRepository,
    private readonly clock: Clock,
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
    const accepted: Array<{ version: InventoryVersion; resource: Resource }> = [];
    const result: ApplyResult = { applied: [], skipped: [] };
    const problems: InventoryRejectedError['problems'] = [];
    items.forEach((item, i) => {
      try {
        const out = normalizeResource(item, items.length > 1 ? i : undefined);
        if ('skipped' in out) {
          const { apiVersion, kind, namespace, name } = out.skipped;
          result.skipped.push({ apiVersion, kind, namespace, name });
          return;
        }
        const r = out.resource;
        const meta = (item as { kind: string; metadata: { name: string } });
        accepted.push({
          resource: r,
          version: { key: r.key, kind: r.kind, namespace: r.namespace, name: r.name, manifestKind: meta.kind, manifestName: meta.metadata.name, validFrom, deleted: false, manifest: item, source: opts.source },
        });
      } catch (err) {
        if (!(err instanceof ResourceValidationError)) throw err;
        const id = `${err.kind || 'resource'} ${err.namespace ? `${err.namespace}/` : ''}${err.resourceName || `#${i}`}`;
        problems.push({ resource: id, path: err.path, message: err.detail });
      }
    });
    if (problems.length > 0) throw new InventoryRejectedError(problems);
    await this.repository.insert(accepted.map((a) => a.version), this.clock.now().getTime(), opts.dedupToken);
    for (const a of accepted) {
      this.timeline.add(a.version, a.resource);
      result.applied.push({ key: a.version.key, kind: a.version.kind, namespace: a.version.namespace, name: a.version.name, validFrom: new Date(validFrom).toISOString() });
    }
    return result;
  }

  async delete(kind: string, namespace: string, name: string, opts: ApplyOptions): Promise<InventoryVersion> {
    const live = this.timeline.findLive(kind, namespace, name);
    if (!live) throw new InventoryNotFoundError(kind, namespace, name);
    const tombstone: InventoryVersion = { ...live, validFrom: opts.validFrom ?? this.clock.now().getTime(), deleted: true, manifest: undefined, source: opts.source };
    await this.repository.insert([tombstone], this.clock.now().getTime(), opts.dedupToken);
    this.timeline.add(tombstone);
    return tombstone;
  }

  /** The inventory as it was at instant t, compiled for the policy engine (cached per state). */
  snapshotAt(t: number): InventorySnapshot {
    const key = `${this.timeline.generation}:${this.timeline.epochAt(t)}`;
    let snap = this.snapshots.get(key);
    if (snap) {
      this.snapshots.delete(key); // re-insert: Map order doubles as LRU order
    } else {
      snap = new InventorySnapshot(this.timeline.stateAt(t));
      if (this.snapshots.size >= SNAPSHOT_CACHE_SIZE) this.snapshots.delete(this.snapshots.keys().next().value as string);
    }
    this.snapshots.set(key, snap);
    return snap;
  }

  list(filter: { kind?: string; namespace?: string } = {}): InventoryVersion[] {
    return this.timeline
      .current()
      .filter((v) => (!filter.kind || v.kind === filter.kind || v.manifestKind === filter.kind) && (filter.namespace === undefined || v.namespace === filter.namespace))
      .sort((a, b) => a.key.localeCompare(b.key));
  }
}
