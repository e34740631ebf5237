import { LabelPredicate } from '../selector';
import { EntityRule, HttpMatch, PortSpec, Rule } from '../model';
import { Cidr, cidrContains, parseCidr } from './ip.util';
import { EndpointRuntimeLike, LabelledRuntime, MatchContext, SelectorSubject } from './match.context';
import { entitySelector, peerMatches } from './rule.compiler';

export const ACTION_ALLOW = 0;
export const ACTION_DENY = 1;
export const ACTION_PASS = 2;
export const ACTION_LOG = 3;

const ACTION_CODES = { Allow: ACTION_ALLOW, Deny: ACTION_DENY, Pass: ACTION_PASS, Log: ACTION_LOG } as const;

const NONE = -1;

let nextUid = 0;

/**
 * Every distinct rule-entity selector of a snapshot, numbered. Rules refer to selectors by id so a
 * peer's result can be memoised in a byte array on its SelectorSubject (see `subjectMatches`):
 * the same `app == 'x'` in 300 policies is evaluated once per peer, not 300 times per flow.
 */
export class SelectorTable {
  readonly preds: LabelPredicate[] = [];
  private readonly ids = new Map<string, number>();
  /** Per id: does some network set of the snapshot match (undefined until asked)? */
  private readonly netsetHit: (boolean | undefined)[] = [];

  intern(key: string, make: () => LabelPredicate): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.preds.length;
      this.preds.push(make());
      this.ids.set(key, id);
    }
    return id;
  }

  get size(): number {
    return this.preds.length;
  }

  /** False means no IP can match this selector through a network set: only endpoints can. */
  anyNetsetMatches(id: number, netsets: readonly LabelledRuntime[]): boolean {
    let v = this.netsetHit[id];
    if (v === undefined) {
      const f = this.preds[id];
      v = netsets.some((n) => f(n.allLabels, 0));
      this.netsetHit[id] = v;
    }
    return v;
  }
}

/** Calico IP-set semantics over a memo: 0 = not yet evaluated, 1 = no, 2 = yes. */
export function subjectMatches(s: SelectorSubject, id: number, table: SelectorTable): boolean {
  let memo = s.memo;
  if (memo === null) {
    // Unknown IPs outside every network set never match a selector: nothing to remember.
    if (s.endpoint === null && s.netsets.length === 0) return false;
    memo = s.memo = new Uint8Array(table.size);
  }
  const v = memo[id];
  if (v === 2) return true;
  if (v === 1) return false;
  // Snapshots derived from one another share a table that may have grown since this memo was made.
  if (id >= memo.length) {
    const grown = new Uint8Array(table.size);
    grown.set(memo);
    memo = s.memo = grown;
  }
  const r = peerMatches(s, table.preds[id]);
  memo[id] = r ? 2 : 1;
  return r;
}

/** Numeric ranges plus named ports (resolved against the endpoint owning the IP at match time). */
export class PortSet {
  constructor(
    readonly mins: readonly number[],
    readonly maxs: readonly number[],
    readonly names: readonly string[],
  ) {}

  static of(specs: readonly PortSpec[]): PortSet | null {
    if (specs.length === 0) return null;
    const mins: number[] = [];
    const maxs: number[] = [];
    const names: string[] = [];
    for (const s of specs) {
      if (s.kind === 'range') {
        mins.push(s.min);
        maxs.push(s.max);
      } else names.push(s.name);
    }
    return new PortSet(mins, maxs, names);
  }

  /** The same set with its names resolved against one endpoint for one protocol (numbers only). */
  resolved(ep: EndpointRuntimeLike, proto: number): PortSet {
    const mins = [...this.mins];
    const maxs = [...this.maxs];
    for (const n of this.names) {
      const decls = ep.namedPorts.get(n);
      if (decls) {
        for (const d of decls) {
          if (d.protocol === proto) {
            mins.push(d.port);
            maxs.push(d.port);
          }
        }
      }
    }
    return new PortSet(mins, maxs, []);
  }

