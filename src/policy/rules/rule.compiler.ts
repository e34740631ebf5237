import { LabelPredicate, NAMESPACE_LABEL } from '../selector';
import { EntityRule, PortSpec, Rule } from '../model';
import { Cidr, cidrContains, parseCidr } from './ip.util';
import { LabelledRuntime, MatchContext, PeerState } from './match.context';

export const ACTION_ALLOW = 0;
export const ACTION_DENY = 1;
export const ACTION_PASS = 2;
export const ACTION_LOG = 3;

const ACTION_CODES = { Allow: ACTION_ALLOW, Deny: ACTION_DENY, Pass: ACTION_PASS, Log: ACTION_LOG } as const;

export type MatchFn = (c: MatchContext) => boolean;

export interface CompiledRule {
  readonly action: number;
  /** Position in the policy's rule list for this direction (what traces report). */
  readonly index: number;
  readonly match: MatchFn;
  readonly rule: Rule;
}

const SERVICE_ACCOUNT_LABEL = 'projectcalico.org/serviceaccount';

/** Calico IP-set semantics: the IP matches if any known resource owning/containing it matches. */
export function peerMatches(p: PeerState, f: LabelPredicate): boolean {
  if (p.endpoint !== null && f(p.endpoint.allLabels, 0)) return true;
  const ns = p.netsets;
  for (let i = 0; i < ns.length; i++) if (f((ns[i] as LabelledRuntime).allLabels, 0)) return true;
  return false;
}

function and(fs: LabelPredicate[]): LabelPredicate {
  if (fs.length === 1) return fs[0];
  if (fs.length === 2) {
    const [a, b] = fs;
    return (l, g) => a(l, g) && b(l, g);
  }
  return (l, g) => fs.every((f) => f(l, g));
}

/**
 * The effective positive selector of an entity rule, built like Calico's getEndpointSelector:
 * (namespace scope) && (service accounts) && (selector). A namespaced policy without
 * namespaceSelector scopes to its own namespace, but only once some selector field is used,
 * so a nets-only rule still matches any IP. notSelector stays unscoped (Calico keeps it raw),
 * yet its presence alone triggers the namespace scope on the positive side.
 */
export function entitySelector(e: EntityRule, policyNamespace: string): LabelPredicate | null {
  let nsPart: LabelPredicate | null = null;
  if (e.namespaceSelector) nsPart = e.namespaceSelector.compiled('namespace');
  else if (policyNamespace) nsPart = (l) => l[NAMESPACE_LABEL] === policyNamespace;
  const parts: LabelPredicate[] = [];
  if (e.serviceAccounts) {
    if (e.serviceAccounts.selector) parts.push(e.serviceAccounts.selector.compiled('serviceAccount'));
    if (e.serviceAccounts.names.length) {
      const names = new Set(e.serviceAccounts.names);
      parts.push((l) => {
        const v = l[SERVICE_ACCOUNT_LABEL];
        return typeof v === 'string' && names.has(v);
      });
    }
  }
  if (e.selector) parts.push(e.selector.compiled('plain'));
  let positive = parts.length ? and(parts) : null;
  if (nsPart && (positive || e.notSelector || e.namespaceSelector)) positive = positive ? and([nsPart, positive]) : nsPart;
  return positive;
}

function portMatcher(specs: readonly PortSpec[], side: 'src' | 'dst'): MatchFn {
  const ranges = specs.filter((s) => s.kind === 'range');
  const mins = ranges.map((r) => r.min);
  const maxs = ranges.map((r) => r.max);
  const names = specs.filter((s) => s.kind === 'named').map((s) => s.name);
  const isSrc = side === 'src';
  return (c) => {
    const port = isSrc ? c.srcPort : c.dstPort;
    if (port < 0) return false;
    for (let i = 0; i < mins.length; i++) if (port >= mins[i] && port <= maxs[i]) return true;
    if (names.length) {
      // Named ports resolve against the endpoint that declares them (the one owning this IP).
      const ep = isSrc ? c.src.endpoint : c.dst.endpoint;
      if (ep === null) return false;
      for (const n of names) {
        const decls = ep.namedPorts.get(n);
        if (decls) for (const d of decls) if (d.port === port && d.protocol === c.proto) return true;
      }
    }
    return false;
  };
}

