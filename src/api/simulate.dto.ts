import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { AnalysisWindowQuery, DEFAULT_TIME_LIMIT_S, MAX_TIME_LIMIT_S } from './analysis-window';

export class DeletionDto {
  @ApiProperty({ example: 'NetworkPolicy', description: 'Model kind or manifest kind.' })
  @IsString() @IsNotEmpty() @MaxLength(64)
  kind!: string;

  @ApiPropertyOptional({ example: 'db', description: 'Omit for cluster-scoped resources.' })
  @IsOptional() @IsString() @MaxLength(253)
  namespace?: string;

  @ApiProperty({ example: 'platform.pg-from-web', description: 'The model name (e.g. tier.name) or the manifest name.' })
  @IsString() @IsNotEmpty() @MaxLength(253)
  name!: string;
}

export class SimulateRequestDto extends AnalysisWindowQuery {
  @ApiPropertyOptional({
    description: 'Resources added or replacing the inventory\'s (same kind, namespace and name): YAML text (multi-document) or an array of manifest objects. Staged policies are judged by what promoting them would do.',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }],
  })
  @IsOptional()
  manifests?: string | unknown[];

  @ApiPropertyOptional({ type: [DeletionDto], description: 'Resources removed from the inventory.' })
  @IsOptional() @IsArray() @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => DeletionDto)
  deletions?: DeletionDto[];

  @ApiPropertyOptional({ description: 'Replay only flows with this source or destination namespace.' })
  @IsOptional() @IsString() @MaxLength(253)
  namespace?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_TIME_LIMIT_S, default: DEFAULT_TIME_LIMIT_S, description: 'Stop after this many seconds and return partial results (marked so).' })
  @IsOptional() @IsInt() @Min(1) @Max(MAX_TIME_LIMIT_S)
  timeLimitSeconds?: number;
}

export class ReplayEndpointDto {
  @ApiProperty() ip!: string;
  @ApiProperty() namespace!: string;
  @ApiProperty() name!: string;
}

export class ReplayDecisionDto {
  @ApiProperty({ enum: ['allow', 'deny'] }) verdict!: string;
  @ApiProperty({ enum: ['egress', 'ingress'], nullable: true, type: String, description: 'The denying side, else the ingress side.' }) direction!: string | null;
  @ApiProperty({ nullable: true, type: String, enum: ['rule', 'end-of-tier', 'profile', 'no-profile'] }) kind!: string | null;
  @ApiProperty({ nullable: true, type: String }) tier!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Inventory key.' }) policy!: string | null;
  @ApiProperty({ nullable: true, type: Number }) ruleIndex!: number | null;
}

export class FlowVerdictChangeDto {
  @ApiProperty({ type: ReplayEndpointDto }) source!: ReplayEndpointDto;
  @ApiProperty({ type: ReplayEndpointDto }) destination!: ReplayEndpointDto;
  @ApiProperty() protocol!: string;
  @ApiProperty() port!: number;
  @ApiProperty({ description: 'Stored flow records of the group.' }) records!: number;
  @ApiProperty() flows!: number;
  @ApiProperty() bytes!: number;
  @ApiProperty() firstSeen!: string;
  @ApiProperty() lastSeen!: string;
  @ApiProperty({ type: [String], description: 'Row ids of a few stored flows of the group.' }) sampleFlowIds!: string[];
  @ApiProperty({ type: ReplayDecisionDto }) before!: ReplayDecisionDto;
  @ApiProperty({ type: ReplayDecisionDto }) after!: ReplayDecisionDto;
}

export class ReplayDto {
  @ApiProperty({ description: 'Distinct flow groups (addresses, protocol, port, inventory state) in the window.' }) flowGroups!: number;
  @ApiProperty() evaluated!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty() changed!: number;
  @ApiProperty({ type: [FlowVerdictChangeDto], description: 'Every flow group that would go from allow to deny.' }) allowToDeny!: FlowVerdictChangeDto[];
  @ApiProperty({ type: [FlowVerdictChangeDto] }) denyToAllow!: FlowVerdictChangeDto[];
  @ApiProperty({ description: 'Groups the engine could not read (bad address or protocol), counted as unchanged.' }) unreadable!: number;
  @ApiProperty({ description: 'Groups whose decision rests on a rule criterion the stored flow cannot answer (ICMP type/code, HTTP request), taken as not matching.' }) uncertain!: number;
  @ApiProperty({ description: 'The time limit stopped the replay: counts cover `evaluated` groups only.' }) partial!: boolean;
  @ApiProperty({ description: 'The window held more distinct flows than one replay reads.' }) truncated!: boolean;
}

export class SimulateCandidateDto {
  @ApiProperty({ type: [String] }) upserts!: string[];
  @ApiProperty({ type: [String] }) deletions!: string[];
}

export class SimulateResultDto extends ReplayDto {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ type: SimulateCandidateDto, description: 'Inventory keys the candidate adds or replaces, and removes.' }) candidate!: SimulateCandidateDto;
}