  get empty(): boolean {
    return this.mins.length === 0 && this.names.length === 0;
  }

  get signature(): string {
    return `${this.mins.join(',')}/${this.maxs.join(',')}/${this.names.join(',')}`;
  }
}

export function portIn(set: PortSet, port: number, ep: EndpointRuntimeLike | null, proto: number): boolean {
  if (port < 0) return false;
  const mins = set.mins;
  const maxs = set.maxs;
  for (let i = 0; i < mins.length; i++) if (port >= mins[i] && port <= maxs[i]) return true;
  const names = set.names;
  if (names.length !== 0) {
    // Named ports resolve against the endpoint that declares them (the one owning this IP).
    if (ep === null) return false;
    for (let i = 0; i < names.length; i++) {
      const decls = ep.namedPorts.get(names[i]);
      if (decls) for (const d of decls) if (d.port === port && d.protocol === proto) return true;
    }
  }
  return false;
}

function netsContain(cidrs: readonly Cidr[], c: MatchContext, isSrc: boolean): boolean {
  const ip = isSrc ? c.src.ip : c.dst.ip;
  if (ip === null) return false;
  for (let i = 0; i < cidrs.length; i++) if (cidrContains(cidrs[i], ip)) return true;
  return false;
}

/** Fields of one side of a rule (source or destination). */
interface SideFields {
  nets: readonly Cidr[] | null;
  notNets: readonly Cidr[] | null;
  ports: PortSet | null;
  notPorts: PortSet | null;
  sel: number;
  notSel: number;
  svcName: string | null;
  svcNamespace: string;
}

/**
 * A compiled rule as plain data with one fixed shape, matched by one monomorphic function
 * (`matchRule`). The previous design compiled every rule to a chain of closures; the call site
 * in the evaluation loop then saw hundreds of different functions (megamorphic, never inlined).
 * Absent criteria are null / -1. Instances are immutable once built; specialised copies (see
 * `specialiseForLocal`) are separate objects.
 */
export class RuleMatcher {
  constructor(
    readonly action: number,
    /** Position in the policy's rule list for this direction (what traces report). */
    readonly index: number,
    readonly rule: Rule,
    /** Precomputed, frozen decision for Allow/Deny rules (no allocation when the rule decides). */
    readonly decision: object | null,
    readonly proto: number,
    readonly notProto: number,
    readonly ipVersion: number,
    readonly icmpType: number,
    readonly icmpCode: number,
    readonly notIcmpType: number,
    readonly notIcmpCode: number,
    readonly srcNets: readonly Cidr[] | null,
    readonly srcNotNets: readonly Cidr[] | null,
    readonly srcPorts: PortSet | null,
    readonly srcNotPorts: PortSet | null,
    readonly srcSel: number,
    readonly srcNotSel: number,
    readonly srcSvcName: string | null,
    readonly srcSvcNamespace: string,
    readonly dstNets: readonly Cidr[] | null,
    readonly dstNotNets: readonly Cidr[] | null,
    readonly dstPorts: PortSet | null,
    readonly dstNotPorts: PortSet | null,
    readonly dstSel: number,
    readonly dstNotSel: number,
    readonly dstSvcName: string | null,
    readonly dstSvcNamespace: string,
  ) {
    this.http = rule.http ?? null;
  }

  /** Unique per instance (variants included): identifies rule lists when programs are interned. */
  readonly uid = nextUid++;

  /** Application-layer criteria, tested last (null for nearly every rule). */
  readonly http: HttpMatch | null;

  /** Specialised copies of this rule, by how they were specialised (see `specialiseForLocal`). */
  variants: Map<string, RuleMatcher> | null = null;

  side(isSrc: boolean): SideFields {
    return isSrc
      ? { nets: this.srcNets, notNets: this.srcNotNets, ports: this.srcPorts, notPorts: this.srcNotPorts, sel: this.srcSel, notSel: this.srcNotSel, svcName: this.srcSvcName, svcNamespace: this.srcSvcNamespace }
      : { nets: this.dstNets, notNets: this.dstNotNets, ports: this.dstPorts, notPorts: this.dstNotPorts, sel: this.dstSel, notSel: this.dstNotSel, svcName: this.dstSvcName, svcNamespace: this.dstSvcNamespace };
  }

