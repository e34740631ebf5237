import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Clock } from '../clock/clock';
import { StatsRepository } from '../storage/stats.repository';
import { ApiErrorBody } from './api-error';
import { DecisionStatsDto, DecisionStatsQuery, HitStatsDto, HitStatsQuery, TimeSeriesDto, TimeSeriesQuery } from './stats.dto';
import { resolveTimeRange } from './time-range';

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
  async decisions(@Query() q: DecisionStatsQuery): Promise<DecisionStatsDto> {
    return { groups: await this.stats.decisions(resolveTimeRange(q, this.clock.now()), q, q.groupBy ?? [], q.limit ?? 100) };
  }

  @Get('timeseries')
  @ApiOperation({ summary: 'Flow counts over time, in buckets of `interval` minutes, gaps filled with zero.' })
  @ApiOkResponse({ type: TimeSeriesDto })
  async timeSeries(@Query() q: TimeSeriesQuery): Promise<TimeSeriesDto> {
    const interval = q.interval ?? 1;
    return { intervalMinutes: interval, buckets: await this.stats.timeSeries(resolveTimeRange(q, this.clock.now()), q, interval) };
  }

  @Get('hits')
  @ApiOperation({ summary: 'Hits of every policy in the attributed traces (Pass and end-of-tier included), per tier / policy / rule / action.' })
  @ApiOkResponse({ type: HitStatsDto })
  async hits(@Query() q: HitStatsQuery): Promise<HitStatsDto> {
    return { groups: await this.stats.hits(resolveTimeRange(q, this.clock.now()), q, q.groupBy ?? ['tier', 'policy', 'rule'], q.limit ?? 100) };
  }
}
