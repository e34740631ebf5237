import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { ClickHouseClient, ClickHouseSettings, createClient } from '@clickhouse/client';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ChdbExtension } from 'chdb/connection';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { InsertSpool, insertFromFile, insertPrefix } from './binary-insert';
import { EngineLock } from './engine-lock';
import { SessionPool } from './session-pool';
import { inlineParams } from './sql-literal';

export type QueryParams = Record<string, unknown>;

/** One block of a streamed result: raw bytes in the requested format and how many rows they hold. */
export interface ResultChunk {
  data: Buffer;
  rows: number;
}

/**
 * chDB sessions that serve reads, besides the one that writes: a session runs one query at a time,
 * so concurrent requests queued behind each other. One per core (two at least): with each read
 * limited to one thread (READ_SETTINGS), parallel reads use the cores instead of contending for them.
 */
const EMBEDDED_READERS = Math.max(2, Math.min(4, availableParallelism()));

/**
 * Settings of every embedded read. One thread per query: the cores go to concurrent queries (one
 * reader session each) rather than to splitting one, and a newest-first page read in the table's
 * order stops after the newest hours instead of every thread reading its own share of the range.
 */
const READ_SETTINGS: ClickHouseSettings = { max_threads: 1 };
/**
 * Blocks a stream asks the embedded engine for before the consumer takes them (see stream()).
 * Measured on a 1M-row CSV export, 2 cores, 4 runs each, alternated: 1 block gave 255k to 300k
 * rows/s, 3 blocks 271k to 315k; each block is about 6 MB of CSV (16,384 rows).
 */
const READ_AHEAD = 3;

/**
 * Formats an insert's bytes can be in: TabSeparated (see tsv.encoder.ts), RowBinary (rows of
 * binary values, see rowbinary.writer.ts), Native (the engine's own columnar blocks, see
 * native.columns.ts). The binary ones have no text to parse.
 */
export type InsertFormat = 'TabSeparated' | 'RowBinary' | 'Native';

/** Engine settings an insert may add to its deduplication settings (numbers only: no quoting). */
export type InsertSettings = Readonly<Record<string, number>>;

/** Text formats a streamed result can be written in (the engine's own writers). */
export type StreamFormat = 'CSV' | 'JSONEachRow';

/**
 * The single door to ClickHouse. Callers write plain SQL with {name:Type} parameters and unqualified
 * table names; this adapter decides whether that SQL goes to an embedded chDB engine (no
 * CLICKHOUSE_URL) or to a ClickHouse server, and selects the database for either.
 */