  /** A copy with some fields replaced (cold path: program building). */
  with(o: { proto?: number; notProto?: number; src?: SideFields; dst?: SideFields }): RuleMatcher {
    const s = o.src ?? this.side(true);
    const d = o.dst ?? this.side(false);
    return new RuleMatcher(
      this.action, this.index, this.rule, this.decision,
      o.proto ?? this.proto, o.notProto ?? this.notProto, this.ipVersion,
      this.icmpType, this.icmpCode, this.notIcmpType, this.notIcmpCode,
      s.nets, s.notNets, s.ports, s.notPorts, s.sel, s.notSel, s.svcName, s.svcNamespace,
      d.nets, d.notNets, d.ports, d.notPorts, d.sel, d.notSel, d.svcName, d.svcNamespace,
    );
  }
}

/** Every given criterion must match; cheap integer tests first, memoised selectors last. */
export function matchRule(r: RuleMatcher, c: MatchContext, table: SelectorTable): boolean {
  if (r.proto !== NONE && c.proto !== r.proto) return false;
  if (r.notProto !== NONE && c.proto === r.notProto) return false;
  if (r.ipVersion !== 0 && c.family !== r.ipVersion) return false;
  // Flow records carry no ICMP type: like HTTP criteria, an unanswerable ICMP match is judged last.
  let icmpUnknown = false;
  if (r.icmpType !== NONE && !(c.icmpType === r.icmpType && (r.icmpCode === NONE || c.icmpCode === r.icmpCode))) {
    if (c.icmpType >= 0) return false;
    icmpUnknown = true;
  }
  if (r.notIcmpType !== NONE && c.icmpType === r.notIcmpType && (r.notIcmpCode === NONE || c.icmpCode === r.notIcmpCode)) return false;
  // Ports
  if (r.dstPorts !== null && !portIn(r.dstPorts, c.dstPort, c.dst.endpoint, c.proto)) return false;
  if (r.dstNotPorts !== null && portIn(r.dstNotPorts, c.dstPort, c.dst.endpoint, c.proto)) return false;
  if (r.srcPorts !== null && !portIn(r.srcPorts, c.srcPort, c.src.endpoint, c.proto)) return false;
  // An absent port / IP cannot be shown to be in a notPorts / notNets list, so it passes.
  if (r.srcNotPorts !== null && portIn(r.srcNotPorts, c.srcPort, c.src.endpoint, c.proto)) return false;
  // Nets
  if (r.srcNets !== null && !netsContain(r.srcNets, c, true)) return false;
  if (r.srcNotNets !== null && netsContain(r.srcNotNets, c, true)) return false;
  if (r.dstNets !== null && !netsContain(r.dstNets, c, false)) return false;
  if (r.dstNotNets !== null && netsContain(r.dstNotNets, c, false)) return false;
  // Services: flows carry service identity only when the collector resolved it.
  if (r.srcSvcName !== null) {
    const s = c.srcService;
    if (s === null || s.name !== r.srcSvcName || s.namespace !== r.srcSvcNamespace) return false;
  }
  if (r.dstSvcName !== null) {
    const s = c.dstService;
    if (s === null || s.name !== r.dstSvcName || s.namespace !== r.dstSvcNamespace) return false;
  }
  // Selectors (memoised per peer identity)
  if (r.srcSel !== NONE && !subjectMatches(c.src.subject, r.srcSel, table)) return false;
  if (r.srcNotSel !== NONE && subjectMatches(c.src.subject, r.srcNotSel, table)) return false;
  if (r.dstSel !== NONE && !subjectMatches(c.dst.subject, r.dstSel, table)) return false;
  if (r.dstNotSel !== NONE && subjectMatches(c.dst.subject, r.dstNotSel, table)) return false;
  if (icmpUnknown) {
    c.uncertain = true;
    return false;
  }
  if (r.http !== null) return httpMatches(r.http, c);
  return true;
}

