import { EntityRule, HttpMatch, PortSpec, protocolName } from '../model';
import { Cidr, cidrContains } from './ip.util';
import { MatchContext, PeerState } from './match.context';
import { httpPathMatches, portIn, RuleMatcher, SelectorTable, subjectMatches } from './rule.matcher';

const NONE = -1;

const ports = (list: readonly PortSpec[]) => `[${list.map((p) => (p.kind === 'named' ? p.name : p.min === p.max ? String(p.min) : `${p.min}:${p.max}`)).join(', ')}]`;
const list = (xs: readonly string[]) => `[${xs.join(', ')}]`;

function peerName(p: PeerState): string {
  const ep = p.endpoint as { info?: { namespace: string; name: string } } | null;
  if (ep?.info) return `${ep.info.namespace ? `${ep.info.namespace}/` : ''}${ep.info.name}`;
  return p.ip?.text ?? 'unknown peer';
}

function inNets(cidrs: readonly Cidr[], p: PeerState): boolean {
  return p.ip !== null && cidrs.some((c) => cidrContains(c, p.ip as NonNullable<PeerState['ip']>));
}

function selectorText(e: EntityRule, policyNamespace: string): string {
  const parts: string[] = [];
  if (e.selector) parts.push(`selector ${e.selector.toString()}`);
  if (e.serviceAccounts?.names.length) parts.push(`service accounts ${list(e.serviceAccounts.names)}`);
  if (e.serviceAccounts?.selector) parts.push(`service account selector ${e.serviceAccounts.selector.toString()}`);
  const scope = e.namespaceSelector ? `namespaceSelector ${e.namespaceSelector.toString()}` : policyNamespace ? `namespace ${policyNamespace}` : '';
  if (scope) parts.push(parts.length || e.notSelector || e.namespaceSelector ? `in ${scope}` : '');
  return parts.filter(Boolean).join(' ');
}

/** One line on HTTP criteria; null when they match. `unknown` flags criteria the flow cannot answer. */
export function httpMismatch(h: HttpMatch, c: MatchContext): { reason: string; unknown: boolean } | null {
  const want = `HTTP ${h.methods.length ? list(h.methods) : 'any method'} ${h.paths.length ? list(h.paths.map((p) => (p.exact !== undefined ? p.exact : `${p.prefix}*`))) : 'any path'}`;
  if (h.methods.length && c.httpMethod !== null && !h.methods.includes(c.httpMethod)) return { reason: `method ${c.httpMethod} not in ${list(h.methods)}`, unknown: false };
  if (h.paths.length && c.httpPath !== null && !httpPathMatches(h, c.httpPath)) return { reason: `path ${c.httpPath} not in ${want.slice(want.lastIndexOf('['))}`, unknown: false };
  if ((h.methods.length && c.httpMethod === null) || (h.paths.length && c.httpPath === null)) {
    return { reason: `needs ${want}; the flow carries no HTTP method/path, so whether it matches is unknown (taken as no match)`, unknown: true };
  }
  return null;
}

/**
 * Why a compiled rule does not match the flow in `c`, in one line (the first failing criterion, in
 * `matchRule`'s order); null when it matches. Slow path, for explanations only.
 */
