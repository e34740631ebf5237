import { Cidr, parseCidr, ParsedIp } from '../rules';

interface Entry<T> {
  readonly prefix: number;
  readonly items: Map<string | number, T[]>;
}

/**
 * Longest-prefix lookup: one hash map per distinct prefix length, probed longest first.
 * Cost per lookup is the number of distinct prefix lengths, independent of how many nets exist.
 */
export class PrefixIndex<T> {
  private readonly v4: Entry<T>[] = [];
  private readonly v6: Entry<T>[] = [];

  add(cidrText: string, item: T): void {
    const c = parseCidr(cidrText) as Cidr;
    const list = c.family === 4 ? this.v4 : this.v6;
    let e = list.find((x) => x.prefix === c.prefix);
    if (!e) {
      e = { prefix: c.prefix, items: new Map() };
      list.push(e);
      list.sort((a, b) => b.prefix - a.prefix);
    }
    const key = c.family === 4 ? c.w0 : `${c.w0},${c.w1},${c.w2},${c.w3}`;
    const arr = e.items.get(key);
    if (arr) arr.push(item);
    else e.items.set(key, [item]);
  }

  /** Every item whose net contains the IP, longest prefix first. */
  lookup(ip: ParsedIp): T[] {
    const out: T[] = [];
    if (ip.family === 4) {
      for (const e of this.v4) {
        const m = e.prefix === 0 ? 0 : (-1 << (32 - e.prefix)) | 0;
        const hit = e.items.get(ip.w0 & m);
        if (hit) for (const h of hit) if (!out.includes(h)) out.push(h);
      }
    } else {
      for (const e of this.v6) {
        const w = [ip.w0, ip.w1, ip.w2, ip.w3].map((x, i) => {
          const bits = Math.max(0, Math.min(32, e.prefix - 32 * i));
          return bits === 0 ? 0 : x & (bits === 32 ? -1 : (-1 << (32 - bits)) | 0);
        });
        const hit = e.items.get(w.join(','));
        if (hit) for (const h of hit) if (!out.includes(h)) out.push(h);
      }
    }
    return out;
  }
}
