import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { IsIntIn } from './query-values';
import { FlowDetailsDto } from './flow-details.dto';
import { FlowFilterQuery } from './flow-filter.dto';

export class FlowSearchQuery extends FlowFilterQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional() @IsIntIn(1, 1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page\'s `nextCursor`.' })
  @IsOptional() @Matches(/^[A-Za-z0-9_-]{1,512}$/, { message: 'cursor must be a value returned as nextCursor' })
  cursor?: string;
}

export class EndpointDto {
  @ApiProperty({ description: 'IP address; empty when the format carries none (Goldmane) or the record is aggregated.' }) ip!: string;
  @ApiProperty() port!: number;
  @ApiProperty({ enum: ['wep', 'hep', 'ns', 'net', ''], description: 'workload endpoint (pod), host endpoint, network set, other network' }) type!: string;
  @ApiProperty() namespace!: string;
  @ApiProperty() name!: string;
  @ApiProperty() aggregatedName!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) labels!: Record<string, string>;
  @ApiProperty() serviceAccount!: string;
  @ApiProperty() node!: string;
  @ApiProperty({ description: 'Controlling owner, Kind/name' }) owner!: string;
}

export class ReportedDto {
  @ApiProperty({ enum: ['allow', 'deny', ''], description: 'The verdict of the dataplane\'s own trace; empty when it sent none.' }) verdict!: string;
  @ApiProperty({ type: [String] }) enforced!: string[];
  @ApiProperty({ type: [String] }) pending!: string[];
}

export class ComputedDto {
  @ApiProperty({ enum: ['allow', 'deny', ''] }) verdict!: string;
  @ApiProperty({ enum: ['allow', 'deny', ''], description: 'With staged policies enforced.' }) pendingVerdict!: string;
}

export class DecisionDto {
  @ApiProperty({ enum: ['rule', 'end-of-tier', 'profile', 'no-profile', 'log', 'unknown', ''] }) kind!: string;
  @ApiProperty() tier!: string;
  @ApiProperty({ nullable: true, type: Number }) tierOrder!: number | null;
  @ApiProperty({ description: 'Inventory key of the deciding policy, Kind/namespace/name.' }) policy!: string;
  @ApiProperty({ nullable: true, type: Number }) policyOrder!: number | null;
  @ApiProperty({ description: '>= 0 the rule, -1 end of tier, -2 unknown' }) ruleIndex!: number;
  @ApiProperty({ enum: ['reported', 'computed', 'none'], description: 'Which trace this decision comes from.' }) source!: string;
}

export class FlagsDto {
  @ApiProperty() verdictMismatch!: boolean;
  @ApiProperty() unknownPolicy!: boolean;
  @ApiProperty() unknownEndpoint!: boolean;
  @ApiProperty({ description: 'The computed verdict rests on a rule with HTTP criteria the record could not answer (no method/path).' }) verdictUncertain!: boolean;
}

export class SourceDto {
  @ApiProperty({ enum: ['flowscope', 'calico', 'goldmane'] }) format!: string;
  @ApiProperty() topic!: string;
  @ApiProperty() partition!: number;
  @ApiProperty() offset!: string;
}

export class FlowDto {
  @ApiProperty({ description: 'The flow record\'s id: the Kafka coordinates it came from, topic/partition/offset/index, then @incarnation when the partition was re-created since flowscope first read it.' }) id!: string;
  @ApiProperty({ example: '2026-11-26T07:00:00.123Z' }) startTime!: string;
  @ApiProperty() endTime!: string;
  @ApiProperty({ enum: ['allow', 'deny', 'log'] }) action!: string;
  @ApiProperty({ enum: ['src', 'dst', 'fwd'] }) reporter!: string;
  @ApiProperty({ example: 'tcp' }) protocol!: string;
  @ApiProperty({ type: EndpointDto }) src!: EndpointDto;
  @ApiProperty({ type: EndpointDto }) dst!: EndpointDto;
  @ApiProperty() node!: string;
  @ApiProperty() numFlows!: number;
  @ApiProperty() packetsIn!: number;
  @ApiProperty() packetsOut!: number;
  @ApiProperty() bytesIn!: number;
  @ApiProperty() bytesOut!: number;
  @ApiProperty({ type: ReportedDto }) reported!: ReportedDto;
  @ApiProperty({ type: ComputedDto }) computed!: ComputedDto;
  @ApiProperty({ type: DecisionDto }) decision!: DecisionDto;
  @ApiProperty({ type: FlagsDto }) flags!: FlagsDto;
  @ApiProperty({ type: SourceDto, description: 'Where the record came from (Kafka coordinates).' }) source!: SourceDto;
  @ApiPropertyOptional({ type: FlowDetailsDto, description: 'Process, domains, TCP / HTTP statistics...: only when the record carried any.' })
  details?: FlowDetailsDto;
}

export class FlowPageDto {
  @ApiProperty({ type: [FlowDto] }) items!: FlowDto[];
  @ApiPropertyOptional({ description: 'Pass as `cursor` to get the next (older) page; absent on the last page.' })
  nextCursor?: string;
}

export class AttributedHitDto {
  @ApiProperty() tier!: string;
  @ApiProperty() policy!: string;
  @ApiProperty() ruleIndex!: number;
  @ApiProperty({ enum: ['allow', 'deny', 'pass', 'log'] }) action!: string;
}

export class AttributedTraceDto {
  @ApiProperty({ enum: ['reported', 'computed', 'none'] }) source!: string;
  @ApiProperty({ type: [AttributedHitDto] }) hits!: AttributedHitDto[];
}

export class PendingDecisionDto {
  @ApiProperty({ description: 'Deciding policy with staged policies enforced.' }) policy!: string;
  @ApiProperty() ruleIndex!: number;
}

export class FlowDetailDto extends FlowDto {
  @ApiProperty({ type: AttributedTraceDto, description: 'The trace the flow was attributed from.' }) trace!: AttributedTraceDto;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'The deciding rule as the policy states it; null when the policy is unknown.' })
  decidingRule!: unknown;
  @ApiProperty({ type: PendingDecisionDto }) pendingDecision!: PendingDecisionDto;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The engine\'s evaluation of this flow against the inventory valid at its start (the explain response), or `{unavailable: reason}` when an endpoint cannot be resolved.',
  })
  computedEvaluation!: unknown;
}
