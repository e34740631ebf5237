import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsIP, IsISO8601, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min, ValidateIf, ValidateNested } from 'class-validator';

const PEER_KINDS = ['Pod', 'WorkloadEndpoint', 'HostEndpoint', 'NetworkSet', 'GlobalNetworkSet'] as const;

export class PeerDto {
  @ApiPropertyOptional({ example: '10.244.1.5', description: 'An IP address; or name the endpoint instead.' })
  @ValidateIf((o: PeerDto) => o.name === undefined)
  @IsIP(undefined, { message: 'give an ip, or a name (with namespace for namespaced endpoints)' })
  ip?: string;

  @ApiPropertyOptional({ example: 'shop' })
  @IsOptional() @IsString() @MaxLength(253)
  namespace?: string;

  @ApiPropertyOptional({ example: 'web-1', description: 'Pod, host endpoint or network set name.' })
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(253)
  name?: string;

  @ApiPropertyOptional({ enum: PEER_KINDS, description: 'Default: Pod / WorkloadEndpoint / NetworkSet in a namespace, HostEndpoint / GlobalNetworkSet without.' })
  @IsOptional() @IsIn(PEER_KINDS)
  kind?: (typeof PEER_KINDS)[number];
}

export class ExplainRequestDto {
  @ApiProperty({ type: PeerDto })
  @ValidateNested() @Type(() => PeerDto)
  source!: PeerDto;

  @ApiProperty({ type: PeerDto })
  @ValidateNested() @Type(() => PeerDto)
  destination!: PeerDto;

  @ApiProperty({ example: 'tcp', description: 'Protocol name (tcp, udp, icmp, icmpv6, sctp, udplite) or number.' })
  @IsNotEmpty()
  protocol!: string | number;

  @ApiPropertyOptional({ example: 8080, description: 'Destination port.' })
  @IsOptional() @IsInt() @Min(0) @Max(65535)
  port?: number;

  @ApiPropertyOptional()
  @IsOptional() @IsInt() @Min(0) @Max(65535)
  sourcePort?: number;

  @ApiPropertyOptional()
  @IsOptional() @IsInt() @Min(0) @Max(255)
  icmpType?: number;

  @ApiPropertyOptional()
  @IsOptional() @IsInt() @Min(0) @Max(255)
  icmpCode?: number;

  @ApiPropertyOptional({ description: 'Explain against the inventory as of this instant (RFC 3339); default now.' })
  @IsOptional() @IsISO8601({ strict: true })
  time?: string;
}