@Injectable()
export class ClickHouseAdapter implements OnApplicationShutdown {
  private readonly logger = new Logger(ClickHouseAdapter.name);
  private client?: ClickHouseClient;
  /** The embedded engine's own insert door (a Buffer handed to its parser), when embedded. */
  private rawInsert?: ChdbExtension['rawInsert'];
  /** Embedded engine: where binary insert bodies wait as files for the engine to read (see insertBytes). */
  private spool?: InsertSpool;
  /** Embedded engine: the reader sessions, each query on the next one free (see SessionPool). */
  private readers?: SessionPool<ClickHouseClient>;
  readonly embedded: boolean;
  /** Embedded engine only: reads side by side, writes alone (see EngineLock). */
  private readonly lock = new EngineLock();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.embedded = config.clickhouse.url === undefined;
  }

  /** Opens the connection and makes sure the configured database exists and is selected. */
  async connect(): Promise<void> {
    if (this.client) return;
    const { url, database, user, password, dataDir, tlsCa } = this.config.clickhouse;
    if (url === undefined) {
      // Loaded lazily: a deployment against a server never needs the native engine.
      const { createChdbConnection } = await import('chdb/connection');
      const path = resolve(dataDir);
      mkdirSync(path, { recursive: true });
      // chdb types its Connection against @clickhouse/client-common, which @clickhouse/client now
      // bundles as its own copy: the shapes are the same, the declarations are not.
      const chdb = createChdbConnection({ path });
      const connection = chdb as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'];
      const client = createClient({ connection });
      await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
      // chDB ignores the client's `database` option; USE sticks to its single session instead.
      await client.command({ query: `USE ${database}` });
      const readers: ClickHouseClient[] = [];
      for (let i = 0; i < EMBEDDED_READERS; i++) {
        const reader = createClient({ connection: createChdbConnection({ path }) as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'] });
        await reader.command({ query: `USE ${database}` });
        readers.push(reader);
      }
      this.readers = new SessionPool(readers);
      this.client = client;
      this.rawInsert = (params) => chdb.chdb.rawInsert(params);
      this.spool = new InsertSpool(join(path, 'flowscope-insert-spool'));
      this.logger.log(`embedded ClickHouse (chDB) in ${path}, database ${database}`);
    } else {
      const tls = tlsCa !== undefined ? { tls: { ca_cert: Buffer.from(tlsCa) } } : {};
      const bootstrap = createClient({ url, username: user, password, ...tls });
      try {
        await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
      } finally {
        await bootstrap.close();
      }
      this.client = createClient({ url, username: user, password, database, request_timeout: 60_000, ...tls });
      this.logger.log(`ClickHouse server ${new URL(url).host}, database ${database}`);
    }
  }

  private get ch(): ClickHouseClient {
    if (!this.client) throw new Error('ClickHouse is not connected yet');
    return this.client;
  }

  async query<T>(query: string, params: QueryParams = {}, settings?: ClickHouseSettings): Promise<T[]> {
    return this.embedded ? this.lock.shared(() => this.read<T>(query, params, settings)) : this.read<T>(query, params, settings);
  }

  private async read<T>(query: string, params: QueryParams, settings?: ClickHouseSettings): Promise<T[]> {
    const client = this.ch;
    if (!this.readers) {
      const rs = await client.query({ query, query_params: params, format: 'JSONEachRow', clickhouse_settings: settings });
      return rs.json<T>();
    }
    // Inlined: chDB runs bound-parameter queries one at a time across all its sessions.
    const sql = inlineParams(query, params);
    return this.readers.use(async (reader) => {
      const rs = await reader.query({ query: sql, format: 'JSONEachRow', clickhouse_settings: { ...READ_SETTINGS, ...settings } });
      return rs.json<T>();
    });
  }

  /**
   * Streams a result block by block in one of the engine's text formats, pulling the next block
   * only when the consumer asks for it (backpressure), and stopping the query when `signal` aborts
   * or the consumer stops iterating. Memory stays at about one block whatever the result size:
   * the embedded engine runs the query on its own chDB session over the same data directory
   * (queryStreamBind streams; the client connection would buffer the whole result), a server
   * streams the HTTP response.
   */
  async *stream(query: string, params: QueryParams, format: StreamFormat, signal: AbortSignal): AsyncGenerator<ResultChunk> {
    if (!this.client) throw new Error('ClickHouse is not connected yet');
    if (this.embedded) {
      const { Session } = await import('chdb');
      const session = new Session(resolve(this.config.clickhouse.dataDir));
      try {
        session.query(`USE ${this.config.clickhouse.database}`);
        // Inlined as for reads: a bound stream would run its parameter binding alongside the
        // bound queries of other sessions, which chDB does not isolate from each other.
        const blocks = session.queryStream(inlineParams(query, params), { format, signal })[Symbol.asyncIterator]();
        // Blocks read ahead: the engine only produces the next block when asked, so asking before
        // one is handed over lets it work while the consumer hashes and writes that one.
        // Memory stays at READ_AHEAD + 1 blocks.
        // Each pull holds the engine's shared lock while the engine produces the block, so an
        // insert never runs alongside it; between pulls the stream holds nothing.
        const pull = () => this.lock.shared(() => blocks.next());
        const ahead = [pull()];
        try {
          for (;;) {
            const block = await ahead.shift()!;
            if (block.done) break;
            while (ahead.length < READ_AHEAD) ahead.push(pull());
            const raw = block.value.raw();
            yield { data: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), rows: block.value.numRows };
          }
        } finally {
          // A consumer that stopped early leaves reads in flight: their outcome no longer matters.
          for (const next of ahead) next.catch(() => undefined);
          await this.lock.shared(async () => blocks.return?.(undefined));
        }
      } finally {
        session.close();
      }
      return;
    }
    const rs = await this.client.query({ query, query_params: params, format, abort_signal: signal });
    for await (const rows of rs.stream()) {
      // The client splits the body into lines; a CSV value with a line break spans two of them,
      // so for CSV this counts lines, which equals rows unless values hold line breaks.
      yield { data: Buffer.from(`${rows.map((r) => r.text).join('\n')}\n`), rows: rows.length };
    }
  }

  async command(query: string, params: QueryParams = {}): Promise<void> {
    await this.write(() => this.ch.command({ query, query_params: params }));
  }

  /** A write: alone on the embedded engine (see EngineLock), as is on a server. */
  private write<T>(work: () => Promise<T>): Promise<T> {
    return this.embedded ? this.lock.exclusive(work) : work();
  }

  /**
   * Inserts rows as JSONEachRow. The deduplication token makes a retried insert of the same rows a
   * no-op (tables opt in with non_replicated_deduplication_window, or replication).
   * Errors are never swallowed: the caller's offset commit depends on them.
   */
  async insert(table: string, rows: readonly object[], dedupToken?: string): Promise<void> {
    if (rows.length === 0) return;
    await this.write(() => this.ch.insert({
      table,
      values: rows as object[],
      format: 'JSONEachRow',
      clickhouse_settings: dedupSettings(dedupToken),
    }));
  }

  /**
   * Inserts TabSeparated lines (see tsv.encoder.ts) for the given columns; same guarantees as
   * insert(). The embedded engine gets the bytes through its own raw insert (no client layer
   * copying the body into the SQL text); a server gets them over HTTP.
   */
  async insertTsv(table: string, columns: readonly string[], lines: readonly string[], dedupToken?: string): Promise<void> {
    if (lines.length === 0) return;
    await this.insertTsvBytes(table, columns, Buffer.from(`${lines.join('\n')}\n`), dedupToken);
  }

  /** TabSeparated bytes (whole lines) for the given columns; same guarantees as insert(). */
  async insertTsvBytes(table: string, columns: readonly string[], body: Buffer, dedupToken?: string): Promise<void> {
    await this.insertBytes(table, columns, 'TabSeparated', body, dedupToken);
  }

  /**
   * Rows already encoded in `format` for the given columns, with `extra` settings for this insert
   * alone; same guarantees as insert(). The embedded engine gets text through its raw insert and
   * binary formats as a file it reads itself (its raw insert is not binary-safe, see
   * binary-insert.ts); a server gets the bytes as the body of an HTTP INSERT.
   */
  async insertBytes(table: string, columns: readonly string[], format: InsertFormat, body: Buffer, dedupToken?: string, extra: InsertSettings = {}): Promise<void> {
    if (body.length === 0) return;
    const settings = { ...extra, ...dedupSettings(dedupToken) };
    if (this.embedded) {
      if (format === 'TabSeparated') {
        const rawInsert = this.rawInsert;
        if (!rawInsert) throw new Error('ClickHouse is not connected yet');
        await this.write(() => rawInsert({ table, columns, format, values: body, settings }));
        return;
      }
      const spool = this.spool;
      if (!spool) throw new Error('ClickHouse is not connected yet');
      await spool.with(body, (file) => this.write(() => this.ch.command({ query: insertFromFile(table, columns, format, file, settings) })));
      return;
    }
    if (format === 'TabSeparated') {
      await this.ch.insert({
        table,
        values: Readable.from([body], { objectMode: false }),
        format,
        columns: columns as [string, ...string[]],
        clickhouse_settings: settings,
      });
      return;
    }
    // The client's insert() takes text formats only; exec() sends any body after the query.
    const { stream } = await this.ch.exec({
      query: insertPrefix(table, columns, format, {}),
      values: Readable.from([body], { objectMode: false }),
      clickhouse_settings: settings,
    });
    stream.resume();
    await new Promise<void>((resolve, reject) => stream.once('end', resolve).once('error', reject));
  }

  async ping(): Promise<boolean> {
    if (!this.client) return false;
    const r = await this.client.ping();
    return r.success;
  }

  async onApplicationShutdown(): Promise<void> {
    const client = this.client;
    const readers = this.readers?.sessions ?? [];
    this.client = undefined;
    this.rawInsert = undefined;
    const spool = this.spool;
    this.spool = undefined;
    this.readers = undefined;
    for (const r of readers) await r.close();
    await spool?.remove();
    await client?.close();
  }
}

/**
 * An insert's deduplication settings, the token always stated: chDB's client connection applies
 * settings as SET on its one session, so a token left from the previous insert would otherwise
 * apply to the next insert without one (and could drop it as a repeat).
 */
function dedupSettings(dedupToken: string | undefined): { insert_deduplicate: 1; insert_deduplication_token: string } {
  return { insert_deduplicate: 1, insert_deduplication_token: dedupToken ?? '' };
}
