import { rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Session } from 'chdb';
import { tempDir } from './temp-dir';

/** The native calls of chDB's Node binding that take query parameters as ClickHouse text, unchanged. */
interface ChdbNative {
  QueryAsyncConnection(connection: unknown, sql: string, format: string, params?: Record<string, string>): Promise<{ bytes: Uint8Array; rowsRead?: number; bytesRead?: number; elapsed?: number }>;
}
// The binding's queryBind re-escapes string values from JS; a server receives `param_*` already in
// ClickHouse's text form, so the test double hands that text to the engine as it came.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const native: ChdbNative = require(join(dirname(require.resolve('chdb')), 'dist', 'loader.js')).loadNative();

/** Settings that belong to the HTTP layer (handled here) rather than to a query. */
const HTTP_ONLY = new Set(['wait_end_of_query', 'send_progress_in_http_headers', 'http_headers_progress_interval_ms', 'enable_http_compression', 'http_zlib_compression_level', 'http_response_buffer_size']);
/** URL parameters that are not settings. */
const NOT_SETTINGS = new Set(['query', 'database', 'default_format', 'query_id', 'session_id', 'session_timeout', 'session_check', 'role', 'user', 'password']);

/**
 * A TEST DOUBLE OF A CLICKHOUSE SERVER: ClickHouse's HTTP interface served over the embedded engine
 * (chDB) in the test process, so that several flowscope processes can share one store the way
 * deployed instances share a ClickHouse server. chDB locks its data directory to one process, and
 * no ClickHouse server can be installed here; flowscope then runs in its real "server by URL"
 * mode, through @clickhouse/client, exactly as in production.
 *
 * It honours what that client sends: the query in the body, or in the `query` URL parameter with
 * the body as the INSERT's data (text, or RowBinary / Native); `param_*` in the URL or in a multipart body; every other URL
 * parameter as a setting of that request only (`insert_deduplication_token` included), `database`,
 * `default_format`, `session_id` (settings and USE kept per session, as a server does); gzip
 * request bodies (Content-Encoding) and gzip answers when asked (enable_http_compression=1 and
 * Accept-Encoding); `/ping`; errors as a non-2xx answer with the engine's `Code: N. DB::Exception`
 * text and the X-ClickHouse-Exception-Code header, which the client turns into a ClickHouseError.
 * Credentials are accepted, not checked. It is not a ClickHouse server: no native protocol, no
 * progress headers, one engine in one process.
 */
export class ClickHouseHttpDouble {
  private server?: Server;
  private readonly dataDir = tempDir('flowscope-clickhouse-double-');
  private readonly sessions = new Map<string, Session>();
  private bodies = 0;
  /** The request in the engine (see serially()). */
  private engine: Promise<void> = Promise.resolve();
  /** Every query the double answered, for a test that wants to see the traffic (e.g. inserts with a token). */
  readonly requests = { queries: 0, inserts: 0, tokenedInserts: 0, failures: 0 };

