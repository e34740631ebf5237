import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller } from '../auth/auth.decorators';
import { assertNamespaceInScope, CallerIdentity } from '../auth/caller';
import { Clock } from '../clock/clock';
import { FlowRepository } from '../storage/flow.repository';
import { ApiErrorBody, fieldError } from './api-error';
import { FlowPageDto, FlowSearchQuery } from './flow-search.dto';
import { resolveTimeRange } from './time-range';

function encodeCursor(c: { startTime: number; id: string }): string {
  return Buffer.from(JSON.stringify([c.startTime, c.id])).toString('base64url');
}

function decodeCursor(cursor: string): { startTime: number; id: string } {
  try {
    const [startTime, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof startTime === 'number' && typeof id === 'string') return { startTime, id };
  } catch {
    // fall through to the 400 below
  }
  throw fieldError('cursor', 'not a cursor returned by this API');
}

@ApiTags('flows')
@Controller('api/v1/flows')
export class FlowsController {
  constructor(
    private readonly flows: FlowRepository,
    private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Search flows, newest first, paged by cursor.' })
  @ApiOkResponse({ type: FlowPageDto })
  @ApiBadRequestResponse({ type: ApiErrorBody })
  async search(@Query() q: FlowSearchQuery, @Caller() caller: CallerIdentity): Promise<FlowPageDto> {
    assertNamespaceInScope(caller, q.namespace, 'namespace');
    const { from, to } = resolveTimeRange(q, this.clock.now());
    const page = await this.flows.search({
      from,
      to,
      action: q.action,
      namespace: q.namespace,
      ip: q.ip,
      policy: q.policy,
      tier: q.tier,
      verdictMismatch: q.verdictMismatch === undefined ? undefined : q.verdictMismatch === 'true',
      scope: caller.namespaces,
      limit: q.limit ?? 100,
      before: q.cursor ? decodeCursor(q.cursor) : undefined,
    });
    return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : undefined };
  }
}