export function ruleMismatch(r: RuleMatcher, c: MatchContext, table: SelectorTable, policyNamespace: string): { reason: string; unknown: boolean } | null {
  const miss = (reason: string) => ({ reason, unknown: false });
  const rule = r.rule;
  if (r.proto !== NONE && c.proto !== r.proto) return miss(`protocol ${protocolName(c.proto)} is not ${protocolName(r.proto)}`);
  if (r.notProto !== NONE && c.proto === r.notProto) return miss(`protocol ${protocolName(c.proto)} is excluded by notProtocol`);
  if (r.ipVersion !== 0 && c.family !== r.ipVersion) return miss(`an IPv${c.family || '?'} flow; the rule needs IPv${r.ipVersion}`);
  if (r.icmpType !== NONE && !(c.icmpType === r.icmpType && (r.icmpCode === NONE || c.icmpCode === r.icmpCode))) {
    if (c.icmpType >= 0) return miss(`ICMP type/code ${c.icmpType}/${c.icmpCode < 0 ? '-' : c.icmpCode}; the rule needs ${icmpNeeded(r)}`);
  }
  if (r.notIcmpType !== NONE && c.icmpType === r.notIcmpType && (r.notIcmpCode === NONE || c.icmpCode === r.notIcmpCode)) return miss(`ICMP type ${c.icmpType} is excluded by notICMP`);
  for (const [side, isSrc, e, port] of [
    ['destination', false, rule.destination, c.dstPort],
    ['source', true, rule.source, c.srcPort],
  ] as const) {
    const set = isSrc ? r.srcPorts : r.dstPorts;
    const notSet = isSrc ? r.srcNotPorts : r.dstNotPorts;
    const name = side === 'destination' ? 'port' : 'source port';
    const owner = isSrc ? c.src.endpoint : c.dst.endpoint;
    if (set !== null && !portIn(set, port, owner, c.proto)) {
      return miss(port < 0 ? `the flow has no ${name}; the rule needs ${ports(e.ports)}` : `${name} ${port} not in ${ports(e.ports)}`);
    }
    if (notSet !== null && portIn(notSet, port, owner, c.proto)) return miss(`${name} ${port} is in notPorts ${ports(e.notPorts)}`);
  }
  for (const [side, isSrc, e] of [
    ['source', true, rule.source],
    ['destination', false, rule.destination],
  ] as const) {
    const p = isSrc ? c.src : c.dst;
    const nets = isSrc ? r.srcNets : r.dstNets;
    const notNets = isSrc ? r.srcNotNets : r.dstNotNets;
    if (nets !== null && !inNets(nets, p)) return miss(`${side} ${p.ip?.text ?? '(no IP)'} not in nets ${list(e.nets)}`);
    if (notNets !== null && inNets(notNets, p)) return miss(`${side} ${p.ip?.text} is in notNets ${list(e.notNets)}`);
  }
  for (const [side, svc, name, ns] of [
    ['source', c.srcService, r.srcSvcName, r.srcSvcNamespace],
    ['destination', c.dstService, r.dstSvcName, r.dstSvcNamespace],
  ] as const) {
    if (name !== null && (svc === null || svc.name !== name || svc.namespace !== ns)) {
      return miss(svc === null ? `the flow names no ${side} service; the rule needs service ${ns}/${name}` : `${side} service ${svc.namespace}/${svc.name} is not ${ns}/${name}`);
    }
  }
  for (const [side, isSrc, e] of [
    ['source', true, rule.source],
    ['destination', false, rule.destination],
  ] as const) {
    const p = isSrc ? c.src : c.dst;
    const sel = isSrc ? r.srcSel : r.dstSel;
    const notSel = isSrc ? r.srcNotSel : r.dstNotSel;
    if (sel !== NONE && !subjectMatches(p.subject, sel, table)) return miss(`${side} ${peerName(p)} does not match ${selectorText(e, policyNamespace)}`);
    if (notSel !== NONE && subjectMatches(p.subject, notSel, table)) return miss(`${side} ${peerName(p)} matches notSelector ${e.notSelector?.toString()}`);
  }
  // Judged last, as in matchRule: only a rule whose every other criterion holds is uncertain.
  if (r.icmpType !== NONE && c.icmpType < 0) {
    return { reason: `the rule needs ICMP type/code ${icmpNeeded(r)}; the flow carries none, so whether it matches is unknown (taken as no match)`, unknown: true };
  }
  if (r.http !== null) return httpMismatch(r.http, c);
  return null;
}

const icmpNeeded = (r: RuleMatcher) => `${r.icmpType}${r.icmpCode === NONE ? '' : `/${r.icmpCode}`}`;
