import { Controller, Get, Inject, NotFoundException, Param, Query, Req, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { createHmac } from 'node:crypto';
import type { Request, Response } from 'express';
import { ApiErrorBody } from '../api/api-error';
import { toFlowFilter } from '../api/flow-filter';
import { Caller, Roles } from '../auth/auth.decorators';
import { CallerIdentity } from '../auth/caller';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ExportLogEntry } from '../storage/export-log.repository';
import { ExportFormat } from '../storage/flow-export.repository';
import { ExportLogDto, ExportLogEntryDto, ExportLogQuery, ExportManifestDto, ExportQuery } from './export.dto';
import { ExportService } from './export.service';

const CONTENT_TYPES: Record<ExportFormat, string> = { csv: 'text/csv; charset=utf-8; header=present', ndjson: 'application/x-ndjson; charset=utf-8' };

function negotiate(q: ExportQuery, accept: string | undefined): ExportFormat {
  if (q.format) return q.format;
  return /application\/(x-)?ndjson/.test(accept ?? '') ? 'ndjson' : 'csv';
}

function entryDto(e: ExportLogEntry): ExportLogEntryDto {
  return {
    ...e,
    startedAt: new Date(e.startedAt).toISOString(),
    finishedAt: e.finishedAt === null ? null : new Date(e.finishedAt).toISOString(),
  };
}

@ApiTags('exports')
@Roles('auditor')
@Controller('api/v1/exports')
export class ExportsController {
  constructor(
    private readonly exports: ExportService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('flows')
  @ApiOperation({
    summary:
      'Export flows (default: denied ones) for a time range, with every flow-search filter, streamed as CSV (RFC 4180, header row, formula-escaped cells) or NDJSON, hour by hour (within an hour by destination namespace, policy, time). Columns: see README, "Exports".',
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiOkResponse({ description: 'The body streams; the export id is in X-Flowscope-Export-Id.' })
  async flows(@Query() q: ExportQuery, @Caller() caller: CallerIdentity, @Req() req: Request, @Res() res: Response): Promise<void> {
    const filter = toFlowFilter(q, caller, this.clock.now(), { action: 'deny' });
    const format = negotiate(q, req.headers.accept);
    const filters = { ...q, action: filter.action, from: filter.from.toISOString(), to: filter.to.toISOString() };
    delete (filters as Partial<ExportQuery>).format;
    const request = { filter, filters, format, caller };
    const entry = await this.exports.begin(request);
    const name = `flows-${filter.from.toISOString().replace(/[:.]/g, '')}-${filter.to.toISOString().replace(/[:.]/g, '')}.${format}`;
    res.status(200);
    res.setHeader('Content-Type', CONTENT_TYPES[format]);
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    res.setHeader('X-Flowscope-Export-Id', entry.id);
    res.setHeader('Cache-Control', 'no-store');
    const trailer = q.manifest === 'true';
    if (trailer) res.setHeader('Trailer', 'X-Flowscope-Body-Sha256');
    // The client going away (before the body ended) stops the query.
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    await this.exports.write(request, entry, res, abort.signal, trailer ? (sha) => res.addTrailers({ 'X-Flowscope-Body-Sha256': sha }) : undefined);
  }

  @Get()
  @ApiOperation({ summary: 'The export log, newest first: who exported what, when, how much, and whether it completed. A namespace-limited key sees its own exports.' })
  @ApiOkResponse({ type: ExportLogDto })
  async list(@Query() q: ExportLogQuery, @Caller() caller: CallerIdentity): Promise<ExportLogDto> {
    return { items: (await this.exports.list(caller, q.limit ?? 100)).map(entryDto) };
  }

  @Get(':id/manifest')
  @ApiOperation({ summary: 'An export\'s manifest: its log entry (with the SHA-256 of the body sent) and an HMAC-SHA256 signature over it, to show later that a file is unaltered.' })
  @ApiOkResponse({ type: ExportManifestDto })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  async manifest(@Param('id') id: string, @Caller() caller: CallerIdentity): Promise<ExportManifestDto> {
    const e = await this.exports.get(caller, id);
    if (!e) throw new NotFoundException(`no export with id ${id}`);
    const dto = entryDto(e);
    const key = this.config.export.signingKey;
    return { export: dto, signature: key ? createHmac('sha256', key).update(JSON.stringify(dto)).digest('hex') : null };
  }
}
