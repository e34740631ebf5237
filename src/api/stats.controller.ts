import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Caller } from '../auth/auth.decorators';
import { CallerIdentity } from '../auth/caller';
import { Clock } from '../clock/clock';
import { StatsRepository } from '../storage/stats.repository';
import { ApiErrorBody, fieldError } from './api-error';
import { DecisionStatsDto, DecisionStatsQuery, HitStatsDto, HitStatsQuery, TimeSeriesDto, TimeSeriesQuery } from './stats.dto';
import { toFlowFilter } from './flow-filter';
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
  @ApiOperation({ summary: 'Flow counts by what decided them (tier, policy, rule, action, namespaces), largest first: top-N and per-policy/tier/rule hit counts. Every flow-search filter applies. From per-minute rollups (the range widened to whole minutes, see `range`) unless a filter needs the stored flows.' })
  @ApiOkResponse({ type: DecisionStatsDto })
  async decisions(@Query() q: DecisionStatsQuery, @Caller() caller: CallerIdentity): Promise<DecisionStatsDto> {
    return this.stats.decisions(toFlowFilter(q, caller, this.clock.now()), q.groupBy ?? [], q.limit ?? 100);
  }

  @Get('timeseries')
  @ApiOperation({ summary: 'Flow counts over time, in buckets of `interval` minutes, gaps filled with zero. Every flow-search filter applies; `range` says whether the range was widened to whole minutes.' })
  @ApiOkResponse({ type: TimeSeriesDto })
  async timeSeries(@Query() q: TimeSeriesQuery, @Caller() caller: CallerIdentity): Promise<TimeSeriesDto> {
    const interval = q.interval ?? 1;
    const range = toFlowFilter(q, caller, this.clock.now());
    // The embedded engine hands a result over whole: bound it.
    const buckets = (range.to.getTime() - range.from.getTime()) / (interval * 60_000);
    if (buckets > MAX_BUCKETS) {
      const problem = `${Math.ceil(buckets)} buckets of ${interval} min in this range; at most ${MAX_BUCKETS}: widen the interval or narrow the range`;
      throw fieldError('interval', problem);
    }
    return { intervalMinutes: interval, ...(await this.stats.timeSeries(range, interval)) };
  }

  @Get('hits')
  @ApiOperation({ summary: 'Hits of every policy per tier / policy / rule / action, counted apart by kind: in the attributed traces (`hits`: Pass and end-of-tier included), of staged policies with them enforced (`pendingHits`), and of Log rules (`logHits`); largest total first. From per-minute rollups: the range is widened to whole minutes (see `range`).' })
  @ApiOkResponse({ type: HitStatsDto })
  async hits(@Query() q: HitStatsQuery, @Caller() caller: CallerIdentity): Promise<HitStatsDto> {
    return this.stats.hits(resolveTimeRange(q, this.clock.now()), { ...q, scope: caller.namespaces }, q.groupBy ?? ['tier', 'policy', 'rule'], q.limit ?? 100);
  }
}
