import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { fieldError } from './api-error';

const DAY_MS = 86_400_000;
export const DEFAULT_ANALYSIS_DAYS = 7;
const MAX_ANALYSIS_DAYS = 400;
/** Findings, suggestions and simulate share one time limit: a minute by default, ten at most. */
export const DEFAULT_TIME_LIMIT_S = 60;
export const MAX_TIME_LIMIT_S = 600;

export const timeLimitMs = (seconds: number | undefined) => (seconds ?? DEFAULT_TIME_LIMIT_S) * 1000;

/** The window findings, suggestions and replays look at: seven days up to now unless given. */
export class AnalysisWindowQuery {
  @ApiPropertyOptional({ description: 'Start of the window (inclusive), RFC 3339. Default: seven days before `to`.' })
  @IsOptional() @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'End of the window (exclusive), RFC 3339. Default: now.' })
  @IsOptional() @IsISO8601({ strict: true })
  to?: string;
}

/** A comma-separated query value as a list (repeated parameters arrive as one already). */
export const splitList = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').filter((v) => v !== '') : value);

/** The window, narrowed to the policies of a namespace, a tier or one policy: findings and suggestions alike. */
export class PolicyScopeQuery extends AnalysisWindowQuery {
  @ApiPropertyOptional({ description: 'Policies of this namespace (and traffic touching it).' })
  @IsOptional() @IsString() @MaxLength(253)
  namespace?: string;

  @ApiPropertyOptional({ description: 'Policies of this tier.' })
  @IsOptional() @IsString() @MaxLength(253)
  tier?: string;

  @ApiPropertyOptional({ description: 'One policy (inventory key, Kind/namespace/name).', example: 'NetworkPolicy/db/default.pg-access' })
  @IsOptional() @IsString() @MaxLength(600)
  policy?: string;
}

export function resolveAnalysisWindow(q: AnalysisWindowQuery, now: Date): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_ANALYSIS_DAYS * DAY_MS);
  if (from >= to) throw fieldError('from', 'must be before to');
  if (to.getTime() - from.getTime() > MAX_ANALYSIS_DAYS * DAY_MS) throw fieldError('from', `the window may span at most ${MAX_ANALYSIS_DAYS} days`);
  return { from, to };
}
