import { createHash, randomUUID } from 'node:crypto';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable, Logger } from '@nestjs/common';
import { CallerIdentity } from '../auth/caller';
import { Clock } from '../clock/clock';
import { ExportLogEntry, ExportLogRepository, ExportStatus } from '../storage/export-log.repository';
import { FlowFilter } from '../storage/flow-filter';
import { CSV_HEADER, ExportFormat, FlowExportRepository } from '../storage/flow-export.repository';

/** Counts and hashes what actually went out, for the export log and the manifest. */
class BodyMeter extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

export interface ExportRequest {
  filter: FlowFilter;
  /** The filters as the caller gave them, for the log. */
  filters: Record<string, unknown>;
  format: ExportFormat;
  caller: CallerIdentity;
}

export interface ExportOutcome {
  entry: ExportLogEntry;
}

/**
 * Streams an export into a writable (the HTTP response) with backpressure, and records it: who,
 * when, filters, format, rows, bytes, the body's SHA-256, and whether it completed or was aborted.
 */
@Injectable()
export class ExportService {
  private readonly logger = new Logger(ExportService.name);

  constructor(
    private readonly flows: FlowExportRepository,
    private readonly log: ExportLogRepository,
    private readonly clock: Clock,
  ) {}

  /** Starts an export: the entry is logged as running before the first byte goes out. */
  async begin(req: ExportRequest): Promise<ExportLogEntry> {
    const entry: ExportLogEntry = {
      id: randomUUID(),
      keyId: req.caller.keyId,
      keyName: req.caller.name,
      startedAt: this.clock.now().getTime(),
      finishedAt: null,
      filters: req.filters,
      format: req.format,
      rows: 0,
      bytes: 0,
      status: 'running',
      bodySha256: '',
    };
    await this.log.save(entry, 1);
    return entry;
  }

  /**
   * Writes the body to `out`. `signal` aborts when the client goes away; the query stops then.
   * Resolves with the final log entry, whatever the outcome (aborted and failed included).
   */
  async write(req: ExportRequest, entry: ExportLogEntry, out: Writable, signal: AbortSignal, beforeEnd?: (bodySha256: string) => void): Promise<ExportLogEntry> {
    let rows = 0;
    const flows = this.flows;
    async function* body(): AsyncGenerator<Buffer> {
      if (req.format === 'csv') yield Buffer.from(CSV_HEADER);
      for await (const chunk of flows.rows(req.filter, req.format, signal)) {
        rows += chunk.rows;
        yield chunk.data;
      }
    }
    const meter = new BodyMeter();
    let status: ExportStatus = 'completed';
    let sha = '';
    try {
      await pipeline(Readable.from(body(), { objectMode: false }), meter, out, { signal, end: false });
      sha = meter.digest();
      beforeEnd?.(sha);
      out.end();
    } catch (err) {
      status = signal.aborted ? 'aborted' : 'failed';
      if (status === 'failed') this.logger.error(`export ${entry.id} failed: ${err instanceof Error ? err.message : String(err)}`);
      // Never let a truncated body look complete: the connection is cut, not ended.
      out.destroy();
      sha = meter.digest();
    }
    const done: ExportLogEntry = { ...entry, finishedAt: this.clock.now().getTime(), rows, bytes: meter.bytes, status, bodySha256: sha };
    await this.log.save(done, 2);
    return done;
  }

  list(caller: CallerIdentity, limit: number): Promise<ExportLogEntry[]> {
    // A namespace-limited key sees its own exports only: others' filters name other namespaces.
    return this.log.list(limit, caller.namespaces === null ? undefined : caller.keyId);
  }

  async get(caller: CallerIdentity, id: string): Promise<ExportLogEntry | undefined> {
    const e = await this.log.get(id);
    return e && (caller.namespaces === null || e.keyId === caller.keyId) ? e : undefined;
  }
}
