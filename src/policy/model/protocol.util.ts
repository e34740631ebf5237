/** Calico's protocol names (matched case-insensitively: flow logs say `tcp`, manifests `TCP`). */
export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  tcp: 6,
  udp: 17,
  icmp: 1,
  icmpv6: 58,
  sctp: 132,
  udplite: 136,
};

const NAMES: Readonly<Record<number, string>> = { 6: 'TCP', 17: 'UDP', 1: 'ICMP', 58: 'ICMPv6', 132: 'SCTP', 136: 'UDPLite' };

/** Returns the IANA number, or null when the value is neither a known name nor 1-255. */
export function parseProtocol(p: unknown): number | null {
  if (typeof p === 'number') return Number.isInteger(p) && p >= 1 && p <= 255 ? p : null;
  if (typeof p !== 'string') return null;
  const s = p.trim();
  if (/^\d+$/.test(s)) return parseProtocol(Number(s));
  return PROTOCOL_NUMBERS[s.toLowerCase()] ?? null;
}

export function protocolName(n: number): string {
  return NAMES[n] ?? String(n);
}

export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMP = 1;
export const PROTO_ICMPV6 = 58;
export const PROTO_SCTP = 132;

/** Protocols for which Calico accepts numeric ports. */
export function protocolHasPorts(n: number): boolean {
  return n === PROTO_TCP || n === PROTO_UDP || n === PROTO_SCTP;
}
