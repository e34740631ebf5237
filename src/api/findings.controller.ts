import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller } from '../auth/auth.decorators';
import { assertNamespaceInScope, CallerIdentity } from '../auth/caller';
import { Clock } from '../clock/clock';
import { FindingsService } from '../suggest/findings.service';
import { resolveAnalysisWindow, timeLimitMs } from './analysis-window';
import { ApiErrorBody } from './api-error';
import { FindingListDto, FindingsQueryDto } from './findings.dto';

@ApiTags('suggestions')
@Controller('api/v1/findings')
export class FindingsController {
  constructor(
    private readonly findings: FindingsService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Findings over a window (default 7 days): unused and recently changed rules, unprotected workloads, over-broad allows, shadowed / redundant / generalized / correlated rules. Stops at the time limit with partial results marked so.' })
  @ApiOkResponse({ type: FindingListDto })
  @ApiBadRequestResponse({ type: ApiErrorBody })
  async list(@Query() q: FindingsQueryDto, @Caller() caller: CallerIdentity): Promise<FindingListDto> {
    assertNamespaceInScope(caller, q.namespace, 'namespace');
    const window = resolveAnalysisWindow(q, this.clock.now());
    const query = { window, namespace: q.namespace, tier: q.tier, policy: q.policy, kinds: q.kind, timeLimitMs: timeLimitMs(q.timeLimitSeconds) };
    const r = await this.findings.findings(query, caller.namespaces);
    return { window: { from: window.from.toISOString(), to: window.to.toISOString() }, partial: r.partial, covered: r.covered, items: r.items };
  }
}
