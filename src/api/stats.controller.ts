import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller } from '../auth/auth.decorators';
import { assertNamespaceInScope, CallerIdentity } from '../auth/caller';
import { Clock } from '../clock/clock';
import { StatsRepository } from '../storage/stats.repository';
import { ApiErrorBody, fieldError } from './api-error';
import { DecisionStatsDto, DecisionStatsQuery, HitStatsDto, HitStatsQuery, TimeSeriesDto, TimeSeriesQuery } from './stats.dto';
import { resolveTimeRange } from './time-range';

const MAX_BUCKETS = 10_000;

@ApiTags('stats')
@ApiBadRequestResponse({ type: ApiErrorBody })
@Controller('api/v1/stats')
export class StatsController {
  constructor(
    private readonly stats: StatsRepository,
    private readonly clock: Clock,
  ) {}

  @Get('decisions')
  @ApiOperation({ summary: 'Flow counts by what decided them (tier, policy, rule, action, namespaces), largest first: top-N and per-policy/tier/rule hit counts.' })
  @ApiOkResponse({ type: DecisionStatsDto })
  async decisions(@Query() q: DecisionStatsQuery, @Caller() caller: CallerIdentity): Promise<DecisionStatsDto> {
    assertNamespaceInScope(caller, q.namespace, 'namespace');
    return { groups: await this.stats.decisions(resolveTimeRange(q, this.clock.now()), { ...q, scope: caller.namespaces }, q.groupBy ?? [], q.limit ?? 100) };
  }

  @Get('timeseries')
  @ApiOperation({ summary: 'Flow counts over time, in buckets of `interval` minutes, gaps filled with zero.' })
  @ApiOkResponse({ type: TimeSeriesDto })
  async timeSeries(@Query() q: TimeSeriesQuery, @Caller() caller: CallerIdentity): Promise<TimeSeriesDto> {
    assertNamespaceInScope(caller, q.namespace, 'namespace');
    const interval = q.interval ?? 1;
    const range = resolveTimeRange(q, this.clock.now());
    // The embedded engine hands a result over whole: bound it.
    const buckets = (range.to.getTime() - range.from.getTime()) / (interval * 60_000);
    if (buckets > MAX_BUCKETS) {
      const problem = `${Math.ceil(buckets)} buckets of ${interval} min in this range; at most ${MAX_BUCKETS}: widen the interval or narrow the range`;
      throw fieldError('interval', problem);
    }
    return { intervalMinutes: interval, buckets: await this.stats.timeSeries(range, { ...q, scope: caller.namespaces }, interval) };
  }

  @Get('hits')
  @ApiOperation({ summary: 'Hits of every policy in the attributed traces (Pass and end-of-tier included), per tier / policy / rule / action.' })
  @ApiOkResponse({ type: HitStatsDto })
  async hits(@Query() q: HitStatsQuery, @Caller() caller: CallerIdentity): Promise<HitStatsDto> {
    return { groups: await this.stats.hits(resolveTimeRange(q, this.clock.now()), { ...q, scope: caller.namespaces }, q.groupBy ?? ['tier', 'policy', 'rule'], q.limit ?? 100) };
  }
}
