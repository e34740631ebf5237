import { Injectable } from '@nestjs/common';
import { InventoryVersion } from '../inventory/inventory.timeline';
import { ClickHouseAdapter } from './clickhouse.adapter';

interface VersionRow {
  key: string;
  kind: string;
  namespace: string;
  name: string;
  manifest_kind: string;
  manifest_name: string;
  valid_from_ms: number | string;
  deleted: number;
  manifest: string;
  source: string;
}

const PAGE = 5000;

@Injectable()
export class InventoryRepository {
  constructor(
    private readonly clickhouse: ClickHouseAdapter,
  ) {}

  async insert(versions: readonly InventoryVersion[], recordedAt: number, dedupToken?: string): Promise<void> {
    await this.clickhouse.insert(
      'inventory_versions',
      versions.map((v) => ({
        key: v.key,
        kind: v.kind,
        namespace: v.namespace,
        name: v.name,
        manifest_kind: v.manifestKind,
        manifest_name: v.manifestName,
        valid_from: v.validFrom,
        deleted: v.deleted ? 1 : 0,
        manifest: v.deleted ? '' : JSON.stringify(v.manifest),
        source: v.source,
        recorded_at: recordedAt,
      })),
      dedupToken,
    );
  }

  /** Every version, oldest first, paged by key: the embedded engine hands each result over whole. */
  async *all(): AsyncGenerator<InventoryVersion[]> {
    let after: { key: string; validFrom: number; deleted: number } | undefined;
    for (;;) {
      const rows = await this.clickhouse.query<VersionRow>(
        `SELECT key, kind, namespace, name, manifest_kind, manifest_name,
                toUnixTimestamp64Milli(valid_from) AS valid_from_ms, deleted,
                argMax(manifest, recorded_at) AS manifest, argMax(source, recorded_at) AS source
         FROM inventory_versions
         ${after ? 'WHERE (key, valid_from, deleted) > ({k:String}, fromUnixTimestamp64Milli({t:Int64}), {d:UInt8})' : ''}
         GROUP BY key, kind, namespace, name, manifest_kind, manifest_name, valid_from, deleted
         ORDER BY key, valid_from, deleted
         LIMIT ${PAGE}`,
        after ? { k: after.key, t: after.validFrom, d: after.deleted } : {},
      );
      if (rows.length === 0) return;
      yield rows.map((r) => ({
        key: r.key,
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        manifestKind: r.manifest_kind,
        manifestName: r.manifest_name,
        validFrom: Number(r.valid_from_ms),
        deleted: Number(r.deleted) === 1,
        manifest: r.manifest ? JSON.parse(r.manifest) : undefined,
        source: r.source,
      }));
      const last = rows[rows.length - 1];
      after = { key: last.key, validFrom: Number(last.valid_from_ms), deleted: Number(last.deleted) };
      if (rows.length < PAGE) return;
    }
  }
}
