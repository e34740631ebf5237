import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsTimestamp } from './query-values';
import { fieldError } from './api-error';

const HOUR_MS = 3_600_000;

export class TimeRangeQuery {
  @ApiPropertyOptional({ description: 'Start of the time range (inclusive), RFC 3339. Default: one hour before `to`.' })
  @IsOptional() @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({ description: 'End of the time range (exclusive), RFC 3339. Default: now.' })
  @IsOptional() @IsTimestamp()
  to?: string;
}

/** Applies the defaults and checks the order; a reversed range is a 400 naming `from`. */
export function resolveTimeRange(q: TimeRangeQuery, now: Date): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - HOUR_MS);
  if (from >= to) {
    throw fieldError('from', 'must be before to');
  }
  return { from, to };
}
