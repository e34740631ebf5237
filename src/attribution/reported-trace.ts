import { parsePolicyHitString, PolicyHit } from '../policy';

export interface ReportedTrace {
  hits: PolicyHit[];
  /** A log event's Log-rule hit (action `log`, flowscope's own format only). */
  logged?: PolicyHit;
}

/** Traces repeat across records; parsed ones are kept (bounded: cleared when full). */
const MAX_CACHED = 20_000;
const cache = new Map<string, ReportedTrace | Error>();
const EMPTY: ReportedTrace = Object.freeze({ hits: [] }) as ReportedTrace;

/**
 * Parses a reported trace, sorted by hit index (entries may arrive unordered). `log` is not a
 * Calico hit action: flowscope's format uses it for the hit naming the Log rule that matched.
 * Throws PolicyHitParseError naming the bad string. The result is shared: do not modify it.
 */
export function parseReportedTrace(strings: readonly string[]): ReportedTrace {
  if (strings.length === 0) return EMPTY;
  const key = strings.length === 1 ? strings[0] : strings.join('\n');
  let parsed = cache.get(key);
  if (parsed === undefined) {
    try {
      parsed = parse(strings);
    } catch (err) {
      parsed = err as Error;
    }
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, parsed);
  }
  if (parsed instanceof Error) throw parsed;
  return parsed;
}

function parse(strings: readonly string[]): ReportedTrace {
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
