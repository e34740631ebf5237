import type { TrafficEdge } from '../storage/suggest.repository';
import { Confidence } from './suggestion.types';

const DAY = 86_400_000;

/**
 * Confidence from coverage, not from a timer: the share of the window's days with data, the
 * volume of traffic behind the proposal, and whether each peer/port pair recurred (seen on two
 * different days: a daily job seen once may simply not have run again yet).
 */
export function confidenceOf(edges: readonly TrafficEdge[], daysWithData: number, window: { from: number; to: number }): Confidence {
  const windowDays = Math.max(1, Math.ceil((window.to - window.from) / DAY));
  const records = edges.reduce((n, e) => n + e.records, 0);
  const recurring = edges.filter((e) => Math.floor(e.lastSeen / DAY) > Math.floor(e.firstSeen / DAY)).length;
  const recurringShare = edges.length ? recurring / edges.length : 0;
  const coverage = Math.min(1, daysWithData / windowDays);
  const volume = Math.min(1, Math.log10(records + 1) / 3);
  const score = Math.round(coverage * volume * (0.5 + 0.5 * recurringShare) * 1000) / 1000;
  const reasons: string[] = [];
  if (coverage < 1) reasons.push(`data on ${daysWithData} of ${windowDays} days`);
  if (volume < 1) reasons.push(`${records} flow records (1000 or more for full weight)`);
  if (recurringShare < 1) reasons.push(`${edges.length - recurring} of ${edges.length} peer/port pairs seen on one day only`);
  return { level: score >= 0.6 ? 'high' : score >= 0.3 ? 'medium' : 'low', score, daysWithData, windowDays, records, recurringShare: Math.round(recurringShare * 1000) / 1000, reasons };
}
