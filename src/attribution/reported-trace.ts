import { parsePolicyHitString, PolicyHit } from '../policy';

export interface ReportedTrace {
  hits: PolicyHit[];
  /** A log event's Log-rule hit (action `log`, flowscope's own format only). */
  logged?: PolicyHit;
}

/**
 * Parses a reported trace, sorted by hit index (entries may arrive unordered). `log` is not a
 * Calico hit action: flowscope's format uses it for the hit naming the Log rule that matched.
 * Throws PolicyHitParseError naming the bad string.
 */
export function parseReportedTrace(strings: readonly string[]): ReportedTrace {
  const out: ReportedTrace = { hits: [] };
  for (const s of strings) {
    const parts = s.split('|');
    if (parts[3] === 'log') {
      parts[3] = 'pass';
      out.logged = parsePolicyHitString(parts.join('|'));
    } else {
      out.hits.push(parsePolicyHitString(s));
    }
  }
  out.hits.sort((a, b) => a.index - b.index);
  return out;
}