function netsMatcher(cidrs: Cidr[], side: 'src' | 'dst'): MatchFn {
  const isSrc = side === 'src';
  return (c) => {
    const ip = isSrc ? c.src.ip : c.dst.ip;
    if (ip === null) return false;
    for (let i = 0; i < cidrs.length; i++) if (cidrContains(cidrs[i], ip)) return true;
    return false;
  };
}

function entityMatchers(e: EntityRule, side: 'src' | 'dst', policyNamespace: string, out: MatchFn[]): void {
  const isSrc = side === 'src';
  const cidrs = (list: readonly string[]) => list.map((n) => parseCidr(n) as Cidr);
  if (e.nets.length) out.push(netsMatcher(cidrs(e.nets), side));
  if (e.notNets.length) {
    const m = netsMatcher(cidrs(e.notNets), side);
    // An absent IP cannot be shown to be inside a notNet, so it passes.
    out.push((c) => !m(c));
  }
  if (e.ports.length) out.push(portMatcher(e.ports, side));
  if (e.notPorts.length) {
    const m = portMatcher(e.notPorts, side);
    out.push((c) => !m(c));
  }
  const sel = entitySelector(e, policyNamespace);
  if (sel) out.push(isSrc ? (c) => peerMatches(c.src, sel) : (c) => peerMatches(c.dst, sel));
  if (e.notSelector) {
    const ns = e.notSelector.compiled('plain');
    out.push(isSrc ? (c) => !peerMatches(c.src, ns) : (c) => !peerMatches(c.dst, ns));
  }
  if (e.services) {
    const { name, namespace } = e.services;
    // Flows carry service identity only when the collector resolved it; without it we cannot match.
    out.push(
      isSrc
        ? (c) => c.srcService !== null && c.srcService.name === name && c.srcService.namespace === namespace
        : (c) => c.dstService !== null && c.dstService.name === name && c.dstService.namespace === namespace,
    );
  }
}

/** Compiles a rule into one predicate; cheapest tests first so most misses exit early. */
export function compileRule(rule: Rule, index: number, policyNamespace: string): CompiledRule {
  const fs: MatchFn[] = [];
  if (rule.protocol !== undefined) {
    const p = rule.protocol;
    fs.push((c) => c.proto === p);
  }
  if (rule.notProtocol !== undefined) {
    const p = rule.notProtocol;
    fs.push((c) => c.proto !== p);
  }
  if (rule.ipVersion !== undefined) {
    const v = rule.ipVersion;
    fs.push((c) => c.family === v);
  }
  if (rule.icmp) {
    const { type, code } = rule.icmp;
    if (type !== undefined) fs.push((c) => c.icmpType === type && (code === undefined || c.icmpCode === code));
  }
  if (rule.notICMP) {
    const { type, code } = rule.notICMP;
    if (type !== undefined) fs.push((c) => !(c.icmpType === type && (code === undefined || c.icmpCode === code)));
  }
  entityMatchers(rule.source, 'src', policyNamespace, fs);
  entityMatchers(rule.destination, 'dst', policyNamespace, fs);
  let match: MatchFn;
  if (fs.length === 0) match = () => true;
  else if (fs.length === 1) match = fs[0];
  else if (fs.length === 2) {
    const [a, b] = fs;
    match = (c) => a(c) && b(c);
  } else if (fs.length === 3) {
    const [a, b, d] = fs;
    match = (c) => a(c) && b(c) && d(c);
  } else {
    match = (c) => {
      for (let i = 0; i < fs.length; i++) if (!fs[i](c)) return false;
      return true;
    };
  }
  return { action: ACTION_CODES[rule.action], index, match, rule };
}