/**
 * HTTP criteria against the flow's method and path. A criterion the flow cannot answer (an L3/L4
 * record carries no method or path) leaves the rule's outcome unknown: it is treated as not
 * matching, and `c.uncertain` tells the caller that the decision rests on that guess.
 */
export function httpMatches(h: HttpMatch, c: MatchContext): boolean {
  const method = h.methods.length === 0 ? 2 : c.httpMethod === null ? 1 : h.methods.includes(c.httpMethod) ? 2 : 0;
  if (method === 0) return false;
  const path = h.paths.length === 0 ? 2 : c.httpPath === null ? 1 : httpPathMatches(h, c.httpPath) ? 2 : 0;
  if (path === 0) return false;
  if (method === 1 || path === 1) {
    c.uncertain = true;
    return false;
  }
  return true;
}

/** Calico compares the path without its query string or fragment. */
export function httpPathMatches(h: HttpMatch, rawPath: string): boolean {
  let end = rawPath.length;
  const q = rawPath.indexOf('?');
  if (q >= 0) end = q;
  const f = rawPath.indexOf('#');
  if (f >= 0 && f < end) end = f;
  const path = end === rawPath.length ? rawPath : rawPath.slice(0, end);
  for (const p of h.paths) {
    if (p.exact !== undefined ? path === p.exact : path.startsWith(p.prefix as string)) return true;
  }
  return false;
}

/** Identity of a selector source, or '' when absent. */
const src = (s: { source: string } | undefined) => (s ? JSON.stringify(s.source) : '');

/**
 * A key that identifies `entitySelector(e, policyNamespace)` by construction: the same inputs
 * to the same composition. Two rules with equal keys get one selector id (one memo slot).
 */
function entitySelectorKey(e: EntityRule, policyNamespace: string): string | null {
  const parts: string[] = [];
  if (e.serviceAccounts) {
    if (e.serviceAccounts.selector) parts.push(`sa:${src(e.serviceAccounts.selector)}`);
    if (e.serviceAccounts.names.length) parts.push(`san:${JSON.stringify([...new Set(e.serviceAccounts.names)].sort())}`);
  }
  if (e.selector) parts.push(`sel:${src(e.selector)}`);
  const nsPart = e.namespaceSelector ? `nss:${src(e.namespaceSelector)}` : policyNamespace ? `ns:${JSON.stringify(policyNamespace)}` : '';
  if (nsPart && (parts.length || e.notSelector || e.namespaceSelector)) parts.unshift(nsPart);
  return parts.length ? parts.join('&') : null;
}

function sideFields(e: EntityRule, policyNamespace: string, table: SelectorTable): SideFields {
  const cidrs = (list: readonly string[]) => (list.length ? list.map((n) => parseCidr(n) as Cidr) : null);
  const key = entitySelectorKey(e, policyNamespace);
  const sel = key === null ? NONE : table.intern(`E|${key}`, () => entitySelector(e, policyNamespace) as LabelPredicate);
  const notSelector = e.notSelector;
  const notSel = notSelector ? table.intern(`X|${src(notSelector)}`, () => notSelector.compiled('plain')) : NONE;
  return {
    nets: cidrs(e.nets),
    notNets: cidrs(e.notNets),
    ports: PortSet.of(e.ports),
    notPorts: PortSet.of(e.notPorts),
    sel,
    notSel,
    svcName: e.services ? e.services.name : null,
    svcNamespace: e.services ? e.services.namespace : '',
  };
}

