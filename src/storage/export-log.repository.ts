import { Injectable } from '@nestjs/common';
import { ClickHouseAdapter } from './clickhouse.adapter';

export type ExportStatus = 'running' | 'completed' | 'aborted' | 'failed';

export interface ExportLogEntry {
  id: string;
  keyId: string;
  keyName: string;
  startedAt: number;
  finishedAt: number | null;
  filters: Record<string, unknown>;
  format: string;
  rows: number;
  bytes: number;
  status: ExportStatus;
  bodySha256: string;
}

interface LogRow {
  id: string;
  key_id: string;
  key_name: string;
  started_ms: number | string;
  finished_ms: number | string | null;
  filters: string;
  format: string;
  rows: number | string;
  bytes: number | string;
  status: ExportStatus;
  body_sha256: string;
}

function toEntry(r: LogRow): ExportLogEntry {
  return {
    id: r.id,
    keyId: r.key_id,
    keyName: r.key_name,
    startedAt: Number(r.started_ms),
    finishedAt: r.finished_ms === null ? null : Number(r.finished_ms),
    filters: JSON.parse(r.filters) as Record<string, unknown>,
    format: r.format,
    rows: Number(r.rows),
    bytes: Number(r.bytes),
    status: r.status,
    bodySha256: r.body_sha256,
  };
}

const SELECT = `SELECT id, key_id, key_name, toUnixTimestamp64Milli(started_at) AS started_ms,
  if(isNull(finished_at), NULL, toUnixTimestamp64Milli(assumeNotNull(finished_at))) AS finished_ms,
  filters, format, rows, bytes, status, body_sha256
FROM export_log FINAL`;

@Injectable()
export class ExportLogRepository {
  constructor(private readonly clickhouse: ClickHouseAdapter) {}

  /** Writes a version of the entry: 1 when it starts, 2 when it ends (the higher one wins). */
  async save(e: ExportLogEntry, version: 1 | 2): Promise<void> {
    await this.clickhouse.insert('export_log', [
      {
        id: e.id,
        key_id: e.keyId,
        key_name: e.keyName,
        started_at: e.startedAt,
        finished_at: e.finishedAt,
        filters: JSON.stringify(e.filters),
        format: e.format,
        rows: e.rows,
        bytes: e.bytes,
        status: e.status,
        body_sha256: e.bodySha256,
        version,
      },
    ]);
  }

  /** Newest first; `keyId` limits the list to one key's exports. */
  async list(limit: number, keyId?: string): Promise<ExportLogEntry[]> {
    const rows = await this.clickhouse.query<LogRow>(
      `${SELECT} ${keyId === undefined ? '' : 'WHERE key_id = {keyId:String}'} ORDER BY started_at DESC, id DESC LIMIT {limit:UInt32}`,
      { limit, ...(keyId === undefined ? {} : { keyId }) },
    );
    return rows.map(toEntry);
  }

  async get(id: string): Promise<ExportLogEntry | undefined> {
    const [row] = await this.clickhouse.query<LogRow>(`${SELECT} WHERE id = {id:String} LIMIT 1`, { id });
    return row ? toEntry(row) : undefined;
  }
}
