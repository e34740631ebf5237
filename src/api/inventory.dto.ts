import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { MODEL_KINDS } from '../policy/model';
import { IsTimestamp } from './query-values';

export class InventoryWriteQuery {
  @ApiPropertyOptional({ description: 'When the change took effect (RFC 3339); default now. For backfilling history.' })
  @IsOptional() @IsTimestamp()
  validFrom?: string;
}

export class InventoryListQuery {
  @ApiPropertyOptional({ enum: MODEL_KINDS, description: 'Model kind (e.g. Pod, GlobalNetworkPolicy, KubernetesNetworkPolicy) or manifest kind.' })
  @IsOptional() @IsIn(MODEL_KINDS, { message: `kind must be one of ${MODEL_KINDS.join(', ')}` })
  kind?: string;

  @ApiPropertyOptional({ description: 'Namespace; empty string for cluster-scoped resources.' })
  @IsOptional() @IsString({ message: 'namespace must be a string' })
  @Matches(/^$|^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: 'namespace must be a Kubernetes namespace name (lower-case letters, digits and "-", at most 63 characters), or empty for cluster-scoped resources' })
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
  @ApiProperty({ type: [String], description: 'Accepted, but probably not what was meant: e.g. a policy in a tier that is not declared (it is evaluated after every declared tier).' })
  warnings!: string[];
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
