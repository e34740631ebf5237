import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsIntIn, IsListOf } from './query-values';
import { DECISION_DIMENSIONS, DecisionDimension, HIT_DIMENSIONS, HitDimension } from '../storage/stats.repository';
import { TimeRangeQuery } from './time-range';

class DecisionFilterQuery extends TimeRangeQuery {
  @ApiPropertyOptional({ enum: ['allow', 'deny', 'log'] })
  @IsOptional() @IsIn(['allow', 'deny', 'log'], { message: 'action must be one of allow, deny, log' })
  action?: string;

  @ApiPropertyOptional({ description: 'Deciding tier.' })
  @IsOptional() @IsString() @MaxLength(253)
  tier?: string;

  @ApiPropertyOptional({ description: 'Deciding policy (inventory key).' })
  @IsOptional() @IsString() @MaxLength(600)
  policy?: string;

  @ApiPropertyOptional({ description: 'Source or destination namespace.' })
  @IsOptional() @IsString() @MaxLength(253)
  namespace?: string;
}

export class DecisionStatsQuery extends DecisionFilterQuery {
  @ApiPropertyOptional({ description: `Comma-separated dimensions: ${Object.keys(DECISION_DIMENSIONS).join(', ')}. None: one total.`, example: 'tier,policy' })
  @IsOptional() @IsListOf(Object.keys(DECISION_DIMENSIONS), 8)
  groupBy?: DecisionDimension[];

  @ApiPropertyOptional({ minimum: 1, maximum: 10000, default: 100, description: 'Top-N: the largest groups first.' })
  @IsOptional() @IsIntIn(1, 10000)
  limit?: number;
}

export class TimeSeriesQuery extends DecisionFilterQuery {
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
  @ApiProperty() hits!: number;
  @ApiProperty() flows!: number;
}

export class DecisionStatsDto {
  @ApiProperty({ type: [DecisionGroupDto] }) groups!: DecisionGroupDto[];
}

export class TimeSeriesDto {
  @ApiProperty() intervalMinutes!: number;
  @ApiProperty({ type: [TimeBucketDto] }) buckets!: TimeBucketDto[];
}

export class HitStatsDto {
  @ApiProperty({ type: [HitGroupDto] }) groups!: HitGroupDto[];
}
