import { mkdirSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Binary insert bodies (Native, RowBinary) for the embedded engine. chDB's raw insert hands its payload to
 * the engine as inline data after the INSERT's text, and that path is not binary-safe: a body
 * holding two consecutive line feeds (0x0A 0x0A, e.g. the UInt64 2570) is cut there, and the rows
 * after the cut are dropped without an error (chdb's JavaScript wrapper admits text formats only,
 * "binary formats wait on the upstream inline-data feasibility check"). So a binary body goes to a
 * file and the engine reads it with `INSERT ... FROM INFILE`, which reads the bytes as they are.
 * Text bodies keep the raw insert: TabSeparated lines are never empty, so they never hold 0x0A 0x0A.
 */
export class InsertSpool {
  private next = 0;

  /** A directory of this process's own: whatever an earlier run left in it is removed. */
  constructor(private readonly dir: string) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }

  /** Writes the body to a file of its own, runs `work` with its path, then removes the file. */
  async with<T>(body: Uint8Array, work: (file: string) => Promise<T>): Promise<T> {
    const file = join(this.dir, `${process.pid}-${this.next++}.bin`);
    await writeFile(file, body);
    try {
      return await work(file);
    } finally {
      await rm(file, { force: true });
    }
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A ClickHouse string literal (SETTINGS values and file names take literals only). */
export function stringLiteral(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkNames(names: readonly string[]): void {
  for (const name of names) if (!IDENTIFIER.test(name)) throw new Error(`not a plain identifier: ${JSON.stringify(name)}`);
}

function settingsClause(settings: Record<string, string | number>): string {
  const set = Object.entries(settings).map(([k, v]) => `${k} = ${typeof v === 'number' ? String(v) : stringLiteral(v)}`);
  return set.length ? ` SETTINGS ${set.join(', ')}` : '';
}

/** `INSERT INTO t (c1, ...) SETTINGS ... FORMAT f`, the data to follow; names come from the code, never from input. */
export function insertPrefix(table: string, columns: readonly string[], format: string, settings: Record<string, string | number>): string {
  checkNames([table, ...columns, format, ...Object.keys(settings)]);
  return `INSERT INTO ${table} (${columns.join(', ')})${settingsClause(settings)} FORMAT ${format}`;
}

/** `INSERT INTO t (c1, ...) FROM INFILE 'file' SETTINGS ... FORMAT f`: the engine reads the file. */
export function insertFromFile(table: string, columns: readonly string[], format: string, file: string, settings: Record<string, string | number>): string {
  checkNames([table, ...columns, format, ...Object.keys(settings)]);
  return `INSERT INTO ${table} (${columns.join(', ')}) FROM INFILE ${stringLiteral(file)}${settingsClause(settings)} FORMAT ${format}`;
}
