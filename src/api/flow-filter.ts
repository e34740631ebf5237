import * as ipaddr from 'ipaddr.js';
import { assertNamespaceInScope, CallerIdentity } from '../auth/caller';
import { parseSelector, SelectorNode, SelectorParseError } from '../policy';
import { EndpointFilter, FlowFilter, IpMatch } from '../storage/flow-filter';
import { fieldError } from './api-error';
import { FlowFilterQuery } from './flow-filter.dto';
import { resolveTimeRange } from './time-range';

const PROTOCOLS: Record<string, string> = {
  1: 'icmp', 2: 'igmp', 4: 'ipip', 6: 'tcp', 17: 'udp', 41: 'ipv6', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'icmpv6', 132: 'sctp', 136: 'udplite',
};
const PROTOCOL_ALIASES: Record<string, string> = { icmp6: 'icmpv6', 'ipv6-icmp': 'icmpv6' };

/** The stored spelling of a protocol (names lower-case, unnamed numbers as decimal text). */
function storedProtocol(v: string): string {
  const lower = v.toLowerCase();
  if (Object.values(PROTOCOLS).includes(lower)) return lower;
  if (PROTOCOL_ALIASES[lower]) return PROTOCOL_ALIASES[lower];
  if (/^\d{1,3}$/.test(v) && Number(v) <= 255) return PROTOCOLS[Number(v)] ?? String(Number(v));
  throw fieldError('protocol', `unknown protocol ${JSON.stringify(v)}: a name (tcp, udp, icmp, icmpv6, sctp, ...) or a number 0-255`);
}

function ipMatch(field: string, v: string): IpMatch {
  try {
    if (v.includes('/')) {
      const [addr] = ipaddr.parseCIDR(v);
      return addr.kind() === 'ipv4'
        ? { family: 4, first: ipaddr.IPv4.networkAddressFromCIDR(v).toString(), last: ipaddr.IPv4.broadcastAddressFromCIDR(v).toString() }
        : { family: 6, first: ipaddr.IPv6.networkAddressFromCIDR(v).toString(), last: ipaddr.IPv6.broadcastAddressFromCIDR(v).toString() };
    }
    if (ipaddr.isValid(v)) {
      // Stored as the dataplane wrote it: canonical text for IPv6, dotted quad for IPv4.
      return { ip: ipaddr.parse(v).toString() };
    }
  } catch {
    // the 400 below
  }
  throw fieldError(field, `${JSON.stringify(v)} is not an IP address or CIDR`);
}

function selector(field: string, v: string): SelectorNode {
  try {
    return parseSelector(v).ast;
  } catch (err) {
    if (err instanceof SelectorParseError) throw fieldError(field, `not a valid selector: ${err.message}`);
    throw err;
  }
}

const bool = (v: 'true' | 'false' | undefined) => (v === undefined ? undefined : v === 'true');

/**
 * A validated query as the repositories' filter: 400 naming the field for a bad selector, IP or
 * protocol, 403 naming it for a namespace outside the caller's scope.
 */
export function toFlowFilter(q: FlowFilterQuery, caller: CallerIdentity, now: Date, defaults: { action?: FlowFilterQuery['action'] } = {}): FlowFilter {
  assertNamespaceInScope(caller, q.namespace, 'namespace');
  assertNamespaceInScope(caller, q.srcNamespace, 'srcNamespace');
  assertNamespaceInScope(caller, q.dstNamespace, 'dstNamespace');
  const { from, to } = resolveTimeRange(q, now);
  const side = (p: 'src' | 'dst'): EndpointFilter | undefined => {
    const e: EndpointFilter = {
      namespace: q[`${p}Namespace`],
      name: q[`${p}Name`],
      selector: q[`${p}Selector`] === undefined ? undefined : selector(`${p}Selector`, q[`${p}Selector`]!),
      ip: q[`${p}Ip`] === undefined ? undefined : ipMatch(`${p}Ip`, q[`${p}Ip`]!),
      port: q[`${p}Port`],
    };
    return Object.values(e).some((v) => v !== undefined) ? e : undefined;
  };
  return {
    from,
    to,
    action: q.action ?? defaults.action,
    namespace: q.namespace,
    ip: q.ip === undefined ? undefined : ipMatch('ip', q.ip),
    src: side('src'),
    dst: side('dst'),
    protocol: q.protocol === undefined ? undefined : storedProtocol(q.protocol),
    reporter: q.reporter,
    policy: q.policy,
    tier: q.tier,
    ruleIndex: q.ruleIndex,
    decisionKind: q.decisionKind,
    verdictMismatch: bool(q.verdictMismatch),
    pendingVerdictDiffers: bool(q.pendingVerdictDiffers),
    unknownEndpoint: bool(q.unknownEndpoint),
    scope: caller.namespaces,
  };
}
