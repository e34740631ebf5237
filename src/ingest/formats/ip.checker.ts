import * as ipaddr from 'ipaddr.js';
import { fail, shown } from './field.readers';

/**
 * Validates and normalises an IP address field. Dotted-quad IPv4 (nearly every Calico record) is
 * checked by a hand loop: ipaddr.js also accepts `127.1`, hex and octal forms, which no dataplane
 * writes and which would not compare equal to the canonical text. IPv6 goes through ipaddr.js, and
 * IPv4-mapped IPv6 is folded to IPv4 as the flowscope parser does.
 */
export function checkIp(field: string, value: string): string {
  if (isDottedQuad(value)) return value;
  if (value.indexOf(':') >= 0) {
    const known = IPV6_SEEN.get(value);
    if (known !== undefined) return known;
    if (ipaddr.IPv6.isValid(value)) {
      const canonical = ipaddr.process(value).toString();
      if (IPV6_SEEN.size >= MAX_IPV6_SEEN) IPV6_SEEN.clear();
      IPV6_SEEN.set(value, canonical);
      return canonical;
    }
  }
  return fail(field, `${shown(value)} is not an IP address`);
}

/**
 * IPv6 texts already checked, with their canonical form: endpoints repeat across records, and
 * ipaddr.js parses an address three times to validate and fold it (about 4% of ingest's
 * JavaScript time in the profile of a mixed-family cluster). Bounded: cleared when full.
 */
const IPV6_SEEN = new Map<string, string>();
const MAX_IPV6_SEEN = 50_000;

function isDottedQuad(s: string): boolean {
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 46; // a virtual '.' closes the last octet
    if (c === 46) {
      if (digits === 0 || value > 255) return false;
      parts++;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      // No leading zeros: `010` is octal to some parsers and decimal to others.
      if (digits === 1 && value === 0) return false;
      value = value * 10 + (c - 48);
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return parts === 4;
}

/** `source_ip`/`dest_ip`: null (aggregated) or absent -> ''. */
export function optIp(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') return fail(key, `expected an IP address or null, got ${shown(v)}`);
  return checkIp(key, v);
}
