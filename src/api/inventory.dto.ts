import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';

export class InventoryWriteQuery {
  @ApiPropertyOptional({ description: 'When the change took effect (RFC 3339); default now. For backfilling history.' })
  @IsOptional() @IsISO8601({ strict: true })
  validFrom?: string;
}

export class InventoryListQuery {
  @ApiPropertyOptional({ description: 'Model kind (e.g. Pod, GlobalNetworkPolicy, KubernetesNetworkPolicy) or manifest kind.' })
  @IsOptional() @IsString() @MaxLength(64)
  kind?: string;

  @ApiPropertyOptional({ description: 'Namespace; empty string for cluster-scoped resources.' })
  @IsOptional() @IsString() @MaxLength(253)
  namespace?: string;
}

export class AppliedResourceDto {
  @ApiProperty({ example: 'GlobalNetworkPolicy//security.deny-all' }) key!: string;
  @ApiProperty() kind!: string;
  @ApiProperty() namespace!: string;
  @ApiProperty() name!: string;
  @ApiProperty() validFrom!: string;
}

export class SkippedResourceDto {
  @ApiProperty() apiVersion!: string;
  @ApiProperty() kind!: string;
  @ApiProperty() namespace!: string;
  @ApiProperty() name!: string;
}

export class ApplyResultDto {
  @ApiProperty({ type: [AppliedResourceDto] }) applied!: AppliedResourceDto[];
  @ApiProperty({ type: [SkippedResourceDto], description: 'Kinds outside the policy model, accepted and ignored.' })
  skipped!: SkippedResourceDto[];
}

export class InventoryItemDto {
  @ApiProperty() key!: string;
  @ApiProperty() kind!: string;
  @ApiProperty() namespace!: string;
  @ApiProperty() name!: string;
  @ApiProperty() validFrom!: string;
  @ApiProperty() source!: string;
  @ApiProperty({ description: 'The manifest as applied.', type: 'object', additionalProperties: true }) manifest!: unknown;
}

export class InventoryListDto {
  @ApiProperty({ type: [InventoryItemDto] }) items!: InventoryItemDto[];
}
