import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { TimeRangeQuery } from './time-range';
import { CoveredRangeDto } from './stats.dto';

export class PolicyActivityQuery extends TimeRangeQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10, description: 'How many peer pairs to list.' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100)
  topPeers?: number;
}

export class RuleActivityDto {
  @ApiProperty({ enum: ['ingress', 'egress', 'forward'], description: 'Rule numbers restart per direction.' }) direction!: string;
  @ApiProperty({ description: '>= 0 a rule, -1 the end of the tier (no rule matched), -2 unknown.' }) ruleIndex!: number;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'The rule as the policy states it now; null when unknown.' }) rule!: unknown;
  @ApiProperty({ description: 'Hits in the attributed traces.' }) hits!: number;
  @ApiProperty({ description: 'Flows this rule decides with staged policies enforced (how a staged policy\'s rules are counted).' }) pendingHits!: number;
  @ApiProperty({ description: 'Matches as a Log rule.' }) logHits!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: { allow: 12, pass: 3 }, description: 'Trace hits by action.' }) byAction!: Record<string, number>;
  @ApiProperty() flows!: number;
  @ApiProperty({ nullable: true, type: String }) firstSeen!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastSeen!: string | null;
}

export class PeerActivityDto {
  @ApiProperty() srcNamespace!: string;
  @ApiProperty({ description: 'Name, else aggregated name, else IP.' }) src!: string;
  @ApiProperty() dstNamespace!: string;
  @ApiProperty() dst!: string;
  @ApiProperty() records!: number;
  @ApiProperty() flows!: number;
  @ApiProperty() lastSeen!: string;
}

export class PolicyActivityDto {
  @ApiProperty({ example: 'GlobalNetworkPolicy//security.baseline' }) policy!: string;
  @ApiProperty({ description: 'The policy is in the current inventory.' }) known!: boolean;
  @ApiProperty() staged!: boolean;
  @ApiProperty({ nullable: true, type: String }) tier!: string | null;
  @ApiProperty({ type: CoveredRangeDto, description: "Rule hits come from rollups by minute (by hour for the range's whole hours): the range is widened to whole minutes." }) range!: CoveredRangeDto;
  @ApiProperty({ type: [RuleActivityDto], description: 'Every rule of the policy (unused ones with zero hits), then any other rule index seen.' }) rules!: RuleActivityDto[];
  @ApiProperty({ type: [PeerActivityDto], description: 'Busiest source / destination pairs among the flows the policy traced or decided (exact range).' }) topPeers!: PeerActivityDto[];
}
