import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsIP, IsObject, IsOptional, IsString, Matches, Max, Min, Validate, ValidateIf, ValidateNested } from 'class-validator';
import { IsProtocolConstraint, IsTimestamp, K8S_NAME } from './query-values';

const PEER_KINDS = ['Pod', 'WorkloadEndpoint', 'HostEndpoint', 'NetworkSet', 'GlobalNetworkSet'] as const;
const NAME_HINT = 'a Kubernetes object name (lower-case letters, digits, "-" and ".", at most 253 characters)';

export class PeerDto {
  @ApiPropertyOptional({ example: '10.244.1.5', description: 'An IP address; or name the endpoint instead (both: they must agree).' })
  @ValidateIf((o: PeerDto) => o.name === undefined || o.ip !== undefined)
  @IsIP(undefined, { message: ({ value }) => (value === undefined ? 'give an ip, or a name (with namespace for namespaced endpoints)' : `ip must be a valid IPv4 or IPv6 address, got ${JSON.stringify(value)}`) })
  ip?: string;

  @ApiPropertyOptional({ example: 'shop' })
  @IsOptional() @IsString({ message: 'namespace must be a string' }) @Matches(K8S_NAME, { message: `namespace must be ${NAME_HINT}` })
  namespace?: string;

  @ApiPropertyOptional({ example: 'web-1', description: 'Pod, host endpoint or network set name.' })
  @IsOptional() @IsString({ message: 'name must be a string' }) @Matches(K8S_NAME, { message: `name must be ${NAME_HINT}` })
  name?: string;

  @ApiPropertyOptional({ enum: PEER_KINDS, description: 'Default: Pod / WorkloadEndpoint / NetworkSet in a namespace, HostEndpoint / GlobalNetworkSet without.' })
  @IsOptional() @IsIn(PEER_KINDS, { message: `kind must be one of ${PEER_KINDS.join(', ')}` })
  kind?: (typeof PEER_KINDS)[number];
}

export class HttpRequestDto {
  @ApiPropertyOptional({ example: 'GET' })
  @IsOptional() @IsString({ message: 'method must be a string' }) @Matches(/^[A-Za-z]{1,32}$/, { message: 'method must be an HTTP method name such as GET' })
  method?: string;

  @ApiPropertyOptional({ example: '/api/items' })
  @IsOptional() @IsString({ message: 'path must be a string' }) @Matches(/^\/\S{0,2047}$/, { message: 'path must start with "/" and contain no spaces (at most 2048 characters)' })
  path?: string;
}

const int = (field: string, min: number, max: number) => ({ message: `${field} must be an integer in ${min}-${max}` });

export class ExplainRequestDto {
  @ApiProperty({ type: PeerDto })
  @IsDefined({ message: 'source is required: {ip} or {namespace, name}' }) @IsObject({ message: 'source must be an object: {ip} or {namespace, name}' }) @ValidateNested() @Type(() => PeerDto)
  source!: PeerDto;

  @ApiProperty({ type: PeerDto })
  @IsDefined({ message: 'destination is required: {ip} or {namespace, name}' }) @IsObject({ message: 'destination must be an object: {ip} or {namespace, name}' }) @ValidateNested() @Type(() => PeerDto)
  destination!: PeerDto;

  @ApiProperty({ example: 'tcp', description: 'Protocol name (tcp, udp, icmp, icmpv6, sctp, udplite) or number 1-255.' })
  @IsDefined({ message: 'protocol is required (tcp, udp, icmp, icmpv6, sctp, udplite or 1-255)' })
  @Validate(IsProtocolConstraint)
  protocol!: string | number;

  @ApiPropertyOptional({ example: 8080, description: 'Destination port: required for TCP, UDP and SCTP, refused for other protocols.' })
  @IsOptional() @Min(0, int('port', 0, 65535)) @Max(65535, int('port', 0, 65535)) @IsInt(int('port', 0, 65535))
  port?: number;

  @ApiPropertyOptional({ description: 'Source port (TCP, UDP, SCTP).' })
  @IsOptional() @Min(0, int('sourcePort', 0, 65535)) @Max(65535, int('sourcePort', 0, 65535)) @IsInt(int('sourcePort', 0, 65535))
  sourcePort?: number;

  @ApiPropertyOptional({ description: 'ICMP / ICMPv6 only.' })
  @IsOptional() @Min(0, int('icmpType', 0, 255)) @Max(255, int('icmpType', 0, 255)) @IsInt(int('icmpType', 0, 255))
  icmpType?: number;

  @ApiPropertyOptional({ description: 'ICMP / ICMPv6 only, with icmpType.' })
  @IsOptional() @Min(0, int('icmpCode', 0, 255)) @Max(255, int('icmpCode', 0, 255)) @IsInt(int('icmpCode', 0, 255))
  icmpCode?: number;

  @ApiPropertyOptional({ type: HttpRequestDto, description: 'The HTTP request (TCP only), for rules with HTTP match; without it such rules are reported as uncertain.' })
  @IsOptional() @IsObject({ message: 'http must be an object {method, path}' }) @ValidateNested() @Type(() => HttpRequestDto)
  http?: HttpRequestDto;