  get url(): string {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('the ClickHouse double is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<void> {
    // A first session creates the engine on the data directory; requests then open their own.
    this.session('').query('SELECT 1');
    // A server takes URIs up to 1 MiB (http_max_uri_size); Node's default stops at 16 KiB.
    this.server = createServer({ maxHeaderSize: 1 << 20 }, (req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => (this.server ? this.server.close(r) : r(undefined)));
    // After the request in the engine, if any: a session closed under a running query can hang.
    await this.serially(async () => {
      for (const s of this.sessions.values()) s.close();
      this.sessions.clear();
    });
  }

  /**
   * One request in the engine at a time, session opening and closing included. chDB's sessions in
   * one process are not isolated from each other (flowscope's own adapter keeps writes apart from
   * reads for that reason), and the double serves several flowscope processes at once. A run of
   * the rebalance test once hung for good (the survivor never rejoined, the test process never
   * exited); the cause was not found, and concurrent sessions in the double were the likeliest.
   */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.engine.then(work);
    this.engine = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private session(id: string): Session {
    let s = this.sessions.get(id);
    if (!s) {
      s = new Session(this.dataDir);
      this.sessions.set(id, s);
    }
    return s;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    let bodyFile: string | undefined;
    try {
      if (url.pathname === '/ping') return this.answer(req, res, url, 200, Buffer.from('Ok.\n'));
      let body: Buffer = Buffer.concat(await req.toArray());
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const params: Record<string, string> = {};
      for (const [k, v] of url.searchParams) if (k.startsWith('param_')) params[k.slice(6)] = v;
      let sql: string;
      const multipart = /^multipart\/form-data; boundary=(.+)$/.exec(req.headers['content-type'] ?? '');
      if (multipart) {
        const parts = parseMultipart(body.toString('utf8'), multipart[1]);
        sql = parts.query ?? '';
        for (const [k, v] of Object.entries(parts)) if (k.startsWith('param_')) params[k.slice(6)] = v;
      } else {
        const inUrl = url.searchParams.get('query');
        // With the query in the URL the body is the INSERT's data, which the engine reads after it;
        // a binary body from a file (chDB's inline insert data is not binary-safe).
        const binary = inUrl === null ? null : /^(INSERT\b[\s\S]*?)\s+FORMAT\s+(RowBinary|Native)\s*$/i.exec(inUrl);
        if (binary && body.length > 0) {
          bodyFile = join(this.dataDir, `insert-${process.pid}-${this.bodies++}.bin`);
          writeFileSync(bodyFile, body);
          sql = `${binary[1]} FROM INFILE '${bodyFile}' FORMAT ${binary[2]}`;
        } else sql = inUrl === null ? body.toString('utf8') : body.length > 0 ? `${inUrl}\n${body.toString('utf8')}` : inUrl;
      }
      const settings = [...url.searchParams].filter(([k]) => !k.startsWith('param_') && !NOT_SETTINGS.has(k) && !HTTP_ONLY.has(k));
      const isInsert = /^\s*INSERT\b/i.test(sql);
      if (isInsert) {
        this.requests.inserts++;
        if (settings.some(([k]) => k === 'insert_deduplication_token')) this.requests.tokenedInserts++;
      } else this.requests.queries++;

      // A request without session_id gets its own session: its settings end with it, as on a server.
      const sessionId = url.searchParams.get('session_id');
      const result = await this.serially(async () => {
        const session = sessionId ? this.session(`s:${sessionId}`) : new Session(this.dataDir);
        try {
          const database = url.searchParams.get('database');
          if (database) await session.queryAsync(`USE ${identifier(database)}`);
          for (const [k, v] of settings) await session.queryAsync(`SET ${identifier(k)} = ${literal(v)}`);
          const format = url.searchParams.get('default_format') ?? 'TabSeparated';
          return await native.QueryAsyncConnection((session as unknown as { connection: unknown }).connection, sql, format, params);
        } finally {
          if (!sessionId) session.close();
        }
      });
      const written = isInsert ? (result.rowsRead ?? 0) : 0;
      res.setHeader('X-ClickHouse-Summary', JSON.stringify({ read_rows: String(result.rowsRead ?? 0), read_bytes: String(result.bytesRead ?? 0), written_rows: String(written), written_bytes: '0', total_rows_to_read: '0', result_rows: '0', result_bytes: '0', elapsed_ns: String(Math.round((result.elapsed ?? 0) * 1e9)) }));
      const bytes = result.bytes;
      return this.answer(req, res, url, 200, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (err) {
      this.requests.failures++;
      const message = err instanceof Error ? err.message : String(err);
      const code = /Code: (\d+)/.exec(message)?.[1] ?? '1000';
      res.setHeader('X-ClickHouse-Exception-Code', code);
      return this.answer(req, res, url, 500, Buffer.from(message.startsWith('Code:') ? message : `Code: ${code}. DB::Exception: ${message}`));
    } finally {
      if (bodyFile) rmSync(bodyFile, { force: true });
    }
  }

  private answer(req: IncomingMessage, res: ServerResponse, url: URL, status: number, body: Buffer): void {
    const gzip = url.searchParams.get('enable_http_compression') === '1' && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    res.statusCode = status;
    res.setHeader('X-ClickHouse-Server-Display-Name', 'flowscope-test-double');
    if (gzip) res.setHeader('Content-Encoding', 'gzip');
    res.end(gzip ? gzipSync(body) : body);
  }
}

function identifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Code: 36. DB::Exception: bad name ${JSON.stringify(name)}. (BAD_ARGUMENTS)`);
  return name;
}

/** A URL setting's text as a SQL literal: numbers as they are, anything else quoted. */
function literal(value: string): string {
  return /^-?\d+(\.\d+)?$/.test(value) ? value : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The named parts of a multipart/form-data body (what the client sends for long query parameters). */
function parseMultipart(body: string, boundary: string): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const chunk of body.split(`--${boundary}`)) {
    const m = /^\r\nContent-Disposition: form-data; name="([^"]+)"\r\n\r\n([\s\S]*)\r\n$/.exec(chunk);
    if (m) parts[m[1]] = m[2];
  }
  return parts;
}
