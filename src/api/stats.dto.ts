import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsIntIn, IsListOf } from './query-values';
import { DECISION_DIMENSIONS, DecisionDimension, HIT_DIMENSIONS, HitDimension } from '../storage/stats.repository';
import { FlowFilterQuery } from './flow-filter.dto';
import { TimeRangeQuery } from './time-range';

export class DecisionStatsQuery extends FlowFilterQuery {
  @ApiPropertyOptional({ description: `Comma-separated dimensions: ${Object.keys(DECISION_DIMENSIONS).join(', ')}. None: one total.`, example: 'tier,policy' })
  @IsOptional() @IsListOf(Object.keys(DECISION_DIMENSIONS), 8)
  groupBy?: DecisionDimension[];

  @ApiPropertyOptional({ minimum: 1, maximum: 10000, default: 100, description: 'Top-N: the largest groups first.' })
  @IsOptional() @IsIntIn(1, 10000)
  limit?: number;
}

export class TimeSeriesQuery extends FlowFilterQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 1440, default: 1, description: 'Bucket width in minutes.' })
  @IsOptional() @IsIntIn(1, 1440)
  interval?: number;
}

export class HitStatsQuery extends TimeRangeQuery {
  @ApiPropertyOptional({ description: `Comma-separated dimensions: ${Object.keys(HIT_DIMENSIONS).join(', ')}.`, example: 'tier,policy,rule' })
  @IsOptional() @IsListOf(Object.keys(HIT_DIMENSIONS), 5)
  groupBy?: HitDimension[];

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(253)
  tier?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(600)
  policy?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 10000, default: 100 })
  @IsOptional() @IsIntIn(1, 10000)
  limit?: number;
}

export class CountsDto {
  @ApiProperty({ description: 'Flow records.' }) records!: number;
  @ApiProperty({ description: 'Connections (5-tuples) in those records.' }) flows!: number;
  @ApiProperty() bytes!: number;
  @ApiProperty() packets!: number;
  @ApiProperty({ description: 'Records whose reported and computed verdicts disagree.' }) mismatches!: number;
}

export class DecisionGroupDto extends CountsDto {
  @ApiProperty({ type: 'object', additionalProperties: true, example: { tier: 'security', policy: 'GlobalNetworkPolicy//security.baseline' } })
  key!: Record<string, string | number>;
}

export class TimeBucketDto extends CountsDto {
  @ApiProperty() time!: string;
}

export class HitGroupDto {
  @ApiProperty({ type: 'object', additionalProperties: true }) key!: Record<string, string | number>;
  @ApiProperty({ description: 'Hits in the attributed traces: the enforced evaluation, Pass and end-of-tier included.' }) hits!: number;
  @ApiProperty({
    description:
      "Flows decided by this rule with staged policies enforced (the pending evaluation): how a staged policy's rules are counted. Those hits have no tier: grouped by tier, they are under tier '' (and a `tier` filter leaves them out). `action` is then the verdict the rule would give.",
  })
  pendingHits!: number;
  @ApiProperty({ description: 'Matches of a Log rule (from the log events that name it); `action` is then `log`.' }) logHits!: number;
  @ApiProperty({ description: 'Connections (5-tuples) in the records of the trace hits.' }) flows!: number;
}

export class CoveredRangeDto {
  @ApiProperty({ description: 'Start of the range the counts cover.' }) from!: string;
  @ApiProperty({ description: 'End (exclusive) of the range the counts cover.' }) to!: string;
  @ApiProperty({
    description:
      'true: the counts come from per-minute rollups, so the requested range was widened to whole minutes (from rounded down, to rounded up). false: counted from the stored flows, exactly the requested range (filters the rollups do not have: IPs, ports, names, labels, protocol, flags).',
  })
  roundedToMinutes!: boolean;
}

export class DecisionStatsDto {
  @ApiProperty({ type: CoveredRangeDto }) range!: CoveredRangeDto;
  @ApiProperty({ type: [DecisionGroupDto] }) groups!: DecisionGroupDto[];
}

export class TimeSeriesDto {
  @ApiProperty() intervalMinutes!: number;
  @ApiProperty({ type: CoveredRangeDto }) range!: CoveredRangeDto;
  @ApiProperty({ type: [TimeBucketDto] }) buckets!: TimeBucketDto[];
}

export class HitStatsDto {
  @ApiProperty({ type: CoveredRangeDto, description: 'Always whole minutes (per-minute rollups).' }) range!: CoveredRangeDto;
  @ApiProperty({ type: [HitGroupDto] }) groups!: HitGroupDto[];
}
