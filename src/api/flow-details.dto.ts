import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FlowProcessDto {
  @ApiProperty({ example: '/usr/bin/curl', description: "Executable; '' when not reported." }) name!: string;
  @ApiProperty({ description: 'Distinct process names the aggregated record covers.' }) names!: number;
  @ApiProperty({ example: '4242', description: "Process id as reported ('*' for several); '' when not reported." }) id!: string;
  @ApiProperty() ids!: number;
  @ApiProperty({ type: [String] }) args!: string[];
  @ApiProperty() argsCount!: number;
}

export class FlowTcpStatsDto {
  @ApiPropertyOptional({ description: 'Mean smoothed RTT, microseconds' }) meanSmoothRttUs?: number;
  @ApiPropertyOptional({ description: 'Max smoothed RTT, microseconds' }) maxSmoothRttUs?: number;
  @ApiPropertyOptional({ description: 'Mean minimum RTT, microseconds' }) meanMinRttUs?: number;
  @ApiPropertyOptional({ description: 'Max minimum RTT, microseconds' }) maxMinRttUs?: number;
  @ApiPropertyOptional() meanSendCongestionWindow?: number;
  @ApiPropertyOptional() minSendCongestionWindow?: number;
  @ApiPropertyOptional() meanMss?: number;
  @ApiPropertyOptional() minMss?: number;
  @ApiPropertyOptional() totalRetransmissions?: number;
  @ApiPropertyOptional() lostPackets?: number;
  @ApiPropertyOptional() unrecoveredTimeouts?: number;
}

export class FlowHttpCountsDto {
  @ApiProperty() allowedIn!: number;
  @ApiProperty() deniedIn!: number;
}

/** Extras a record carried; each part present only when the record reported it. */
export class FlowDetailsDto {
  @ApiPropertyOptional({ type: FlowProcessDto }) process?: FlowProcessDto;
  @ApiPropertyOptional({ type: [String] }) destDomains?: string[];
  @ApiPropertyOptional({ type: [String] }) originalSourceIps?: string[];
  @ApiPropertyOptional() originalSourceIpCount?: number;
  @ApiPropertyOptional({ type: [Number] }) natOutgoingPorts?: number[];
  @ApiPropertyOptional({ type: FlowTcpStatsDto }) tcp?: FlowTcpStatsDto;
  @ApiPropertyOptional({ type: FlowHttpCountsDto }) http?: FlowHttpCountsDto;
  @ApiPropertyOptional({ type: [String], description: 'Transit (forwarding) hits of a record that also had an enforced trace.' })
  transitPolicies?: string[];
}
