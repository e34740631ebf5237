import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBooleanString, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { TimeRangeQuery } from './time-range';

export const DECISION_KINDS = ['rule', 'end-of-tier', 'profile', 'no-profile', 'log', 'unknown'] as const;
const IP_OR_CIDR = 'An IP address or a CIDR (10.0.0.0/8, fd00::/8).';
const SELECTOR = 'A Calico label selector on the endpoint\'s labels, e.g. `app == "web" && tier in {"fe", "be"}`.';

/** The filters flow search, exports and stats share. */
export class FlowFilterQuery extends TimeRangeQuery {
  @ApiPropertyOptional({ enum: ['allow', 'deny', 'log'] })
  @IsOptional() @IsIn(['allow', 'deny', 'log'])
  action?: 'allow' | 'deny' | 'log';

  @ApiPropertyOptional({ description: 'Flows whose source or destination is in this namespace.' })
  @IsOptional() @IsString() @MaxLength(253)
  namespace?: string;

  @ApiPropertyOptional({ description: `Flows whose source or destination IP matches. ${IP_OR_CIDR}` })
  @IsOptional() @IsString() @MaxLength(64)
  ip?: string;

  @ApiPropertyOptional({ description: 'Source namespace.' })
  @IsOptional() @IsString() @MaxLength(253)
  srcNamespace?: string;

  @ApiPropertyOptional({ description: 'Destination namespace.' })
  @IsOptional() @IsString() @MaxLength(253)
  dstNamespace?: string;

  @ApiPropertyOptional({ description: 'Source name or aggregated name (e.g. `web-1` or `web-7d9c-*`).' })
  @IsOptional() @IsString() @MaxLength(253)
  srcName?: string;

  @ApiPropertyOptional({ description: 'Destination name or aggregated name.' })
  @IsOptional() @IsString() @MaxLength(253)
  dstName?: string;

  @ApiPropertyOptional({ description: `Source labels. ${SELECTOR}` })
  @IsOptional() @IsString() @MaxLength(2000)
  srcSelector?: string;

  @ApiPropertyOptional({ description: `Destination labels. ${SELECTOR}` })
  @IsOptional() @IsString() @MaxLength(2000)
  dstSelector?: string;

  @ApiPropertyOptional({ description: `Source IP. ${IP_OR_CIDR}` })
  @IsOptional() @IsString() @MaxLength(64)
  srcIp?: string;

  @ApiPropertyOptional({ description: `Destination IP. ${IP_OR_CIDR}` })
  @IsOptional() @IsString() @MaxLength(64)
  dstIp?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 65535 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  srcPort?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 65535 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  dstPort?: number;

  @ApiPropertyOptional({ example: 'tcp', description: 'Protocol name (tcp, udp, icmp, icmpv6, sctp, ...) or number.' })
  @IsOptional() @IsString() @MaxLength(16)
  protocol?: string;

  @ApiPropertyOptional({ enum: ['src', 'dst', 'fwd'], description: 'Which side reported the flow (src: egress, dst: ingress policy).' })
  @IsOptional() @IsIn(['src', 'dst', 'fwd'])
  reporter?: 'src' | 'dst' | 'fwd';

  @ApiPropertyOptional({ description: 'Deciding policy, as its inventory key (e.g. GlobalNetworkPolicy//security.deny-all).' })
  @IsOptional() @IsString() @MaxLength(600)
  policy?: string;

  @ApiPropertyOptional({ description: 'Deciding tier.' })
  @IsOptional() @IsString() @MaxLength(253)
  tier?: string;

  @ApiPropertyOptional({ description: 'Deciding rule index: >= 0 a rule, -1 end of tier, -2 unknown.' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(-2) @Max(100000)
  ruleIndex?: number;

  @ApiPropertyOptional({ enum: DECISION_KINDS, description: 'What decided: a rule, the end of a tier, a profile, no profile (and log / unknown).' })
  @IsOptional() @IsIn(DECISION_KINDS)
  decisionKind?: (typeof DECISION_KINDS)[number];

  @ApiPropertyOptional({ description: 'Only flows whose reported and computed verdicts disagree (true) or agree (false).' })
  @IsOptional() @IsBooleanString()
  verdictMismatch?: 'true' | 'false';

  @ApiPropertyOptional({ description: 'Only flows whose verdict would change (true) or not (false) once staged policies are enforced.' })
  @IsOptional() @IsBooleanString()
  pendingVerdictDiffers?: 'true' | 'false';

  @ApiPropertyOptional({ description: 'Only flows with an endpoint missing from the inventory (true), or without (false).' })
  @IsOptional() @IsBooleanString()
  unknownEndpoint?: 'true' | 'false';
}
