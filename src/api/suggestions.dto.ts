import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { SUGGESTION_KINDS, SuggestionKind } from '../suggest/suggestion.types';
import { DEFAULT_TIME_LIMIT_S, MAX_TIME_LIMIT_S, PolicyScopeQuery, splitList } from './analysis-window';
import { ReplayDto } from './simulate.dto';

export class SuggestionsQueryDto extends PolicyScopeQuery {
  @ApiPropertyOptional({ description: `Comma-separated kinds: ${SUGGESTION_KINDS.join(', ')}. Default: all.` })
  @IsOptional() @Transform(splitList) @IsArray() @ArrayMaxSize(SUGGESTION_KINDS.length) @IsIn(SUGGESTION_KINDS, { each: true })
  kind?: SuggestionKind[];

  @ApiPropertyOptional({ minimum: 0, maximum: 65536, default: 0, description: 'Most never-seen addresses the CIDRs proposed for one rule may hold (0: exact addresses, merged only where complete).' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65536)
  cidrBudget?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_TIME_LIMIT_S, default: DEFAULT_TIME_LIMIT_S, description: 'Stop after this many seconds; unfinished replays are marked partial and never safe.' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_TIME_LIMIT_S)
  timeLimitSeconds?: number;
}

export class SuggestionQueryDto extends SuggestionsQueryDto {
  @ApiPropertyOptional({ enum: ['staged', 'enforced'], default: 'staged', description: 'Which form `Accept: application/yaml` returns.' })
  @IsOptional() @IsIn(['staged', 'enforced'])
  form?: 'staged' | 'enforced';
}

export class EvidenceDto {
  @ApiProperty() records!: number;
  @ApiProperty() flows!: number;
  @ApiProperty() bytes!: number;
  @ApiProperty() peers!: number;
  @ApiProperty({ type: [String] }) ports!: string[];
  @ApiProperty() firstSeen!: string;
  @ApiProperty() lastSeen!: string;
  @ApiProperty({ type: [String], description: 'Stored flows the proposed rules decide.' }) sampleFlowIds!: string[];
}

export class ConfidenceDto {
  @ApiProperty({ enum: ['high', 'medium', 'low'] }) level!: string;
  @ApiProperty() score!: number;
  @ApiProperty() daysWithData!: number;
  @ApiProperty() windowDays!: number;
  @ApiProperty() records!: number;
  @ApiProperty({ description: 'Share of peer/port pairs seen on two different days or more.' }) recurringShare!: number;
  @ApiProperty({ type: [String] }) reasons!: string[];
}

export class ContainmentDto {
  @ApiProperty() contained!: boolean;
  @ApiProperty({ type: [String] }) problems!: string[];
}

export class PlacementDto {
  @ApiProperty() tier!: string;
  @ApiProperty() order!: number;
  @ApiProperty() reason!: string;
}

export class SuggestionYamlDto {
  @ApiProperty() staged!: string;
  @ApiProperty() enforced!: string;
}

export class SuggestionResourcesDto {
  @ApiProperty({ type: 'object', additionalProperties: true }) staged!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) enforced!: Record<string, unknown>;
}

/** What a listing says of each suggestion: enough to choose one, not its resources (fetch it by id for those). */
export class SuggestionSummaryDto {
  @ApiProperty({ description: 'Derived from the proposal: the same inputs give the same id.' }) id!: string;
  @ApiProperty({ enum: SUGGESTION_KINDS }) kind!: string;
  @ApiProperty({ description: 'metadata.name of the proposed resource.' }) name!: string;
  @ApiProperty() findingId!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The policy it rewrites (inventory key).' }) policy!: string | null;
  @ApiProperty() namespace!: string;
  @ApiProperty() summary!: string;
  @ApiProperty({ type: PlacementDto, nullable: true }) placement!: PlacementDto | null;
  @ApiProperty({ type: EvidenceDto }) evidence!: EvidenceDto;
  @ApiProperty({ type: ConfidenceDto }) confidence!: ConfidenceDto;
  @ApiProperty({ type: ContainmentDto }) containment!: ContainmentDto;
  @ApiProperty({ description: 'The replay changed no verdict, ran to the end, and the rules only narrow the originals.' }) safe!: boolean;
}

export class ReplaySummaryDto {
  @ApiProperty({ description: 'Distinct flow groups (addresses, protocol, port, inventory state) in the window.' }) flowGroups!: number;
  @ApiProperty() evaluated!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty() changed!: number;
  @ApiProperty({ description: 'How many flow groups would go from allow to deny (the suggestion itself lists them).' }) allowToDenyCount!: number;
  @ApiProperty({ description: 'How many flow groups would go from deny to allow (the suggestion itself lists them).' }) denyToAllowCount!: number;
  @ApiProperty() unreadable!: number;
  @ApiProperty() uncertain!: number;
  @ApiProperty({ description: 'The time limit stopped the replay: counts cover `evaluated` groups only.' }) partial!: boolean;
}

export class SuggestionLinksDto {
  @ApiProperty({ description: 'The whole suggestion (resources, YAML, every changed flow), with this listing\'s window and filters.' }) self!: string;
}

export class SuggestionListItemDto extends SuggestionSummaryDto {
  @ApiProperty({ type: ReplaySummaryDto }) replay!: ReplaySummaryDto;
  @ApiProperty({ type: SuggestionLinksDto }) links!: SuggestionLinksDto;
}

export class SuggestionDto extends SuggestionSummaryDto {
  @ApiProperty({ type: SuggestionResourcesDto }) resources!: SuggestionResourcesDto;
  @ApiProperty({ type: SuggestionYamlDto }) yaml!: SuggestionYamlDto;
  @ApiProperty({ type: ReplayDto }) replay!: ReplayDto;
}

export class SuggestionListDto {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ description: 'The time limit stopped the analysis early.' }) partial!: boolean;
  @ApiProperty({ type: [SuggestionListItemDto], description: 'Without resources and YAML: `links.self` (GET /api/v1/suggestions/{id}) gives them.' }) items!: SuggestionListItemDto[];
}
