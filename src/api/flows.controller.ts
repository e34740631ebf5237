import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller } from '../auth/auth.decorators';
import { CallerIdentity } from '../auth/caller';
import { Clock } from '../clock/clock';
import { ExplainInputError, ExplainService, Explanation } from '../explain/explain.service';
import { FlowRepository, parseRowId, StoredFlowDetail } from '../storage/flow.repository';
import { ApiErrorBody, fieldError } from './api-error';
import { toFlowFilter } from './flow-filter';
import { FlowDetailDto, FlowPageDto, FlowSearchQuery } from './flow-search.dto';

function encodeCursor(c: { startTime: number; id: string }): string {
  return Buffer.from(JSON.stringify([c.startTime, c.id])).toString('base64url');
}

function decodeCursor(cursor: string): { startTime: number; id: string } {
  try {
    const [startTime, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof startTime === 'number' && typeof id === 'string' && parseRowId(id)) return { startTime, id };
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
    private readonly explainer: ExplainService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Search flows, newest first, paged by cursor.' })
  @ApiOkResponse({ type: FlowPageDto })
  @ApiBadRequestResponse({ type: ApiErrorBody })
  async search(@Query() q: FlowSearchQuery, @Caller() caller: CallerIdentity): Promise<FlowPageDto> {
    const filter = toFlowFilter(q, caller, this.clock.now());
    const page = await this.flows.search({ ...filter, limit: q.limit ?? 100, before: q.cursor ? decodeCursor(q.cursor) : undefined });
    return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : undefined };
  }

  @Get(':id')
  @ApiOperation({
    summary: 'One flow: what was reported (traces as received), the attributed trace, the rule text that decided, and the engine\'s computed evaluation of both sides at the flow\'s start.',
  })
  @ApiOkResponse({ type: FlowDetailDto })
  @ApiNotFoundResponse({ type: ApiErrorBody })
  async detail(@Param('id') id: string, @Caller() caller: CallerIdentity): Promise<FlowDetailDto> {
    const flow = await this.flows.byId(id, caller.namespaces);
    if (!flow) throw new NotFoundException(`no flow with id ${id}`);
    return { ...flow, computedEvaluation: this.evaluate(flow) };
  }

  /** The engine's evaluation of the same flow against the inventory valid at its start. */
  private evaluate(f: StoredFlowDetail): Explanation | { unavailable: string } {
    const peer = (e: StoredFlowDetail['src']) => (e.ip ? { ip: e.ip } : { namespace: e.namespace, name: e.name });
    try {
      return this.explainer.explain({
        source: peer(f.src),
        destination: peer(f.dst),
        protocol: f.protocol,
        port: f.dst.port,
        sourcePort: f.src.port,
        time: Date.parse(f.startTime),
      });
    } catch (err) {
      if (err instanceof ExplainInputError) return { unavailable: err.message };
      throw err;
    }
  }
}
