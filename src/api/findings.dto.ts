import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { FINDING_KINDS, FindingKind } from '../suggest/finding.types';
import { DEFAULT_TIME_LIMIT_S, MAX_TIME_LIMIT_S, PolicyScopeQuery, splitList } from './analysis-window';

export class FindingsQueryDto extends PolicyScopeQuery {
  @ApiPropertyOptional({ description: `Comma-separated kinds: ${FINDING_KINDS.join(', ')}. Default: all.`, example: 'unused,over-broad' })
  @IsOptional() @Transform(splitList) @IsArray() @ArrayMaxSize(FINDING_KINDS.length) @IsIn(FINDING_KINDS, { each: true })
  kind?: FindingKind[];

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_TIME_LIMIT_S, default: DEFAULT_TIME_LIMIT_S, description: 'Stop after this many seconds: analyses not finished are left out, `partial` is true and `covered` lists the kinds fully looked for.' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_TIME_LIMIT_S)
  timeLimitSeconds?: number;
}

export class RuleRefDto {
  @ApiProperty({ description: 'Inventory key.' }) policy!: string;
  @ApiProperty() tier!: string;
  @ApiProperty({ enum: ['ingress', 'egress'], nullable: true, type: String }) direction!: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'null: the whole policy.' }) ruleIndex!: number | null;
}

export class WindowDto {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
}

export class TrafficSummaryDto {
  @ApiProperty() records!: number;
  @ApiProperty() flows!: number;
  @ApiProperty() bytes!: number;
  @ApiProperty({ description: 'Distinct peers.' }) peers!: number;
  @ApiProperty({ type: [String], description: 'Ports used, merged into ranges.' }) ports!: string[];
  @ApiProperty() firstSeen!: string;
  @ApiProperty() lastSeen!: string;
}

export class UnusedDetailsDto {
  @ApiProperty({ nullable: true, type: String, description: 'Last hit before the window, of any version.' }) lastHitBefore!: string | null;
  @ApiProperty({ description: 'When the version in force took effect.' }) versionSince!: string;
}

export class UnprotectedDetailsDto {
  @ApiProperty() namespace!: string;
  @ApiProperty({ description: 'Owner (Kind/name) or pod name.' }) workload!: string;
  @ApiProperty({ type: [String] }) decidedBy!: string[];
  @ApiProperty({ type: TrafficSummaryDto, nullable: true }) ingress!: TrafficSummaryDto | null;
  @ApiProperty({ type: TrafficSummaryDto, nullable: true }) egress!: TrafficSummaryDto | null;
}

export class PortUseDto {
  @ApiProperty({ nullable: true, type: Number, description: 'null: named ports' }) permitted!: number | null;
  @ApiProperty({ type: [String] }) used!: string[];
  @ApiProperty({ nullable: true, type: Number }) unusedShare!: number | null;
}

export class PeerUseDto {
  @ApiProperty({ nullable: true, type: Number, description: 'Workloads the peer selector matches now.' }) permitted!: number | null;
  @ApiProperty() seen!: number;
  @ApiProperty({ nullable: true, type: Number }) unusedShare!: number | null;
  @ApiProperty({ description: 'The peer is all() or any namespace.' }) wide!: boolean;
}

export class NetUseDto {
  @ApiProperty({ nullable: true, type: Number }) addresses!: number | null;
  @ApiProperty() seen!: number;
  @ApiProperty({ nullable: true, type: Number }) unusedShare!: number | null;
}

export class OverBroadDetailsDto {
  @ApiProperty({ description: 'Share of the permitted space (peers x ports x addresses) never used, 0..1.' }) unusedShare!: number;
  @ApiProperty({ type: PortUseDto }) ports!: PortUseDto;
  @ApiProperty({ type: PeerUseDto }) peers!: PeerUseDto;
  @ApiProperty({ type: NetUseDto }) nets!: NetUseDto;
  @ApiProperty({ type: TrafficSummaryDto }) traffic!: TrafficSummaryDto;
}

export class CoverDetailsDto {
  @ApiProperty({ type: [RuleRefDto] }) coveredBy!: RuleRefDto[];
  @ApiProperty() action!: string;
  @ApiProperty({ type: [String] }) coveringActions!: string[];
}

export class FindingDto {
  @ApiProperty({ description: 'Derived from content: the same finding keeps its id.' }) id!: string;
  @ApiProperty({ enum: FINDING_KINDS }) kind!: string;
  @ApiProperty({ type: RuleRefDto, nullable: true }) subject!: RuleRefDto | null;
  @ApiProperty() namespace!: string;
  @ApiProperty() summary!: string;
  @ApiProperty({ type: WindowDto }) window!: WindowDto;
  @ApiPropertyOptional({ type: UnusedDetailsDto }) unused?: UnusedDetailsDto;
  @ApiPropertyOptional({ type: UnprotectedDetailsDto }) unprotected?: UnprotectedDetailsDto;
  @ApiPropertyOptional({ type: OverBroadDetailsDto }) overBroad?: OverBroadDetailsDto;
  @ApiPropertyOptional({ type: CoverDetailsDto }) cover?: CoverDetailsDto;
}

export class FindingListDto {
  @ApiProperty({ type: WindowDto }) window!: WindowDto;
  @ApiProperty({ description: 'The time limit stopped the analyses: kinds missing from `covered` were not (fully) looked for.' }) partial!: boolean;
  @ApiProperty({ enum: FINDING_KINDS, isArray: true, description: 'Kinds asked for whose analysis ran to the end.' }) covered!: string[];
  @ApiProperty({ type: [FindingDto] }) items!: FindingDto[];
}
