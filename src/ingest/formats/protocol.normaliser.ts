import { fail, shown } from './field.readers';

/**
 * IANA protocol numbers flow logs name. Felix writes lower-case names; Goldmane's `proto` is free
 * text, so case is folded. Unnamed numbers are kept as their decimal text (FlowRecord.protocol).
 */
const NAMES: Readonly<Record<number, string>> = {
  1: 'icmp', 2: 'igmp', 4: 'ipip', 6: 'tcp', 17: 'udp', 41: 'ipv6', 47: 'gre', 50: 'esp', 51: 'ah',
  58: 'icmpv6', 132: 'sctp', 136: 'udplite',
};
/** Every accepted spelling -> the stored name. `icmp6`/`ipv6-icmp` are spellings seen in the wild. */
const BY_TEXT = new Map<string, string>();
for (const [num, name] of Object.entries(NAMES)) {
  BY_TEXT.set(name, name);
  BY_TEXT.set(num, name);
}
BY_TEXT.set('icmp6', 'icmpv6');
BY_TEXT.set('ipv6-icmp', 'icmpv6');
BY_TEXT.set('ip-in-ip', 'ipip');

export function normaliseProto(field: string, v: unknown): string {
  if (typeof v === 'string') {
    const hit = BY_TEXT.get(v) ?? BY_TEXT.get(v.toLowerCase());
    if (hit) return hit;
    const n = Number(v);
    if (v.length > 0 && v.length <= 3 && Number.isInteger(n) && n >= 0 && n <= 255 && v.trim() === v) return String(n);
    return fail(field, `unknown protocol ${shown(v)}`);
  }
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= 255) return NAMES[v] ?? String(v);
    return fail(field, `protocol number out of range: ${v}`);
  }
  if (v === undefined || v === null) return fail(field, 'is required');
  return fail(field, `expected a protocol name or number, got ${shown(v)}`);
}
