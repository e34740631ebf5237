import { EntityRule, PortSpec, Rule, Selector } from '../policy';
import { cidrsWithin } from './cidr-cover';
import { mergePorts, PortInterval, portsWithin } from './port-set';

/**
 * Coverage and overlap of two rules' match spaces, field by field. Both are conservative: `covers`
 * answers true only when every flow the inner rule matches is matched by the outer one (for the
 * same endpoint); `overlaps` only when a shared flow provably exists. Fields the analysis cannot
 * compare (named ports, service matches, different non-trivial selectors) make both false.
 */

const ALL_PORTS: PortInterval[] = [{ min: 0, max: 65535 }];

function numeric(specs: readonly PortSpec[]): PortInterval[] | null {
  if (specs.some((s) => s.kind !== 'range')) return null;
  return mergePorts(specs.map((s) => (s.kind === 'range' ? { min: s.min, max: s.max } : { min: 0, max: 0 })));
}

const isWide = (s: Selector | undefined) => !s || s.isAll;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const selText = (s: Selector | undefined) => (s ? s.toString() : '');

function selectorCovers(outer: Selector | undefined, inner: Selector | undefined): boolean {
  return isWide(outer) || (!!inner && selText(outer) === selText(inner));
}

/** Ports of `inner` inside `outer`'s; empty means any port. */
export function portsCover(outer: readonly PortSpec[], inner: readonly PortSpec[]): boolean {
  if (outer.length === 0) return true;
  const o = numeric(outer);
  const i = numeric(inner);
  if (!o || !i) return same(outer, inner);
  return portsWithin(i.length ? i : ALL_PORTS, o);
}

function portsOverlap(a: readonly PortSpec[], b: readonly PortSpec[]): boolean {
  const x = numeric(a);
  const y = numeric(b);
  if (!x || !y) return false;
  const xs = x.length ? x : ALL_PORTS;
  const ys = y.length ? y : ALL_PORTS;
  return xs.some((p) => ys.some((q) => p.min <= q.max && q.min <= p.max));
}

function netsCover(outer: readonly string[], inner: readonly string[]): boolean {
  return outer.length === 0 || (inner.length > 0 && cidrsWithin(inner, outer));
}

function netsOverlap(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  return a.some((x) => b.some((y) => cidrsWithin([x], [y]) || cidrsWithin([y], [x])));
}

function entityCovers(o: EntityRule, i: EntityRule): boolean {
  return (
    selectorCovers(o.selector, i.selector) &&
    selectorCovers(o.namespaceSelector, i.namespaceSelector) &&
    (!o.notSelector || selText(o.notSelector) === selText(i.notSelector)) &&
    netsCover(o.nets, i.nets) &&
    (o.notNets.length === 0 || same(o.notNets, i.notNets)) &&
    portsCover(o.ports, i.ports) &&
    (o.notPorts.length === 0 || same(o.notPorts, i.notPorts)) &&
    (!o.serviceAccounts || same(o.serviceAccounts, i.serviceAccounts)) &&
    (!o.services || same(o.services, i.services))
  );
}

function entityOverlaps(a: EntityRule, b: EntityRule): boolean {
  const selectorsMeet = (x: Selector | undefined, y: Selector | undefined) => isWide(x) || isWide(y) || selText(x) === selText(y);
  return (
    selectorsMeet(a.selector, b.selector) &&
    selectorsMeet(a.namespaceSelector, b.namespaceSelector) &&
    !a.notSelector && !b.notSelector &&
    netsOverlap(a.nets, b.nets) &&
    a.notNets.length === 0 && b.notNets.length === 0 &&
    portsOverlap(a.ports, b.ports) &&
    a.notPorts.length === 0 && b.notPorts.length === 0 &&
    !a.serviceAccounts && !b.serviceAccounts && !a.services && !b.services
  );
}

/** Every flow `inner` matches, `outer` matches too. */
export function ruleCovers(outer: Rule, inner: Rule): boolean {
  return (
    (outer.protocol === undefined || outer.protocol === inner.protocol) &&
    (outer.notProtocol === undefined || outer.notProtocol === inner.notProtocol) &&
    (outer.ipVersion === undefined || outer.ipVersion === inner.ipVersion) &&
    (!outer.icmp || same(outer.icmp, inner.icmp)) &&
    (!outer.notICMP || same(outer.notICMP, inner.notICMP)) &&
    entityCovers(outer.source, inner.source) &&
    entityCovers(outer.destination, inner.destination)
  );
}

/** Like ruleCovers, but ignoring destination ports (for covering by several rules together). */
export function ruleCoversExceptPorts(outer: Rule, inner: Rule): boolean {
  const o = { ...outer, destination: { ...outer.destination, ports: [] } };
  const i = { ...inner, destination: { ...inner.destination, ports: [] } };
  return numeric(outer.destination.ports) !== null && numeric(inner.destination.ports) !== null && ruleCovers(o, i);
}

/** Some flow provably matches both. */
export function rulesOverlap(a: Rule, b: Rule): boolean {
  return (
    (a.protocol === undefined || b.protocol === undefined || a.protocol === b.protocol) &&
    a.notProtocol === undefined && b.notProtocol === undefined &&
    (a.ipVersion === undefined || b.ipVersion === undefined || a.ipVersion === b.ipVersion) &&
    !a.icmp && !b.icmp && !a.notICMP && !b.notICMP &&
    entityOverlaps(a.source, b.source) &&
    entityOverlaps(a.destination, b.destination)
  );
}

/** Destination port intervals of a rule (all ports when it names none); null for named ports. */
export function destinationPorts(r: Rule): PortInterval[] | null {
  const n = numeric(r.destination.ports);
  return n === null ? null : n.length ? n : ALL_PORTS;
}
