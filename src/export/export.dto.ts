import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBooleanString, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { FlowFilterQuery } from '../api/flow-filter.dto';

export class ExportQuery extends FlowFilterQuery {
  @ApiPropertyOptional({ enum: ['csv', 'ndjson'], description: 'Default: from the Accept header (text/csv, application/x-ndjson), else csv.' })
  @IsOptional() @IsIn(['csv', 'ndjson'])
  format?: 'csv' | 'ndjson';

  @ApiPropertyOptional({
    description:
      'true: the response ends with an HTTP trailer X-Flowscope-Body-Sha256, and GET /api/v1/exports/{id}/manifest returns the manifest (SHA-256 of the body, signed when the service has a signing key). The export id is in the X-Flowscope-Export-Id header.',
  })
  @IsOptional() @IsBooleanString()
  manifest?: 'true' | 'false';
}

export class ExportLogQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit?: number;
}

export class ExportLogEntryDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The API key that exported.' }) keyId!: string;
  @ApiProperty() keyName!: string;
  @ApiProperty() startedAt!: string;
  @ApiProperty({ nullable: true, type: String }) finishedAt!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The filters as given.' }) filters!: Record<string, unknown>;
  @ApiProperty({ enum: ['csv', 'ndjson'] }) format!: string;
  @ApiProperty() rows!: number;
  @ApiProperty() bytes!: number;
  @ApiProperty({ enum: ['running', 'completed', 'aborted', 'failed'], description: 'aborted: the client went away; running: still going (or the service stopped mid-export).' }) status!: string;
  @ApiProperty({ description: 'SHA-256 (hex) of the bytes sent.' }) bodySha256!: string;
}

export class ExportLogDto {
  @ApiProperty({ type: [ExportLogEntryDto] }) items!: ExportLogEntryDto[];
}

export class ExportManifestDto {
  @ApiProperty({ type: ExportLogEntryDto }) export!: ExportLogEntryDto;
  @ApiProperty({ nullable: true, type: String, description: 'HMAC-SHA256 (hex) of the JSON text of `export` under the service\'s signing key; null when none is configured.' })
  signature!: string | null;
}