  @ApiPropertyOptional({ description: 'Explain against the inventory as of this instant (RFC 3339); default now.' })
  @IsOptional() @IsTimestamp()
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

export class ExplainedRuleDto {
  @ApiProperty({ example: 'spec.ingress[1]', description: 'Where the rule is in its manifest (for Kubernetes policies, the Kubernetes rule Calico expanded into this one).' }) manifestPath!: string;
  @ApiProperty({ example: '{ action: Allow, protocol: TCP, destination: { ports: [ 5432 ] } }', description: 'The rule as written.' }) text!: string;
}

export class ExplainedDecisionDto {
  @ApiProperty({ enum: ['allow', 'deny'] }) verdict!: string;
  @ApiProperty({ enum: ['rule', 'end-of-tier', 'profile', 'no-profile'] }) kind!: string;
  @ApiProperty({ nullable: true, type: String }) tier!: string | null;
  @ApiProperty({ nullable: true, type: Number }) tierOrder!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Inventory key, Kind/namespace/name.' }) policy!: string | null;
  @ApiProperty({ nullable: true, type: Number }) policyOrder!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: '>= 0 the rule, -1 end of tier' }) ruleIndex!: number | null;
  @ApiProperty({ example: 'end of tier default: Deny; last applying policy KubernetesNetworkPolicy/db/knp.default.default-deny' }) label!: string;
  @ApiProperty({ type: ExplainedRuleDto, nullable: true }) rule!: ExplainedRuleDto | null;
  @ApiProperty({ description: 'A rule with HTTP criteria could not be checked (no method/path given): the decision may differ.' }) uncertain!: boolean;
}

export class ExplainedStepDto {
  @ApiProperty({ description: 'Inventory key.' }) policy!: string;
  @ApiProperty({ nullable: true, type: Number }) order!: number | null;
  @ApiProperty() staged!: boolean;
  @ApiProperty({ enum: ['allow', 'deny', 'pass', 'no-match'] }) outcome!: string;
  @ApiProperty({ nullable: true, type: Number }) ruleIndex!: number | null;
  @ApiProperty({ type: ExplainedRuleDto, nullable: true }) rule!: ExplainedRuleDto | null;
  @ApiProperty({ type: [String], example: ['rule 0: port 80 not in [6379]'], description: 'Why each rule tried did not match.' }) why!: string[];
  @ApiProperty({ type: [Number], description: 'Log rules that matched.' }) logged!: number[];
}

export class ExplainedTierDto {
  @ApiProperty() tier!: string;
  @ApiProperty({ nullable: true, type: Number }) order!: number | null;
  @ApiProperty({ enum: ['Deny', 'Pass'] }) defaultAction!: string;
  @ApiProperty({ type: [ExplainedStepDto], description: 'Applying policies in order, up to the one that decided or passed.' }) policies!: ExplainedStepDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Set when no policy of the tier decided.' }) endOfTier!: string | null;
}

export class ExplainedPathDto {
  @ApiProperty({ type: [ExplainedTierDto] }) tiers!: ExplainedTierDto[];
  @ApiProperty({ type: [ExplainedStepDto], description: 'Profiles tried after the tiers.' }) profiles!: ExplainedStepDto[];
  @ApiProperty({ description: 'The endpoint has no profile: deny, reported as __PROFILE__.' }) noProfile!: boolean;
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
  @ApiProperty({ type: ExplainedPathDto, description: 'Every applying tier and policy in order, up to the decision.' }) path!: ExplainedPathDto;
}

export class ExplainedDirectionDto {
  @ApiProperty({ type: ExplainedPeerDto }) endpoint!: ExplainedPeerDto;
  @ApiProperty({ type: ExplainedSideDto, description: 'Staged policies ignored.' }) enforced!: ExplainedSideDto;
  @ApiProperty({ type: ExplainedSideDto, description: 'Staged policies applied.' }) pending!: ExplainedSideDto;
}

export class ExplanationDto {
  @ApiProperty({ description: 'The instant whose inventory was used.' }) time!: string;
  @ApiProperty({ enum: ['allow', 'deny', 'not-evaluated'], description: '`not-evaluated`: neither side is an endpoint of the cluster.' }) verdict!: string;
  @ApiProperty({ enum: ['allow', 'deny', 'not-evaluated'], description: 'With staged policies applied.' }) pendingVerdict!: string;
  @ApiProperty({ description: 'The verdict rests on a rule with HTTP criteria that could not be checked.' }) uncertain!: boolean;
  @ApiProperty({ example: 'deny: ingress at the destination, end of tier default: Deny; last applying policy KubernetesNetworkPolicy/db/knp.default.default-deny' }) summary!: string;
  @ApiProperty({ type: DecidedByDto, nullable: true, description: 'The denying side, else the last gate passed.' }) decidedBy!: DecidedByDto | null;
  @ApiProperty({ type: DecidedByDto, nullable: true, description: 'The same with staged policies applied.' }) pendingDecidedBy!: DecidedByDto | null;
  @ApiProperty({ type: ExplainedPeerDto }) source!: ExplainedPeerDto;
  @ApiProperty({ type: ExplainedPeerDto }) destination!: ExplainedPeerDto;
  @ApiProperty({ type: ExplainedDirectionDto, nullable: true, description: 'Egress at the source; null when the source is not a pod or host endpoint.' }) egress!: ExplainedDirectionDto | null;
  @ApiProperty({ type: ExplainedDirectionDto, nullable: true, description: 'Ingress at the destination; null when it is not a pod or host endpoint.' }) ingress!: ExplainedDirectionDto | null;
}
