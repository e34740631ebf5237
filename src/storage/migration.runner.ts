import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { ClickHouseAdapter } from './clickhouse.adapter';

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  constructor(file: string, statement: number, cause: unknown) {
    super(`migration ${file} failed at statement ${statement}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'MigrationError';
  }
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function readMigrations(dir: string): MigrationFile[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const seen = new Set<number>();
  return files.map((file) => {
    const m = FILE_NAME.exec(file);
    if (!m) throw new Error(`migration file name ${file} must look like 0001_what_it_does.sql`);
    const version = Number(m[1]);
    if (seen.has(version)) throw new Error(`two migration files share version ${m[1]}`);
    seen.add(version);
    const sql = readFileSync(join(dir, file), 'utf8');
    return { version, name: file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

/** Splits on semicolons that end a line; migration files keep one statement per such block. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\r?\n|$)/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
}

/**
 * Applies migrations/NNNN_*.sql in order, once each, recording them in schema_migrations.
 * A file whose content changed after it was applied is an error: history is append-only.
 */
@Injectable()
export class MigrationRunner {
  private readonly logger = new Logger(MigrationRunner.name);

  constructor(
    private readonly clickhouse: ClickHouseAdapter,
    private readonly clock: Clock,
  ) {}

  async run(dir: string): Promise<number> {
    await this.clickhouse.command(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC'))
       ENGINE = MergeTree ORDER BY version`,
    );
    const applied = new Map(
      (await this.clickhouse.query<{ version: number; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM schema_migrations',
      )).map((r) => [Number(r.version), r]),
    );
    let count = 0;
    for (const file of readMigrations(dir)) {
      const done = applied.get(file.version);
      if (done) {
        if (done.checksum !== file.checksum) {
          throw new Error(`migration ${file.name} changed after it was applied (add a new file instead)`);
        }
        continue;
      }
      const statements = splitStatements(file.sql);
      for (let i = 0; i < statements.length; i++) {
        try {
          await this.clickhouse.command(statements[i]);
        } catch (err) {
          throw new MigrationError(file.name, i + 1, err);
        }
      }
      await this.clickhouse.insert('schema_migrations', [
        { version: file.version, name: file.name, checksum: file.checksum, applied_at: this.clock.now().getTime() },
      ]);
      this.logger.log(`applied ${file.name}`);
      count++;
    }
    return count;
  }
}
