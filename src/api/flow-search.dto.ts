import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export class FlowSearchQuery {
  @ApiPropertyOptional({ description: 'Start of the time range (inclusive), RFC 3339. Default: one hour before `to`.' })
  @IsOptional() @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'End of the time range (exclusive), RFC 3339. Default: now.' })
  @IsOptional() @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: ['allow', 'deny', 'log'] })
  @IsOptional() @IsIn(['allow', 'deny', 'log'])
  action?: 'allow' | 'deny' | 'log';

  @ApiPropertyOptional({ description: 'Flows whose source or destination is in this namespace.' })
  @IsOptional() @IsString() @MaxLength(253)
  namespace?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page\'s `nextCursor`.' })
  @IsOptional() @Matches(/^[A-Za-z0-9_-]{1,512}$/, { message: 'cursor must be a value returned as nextCursor' })
  cursor?: string;
}

export class FlowDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: '2026-11-26T07:00:00.123Z' }) eventTime!: string;
  @ApiProperty({ enum: ['allow', 'deny', 'log'] }) action!: string;
  @ApiProperty({ enum: ['src', 'dst'] }) reporter!: string;
  @ApiProperty({ example: 'tcp' }) protocol!: string;
  @ApiProperty() srcIp!: string;
  @ApiProperty() srcPort!: number;
  @ApiProperty() srcNamespace!: string;
  @ApiProperty() srcName!: string;
  @ApiProperty() dstIp!: string;
  @ApiProperty() dstPort!: number;
  @ApiProperty() dstNamespace!: string;
  @ApiProperty() dstName!: string;
  @ApiProperty() node!: string;
  @ApiProperty() packetsIn!: number;
  @ApiProperty() packetsOut!: number;
  @ApiProperty() bytesIn!: number;
  @ApiProperty() bytesOut!: number;
  @ApiProperty({ type: [String] }) enforcedPolicies!: string[];
  @ApiProperty({ type: [String] }) pendingPolicies!: string[];
}

export class FlowPageDto {
  @ApiProperty({ type: [FlowDto] }) items!: FlowDto[];
  @ApiPropertyOptional({ description: 'Pass as `cursor` to get the next (older) page; absent on the last page.' })
  nextCursor?: string;
}