/** Compiles a rule of a policy (or of a profile, with policyNamespace ''). */
export function compileRule(rule: Rule, index: number, policyNamespace: string, table: SelectorTable, decision: object | null): RuleMatcher {
  const s = sideFields(rule.source, policyNamespace, table);
  const d = sideFields(rule.destination, policyNamespace, table);
  // An icmp block without a type tests nothing (code needs type).
  const icmpType = rule.icmp?.type ?? NONE;
  const icmpCode = rule.icmp?.type !== undefined ? (rule.icmp.code ?? NONE) : NONE;
  const notIcmpType = rule.notICMP?.type ?? NONE;
  const notIcmpCode = rule.notICMP?.type !== undefined ? (rule.notICMP.code ?? NONE) : NONE;
  return new RuleMatcher(
    ACTION_CODES[rule.action], index, rule, decision,
    rule.protocol ?? NONE, rule.notProtocol ?? NONE, rule.ipVersion ?? 0,
    icmpType, icmpCode, notIcmpType, notIcmpCode,
    s.nets, s.notNets, s.ports, s.notPorts, s.sel, s.notSel, s.svcName, s.svcNamespace,
    d.nets, d.notNets, d.ports, d.notPorts, d.sel, d.notSel, d.svcName, d.svcNamespace,
  );
}

/**
 * Specialises a rule for one local endpoint (the destination for ingress, the source for egress)
 * and one protocol, when a per-endpoint program is built. Returns null when the rule can never
 * match there. What is decided here no longer costs anything per flow (the program is per
 * protocol and callers dropped rules whose protocol cannot match; specialised copies also drop
 * the protocol test):
 * - the local side's selector / notSelector when the endpoint's own labels decide it: a selector
 *   the endpoint matches is true whatever its IP; one it does not match and no network set of the
 *   snapshot matches is false (an IP's selector identity is its endpoint plus containing sets);
 * - the local side's named ports, resolved against the endpoint for this protocol.
 * The local side's nets stay per flow: callers may evaluate an endpoint with another IP.
 */
export function specialiseForLocal(
  r: RuleMatcher,
  isSrcLocal: boolean,
  ep: EndpointRuntimeLike,
  proto: number,
  table: SelectorTable,
  netsets: readonly LabelledRuntime[],
): RuleMatcher | null {
  let sel = isSrcLocal ? r.srcSel : r.dstSel;
  let notSel = isSrcLocal ? r.srcNotSel : r.dstNotSel;
  let ports = isSrcLocal ? r.srcPorts : r.dstPorts;
  let notPorts = isSrcLocal ? r.srcNotPorts : r.dstNotPorts;
  const namedPorts = (ports !== null && ports.names.length !== 0) || (notPorts !== null && notPorts.names.length !== 0);
  // Nothing on the local side to decide here: the rule is used as compiled (its protocol test is
  // redundant in a per-protocol program but costs one comparison; not worth a copy per rule).
  if (sel === NONE && notSel === NONE && !namedPorts) return r;
  if (sel !== NONE) {
    if (table.preds[sel](ep.allLabels, 0)) sel = NONE;
    else if (!table.anyNetsetMatches(sel, netsets)) return null;
  }
  if (notSel !== NONE) {
    if (table.preds[notSel](ep.allLabels, 0)) return null;
    if (!table.anyNetsetMatches(notSel, netsets)) notSel = NONE;
  }
  if (ports !== null && ports.names.length) {
    ports = ports.resolved(ep, proto);
    if (ports.empty) return null;
  }
  if (notPorts !== null && notPorts.names.length) {
    notPorts = notPorts.resolved(ep, proto);
    if (notPorts.empty) notPorts = null;
  }
  // Variants are shared between endpoints that specialise a rule the same way.
  const key = `${sel}|${notSel}|${ports === null ? '' : ports.signature}|${notPorts === null ? '' : notPorts.signature}`;
  const variants = (r.variants ??= new Map());
  let v = variants.get(key);
  if (!v) {
    const side: SideFields = { ...r.side(isSrcLocal), sel, notSel, ports, notPorts };
    v = r.with(isSrcLocal ? { proto: NONE, notProto: NONE, src: side } : { proto: NONE, notProto: NONE, dst: side });
    variants.set(key, v);
  }
  return v;
}
