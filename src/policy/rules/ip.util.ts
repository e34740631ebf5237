import * as ipaddr from 'ipaddr.js';

/**
 * Addresses are held as four signed 32-bit words (IPv4 uses w0 only) so that CIDR containment
 * is a handful of integer XOR/AND operations on the hot path, with no BigInt or byte arrays.
 */
export interface ParsedIp {
  readonly family: 4 | 6;
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  /** Canonical text (dotted quad, or RFC 5952 for IPv6). */
  readonly text: string;
}

export interface Cidr {
  readonly family: 4 | 6;
  readonly prefix: number;
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  readonly m0: number;
  readonly m1: number;
  readonly m2: number;
  readonly m3: number;
  /** Canonical network text with host bits cleared, e.g. `10.0.0.0/8`. */
  readonly text: string;
}

function parseIpv4Words(s: string): number | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    // Strict dotted decimal: inet_aton-style octal/hex forms are not what Kubernetes emits.
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v | 0;
}

export function parseIp(input: string): ParsedIp | null {
  const s = input.trim();
  if (s.includes(':')) {
    const bare = s.split('%')[0];
    if (!ipaddr.IPv6.isValid(bare)) return null;
    const a = ipaddr.IPv6.parse(bare);
    const p = a.parts;
    return {
      family: 6,
      w0: ((p[0] << 16) | p[1]) | 0,
      w1: ((p[2] << 16) | p[3]) | 0,
      w2: ((p[4] << 16) | p[5]) | 0,
      w3: ((p[6] << 16) | p[7]) | 0,
      text: a.toRFC5952String(),
    };
  }
  const w0 = parseIpv4Words(s);
  if (w0 === null) return null;
  return { family: 4, w0, w1: 0, w2: 0, w3: 0, text: s };
}

function maskWord(prefix: number, word: number): number {
  const bits = Math.max(0, Math.min(32, prefix - 32 * word));
  if (bits === 0) return 0;
  // `x << 32` is `x << 0` in JS, so the full-word case needs its own branch.
  return bits === 32 ? -1 : (-1 << (32 - bits)) | 0;
}

function wordsToText(family: 4 | 6, w: number[]): string {
  if (family === 4) {
    const v = w[0] >>> 0;
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  }
  const parts: number[] = [];
  for (const x of w) parts.push((x >>> 16) & 0xffff, x & 0xffff);
  return new ipaddr.IPv6(parts).toRFC5952String();
}

/** Parses `a.b.c.d/n`, an IPv6 CIDR, or a bare address (as /32 or /128, like Calico's ParseCIDROrIP). */
export function parseCidr(input: string): Cidr | null {
  const s = input.trim();
  const slash = s.indexOf('/');
  const ip = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
    if (prefix > max) return null;
  }
  const m = [0, 1, 2, 3].map((i) => (ip.family === 4 && i > 0 ? 0 : maskWord(prefix, i)));
  const w = [ip.w0 & m[0], ip.w1 & m[1], ip.w2 & m[2], ip.w3 & m[3]];
  return {
    family: ip.family,
    prefix,
    w0: w[0],
    w1: w[1],
    w2: w[2],
    w3: w[3],
    m0: m[0],
    m1: m[1],
    m2: m[2],
    m3: m[3],
    text: `${wordsToText(ip.family, w)}/${prefix}`,
  };
}

/** Family is checked first: a /0 of one family must never match an address of the other. */
export function cidrContains(c: Cidr, ip: ParsedIp): boolean {
  if (c.family !== ip.family) return false;
  if (((ip.w0 ^ c.w0) & c.m0) !== 0) return false;
  if (c.family === 4) return true;
  return ((ip.w1 ^ c.w1) & c.m1) === 0 && ((ip.w2 ^ c.w2) & c.m2) === 0 && ((ip.w3 ^ c.w3) & c.m3) === 0;
}
