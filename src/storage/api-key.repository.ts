import { Injectable } from '@nestjs/common';
import { ClickHouseAdapter } from './clickhouse.adapter';

export interface StoredApiKey {
  id: string;
  name: string;
  role: string;
  /** null = all namespaces */
  namespaces: string[] | null;
  secretSha256: string;
  createdAt: number;
  revokedAt: number | null;
}

interface KeyRow {
  id: string;
  name: string;
  role: string;
  all_namespaces: number;
  namespaces: string[];
  secret_sha256: string;
  created_ms: number | string;
  revoked_ms: number | string | null;
}

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly clickhouse: ClickHouseAdapter) {}

  /** Writes a version of the key; the one with the highest `version` wins. */
  async save(key: StoredApiKey, version: number): Promise<void> {
    await this.clickhouse.insert('api_keys', [
      {
        id: key.id,
        name: key.name,
        role: key.role,
        all_namespaces: key.namespaces === null ? 1 : 0,
        namespaces: key.namespaces ?? [],
        secret_sha256: key.secretSha256,
        created_at: key.createdAt,
        revoked_at: key.revokedAt,
        version,
      },
    ]);
  }

  /** Every key, revoked ones included, oldest first. */
  async all(): Promise<StoredApiKey[]> {
    const rows = await this.clickhouse.query<KeyRow>(
      `SELECT id, name, role, all_namespaces, namespaces, secret_sha256,
              toUnixTimestamp64Milli(created_at) AS created_ms,
              if(isNull(revoked_at), NULL, toUnixTimestamp64Milli(assumeNotNull(revoked_at))) AS revoked_ms
       FROM api_keys FINAL
       ORDER BY created_at, id`,
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role,
      namespaces: Number(r.all_namespaces) === 1 ? null : r.namespaces,
      secretSha256: r.secret_sha256,
      createdAt: Number(r.created_ms),
      revokedAt: r.revoked_ms === null ? null : Number(r.revoked_ms),
    }));
  }
}
