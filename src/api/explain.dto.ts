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

export class ExplainedPeerDto {
  @ApiProperty({ nullable: true, type: String }) ip!: string | null;
  @ApiProperty({ enum: ['wep', 'hep', 'ns', 'net'] }) type!: string;
  @ApiProperty() namespace!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) labels!: Record<string, string>;
  @ApiProperty({ nullable: true, type: String }) serviceAccount!: string | null;
  @ApiProperty({ nullable: true, type: String }) node!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The longest-prefix network set containing the IP (inventory key).' }) networkSet!: string | null;
}

export class ExplainedDecisionDto {
  @ApiProperty({ enum: ['allow', 'deny'] }) verdict!: string;
  @ApiProperty({ enum: ['rule', 'end-of-tier', 'profile', 'no-profile'] }) kind!: string;
  @ApiProperty({ nullable: true, type: String }) tier!: string | null;
  @ApiProperty({ nullable: true, type: Number }) tierOrder!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Inventory key, Kind/namespace/name.' }) policy!: string | null;
  @ApiProperty({ nullable: true, type: Number }) policyOrder!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: '>= 0 the rule, -1 end of tier' }) ruleIndex!: number | null;
}

export class DecidedByDto extends ExplainedDecisionDto {
  @ApiProperty({ enum: ['egress', 'ingress'] }) direction!: string;
}

export class TraceHitDto {
  @ApiProperty() index!: number;
  @ApiProperty() tier!: string;
  @ApiProperty({ nullable: true, type: Number }) tierOrder!: number | null;
  @ApiProperty() policy!: string;
  @ApiProperty({ nullable: true, type: Number }) policyOrder!: number | null;
  @ApiProperty() ruleIndex!: number;
  @ApiProperty({ enum: ['allow', 'deny', 'pass'] }) action!: string;
}

export class LogHitDto {
  @ApiProperty() tier!: string;
  @ApiProperty() policy!: string;
  @ApiProperty() ruleIndex!: number;
  @ApiProperty({ description: 'How many trace hits came before the Log rule matched.' }) afterHit!: number;
}

export class ExplainedSideDto {
  @ApiProperty({ type: ExplainedDecisionDto }) decision!: ExplainedDecisionDto;
  @ApiProperty({ type: [TraceHitDto] }) trace!: TraceHitDto[];
  @ApiProperty({ type: [LogHitDto] }) logs!: LogHitDto[];
}

export class ExplainedDirectionDto {
  @ApiProperty({ type: ExplainedPeerDto }) endpoint!: ExplainedPeerDto;
  @ApiProperty({ type: ExplainedSideDto, description: 'Staged policies ignored.' }) enforced!: ExplainedSideDto;
  @ApiProperty({ type: ExplainedSideDto, description: 'Staged policies applied.' }) pending!: ExplainedSideDto;
}

export class ExplanationDto {
  @ApiProperty({ description: 'The instant whose inventory was used.' }) time!: string;
  @ApiProperty({ enum: ['allow', 'deny'] }) verdict!: string;
  @ApiProperty({ enum: ['allow', 'deny'] }) pendingVerdict!: string;
  @ApiProperty({ type: DecidedByDto, nullable: true, description: 'The denying side, else the last gate passed.' }) decidedBy!: DecidedByDto | null;
  @ApiProperty({ type: ExplainedPeerDto }) source!: ExplainedPeerDto;
  @ApiProperty({ type: ExplainedPeerDto }) destination!: ExplainedPeerDto;
  @ApiProperty({ type: ExplainedDirectionDto, nullable: true, description: 'Egress at the source; null when the source is not a pod or host endpoint.' }) egress!: ExplainedDirectionDto | null;
  @ApiProperty({ type: ExplainedDirectionDto, nullable: true, description: 'Ingress at the destination; null when it is not a pod or host endpoint.' }) ingress!: ExplainedDirectionDto | null;
}
