import { cidrContains, parseCidr, parseIp } from '../policy';

function v4ToInt(ip: string): number | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function intToV4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * The fewest CIDRs covering every address such that the CIDRs hold at most `budget` addresses
 * never seen (split a prefix in two while it wastes more than the budget allows). IPv6 and other
 * addresses are written as single-address prefixes. Sorted, deterministic.
 */
export function coverAddresses(addresses: readonly string[], budget: number): string[] {
  const v4 = [...new Set(addresses.map(v4ToInt).filter((n): n is number => n !== null))].sort((a, b) => a - b);
  const others = [...new Set(addresses.filter((a) => v4ToInt(a) === null))].sort().map((a) => `${a}/${a.includes(':') ? 128 : 32}`);
  const out: string[] = [];
  let spare = budget;
  const cover = (ips: number[], base: number, prefix: number) => {
    const size = 2 ** (32 - prefix);
    const waste = size - ips.length;
    if (waste <= spare || prefix === 32) {
      spare -= waste;
      out.push(`${intToV4(base)}/${prefix}`);
      return;
    }
    const half = size / 2;
    const mid = base + half;
    const lo = ips.filter((n) => n < mid);
    const hi = ips.filter((n) => n >= mid);
    if (lo.length) cover(lo, base, prefix + 1);
    if (hi.length) cover(hi, mid, prefix + 1);
  };
  if (v4.length) {
    // The smallest prefix holding all of them, then split while it wastes too much.
    let prefix = 32;
    while (prefix > 0 && v4[0] >>> (32 - prefix) !== v4[v4.length - 1] >>> (32 - prefix)) prefix--;
    const base = prefix === 0 ? 0 : ((v4[0] >>> (32 - prefix)) << (32 - prefix)) >>> 0;
    cover(v4, base, prefix);
  }
  return [...out, ...others];
}

/** Every CIDR of `inner` lies inside one of `outer`. */
export function cidrsWithin(inner: readonly string[], outer: readonly string[]): boolean {
  const outs = outer.map(parseCidr).filter((c) => c !== null);
  return inner.every((text) => {
    const c = parseCidr(text);
    if (!c) return false;
    const first = parseIp(text.split('/')[0]);
    return !!first && outs.some((o) => o.family === c.family && o.prefix <= c.prefix && cidrContains(o, first));
  });
}
