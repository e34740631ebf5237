import { at, FieldReader } from './field.reader';
import { Direction, EntityRule, HttpMatch, IcmpMatch, PortSpec, Rule, RuleAction } from './model.types';
import { parseProtocol, PROTO_ICMP, PROTO_ICMPV6, protocolHasPorts, protocolName } from './protocol.util';

const ACTIONS: Readonly<Record<string, RuleAction>> = { allow: 'Allow', deny: 'Deny', pass: 'Pass', log: 'Log' };

const RULE_FIELDS = ['action', 'protocol', 'notProtocol', 'ipVersion', 'icmp', 'notICMP', 'source', 'destination', 'http', 'metadata'];
const ENTITY_FIELDS = [
  'nets',
  'notNets',
  'selector',
  'notSelector',
  'namespaceSelector',
  'ports',
  'notPorts',
  'serviceAccounts',
  'services',
  'domains',
];

// IANA service-name style (what Kubernetes allows for container port names), a little more lenient on length.
const PORT_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,61}[a-zA-Z0-9])?$/;

export function parsePortSpec(r: FieldReader, v: unknown, path: string): PortSpec {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 65535) r.fail(path, `port must be an integer in 0-65535, got ${v}`);
    return { kind: 'range', min: v, max: v };
  }
  if (typeof v !== 'string') return r.fail(path, `port must be a number, "min:max" or a port name`);
  const s = v.trim();
  const m = /^(\d+)(?::(\d+))?$/.exec(s);
  if (m) {
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : Number(m[2]);
    if (min > 65535 || max > 65535) r.fail(path, `port must be in 0-65535, got ${JSON.stringify(v)}`);
    if (min > max) r.fail(path, `port range start is after its end: ${JSON.stringify(v)}`);
    return { kind: 'range', min, max };
  }
  if (!PORT_NAME.test(s)) r.fail(path, `invalid port ${JSON.stringify(v)} (expected a number, "min:max" or a port name)`);
  return { kind: 'named', name: s };
}

function parseIcmp(r: FieldReader, v: unknown, path: string): IcmpMatch | undefined {
  const o = r.obj(v, path);
  if (!o) return undefined;
  r.onlyKeys(o, path, ['type', 'code']);
  const type = r.int(o.type, at(path, 'type'), 0, 254);
  const code = r.int(o.code, at(path, 'code'), 0, 255);
  if (code !== undefined && type === undefined) r.fail(at(path, 'code'), 'ICMP code requires a type');
  return { type, code };
}

function parseEntity(r: FieldReader, v: unknown, path: string, policyNamespace: string, protocol: number | undefined): EntityRule {
  const o = r.obj(v, path) ?? {};
  r.onlyKeys(o, path, ENTITY_FIELDS);
  if (o.domains !== undefined) r.fail(at(path, 'domains'), 'domain-based rules are not supported by this engine');
  const ports = r.arr(o.ports, at(path, 'ports')).map((p, i) => parsePortSpec(r, p, at(at(path, 'ports'), i)));
  const notPorts = r.arr(o.notPorts, at(path, 'notPorts')).map((p, i) => parsePortSpec(r, p, at(at(path, 'notPorts'), i)));
  for (const [field, list] of [
    ['ports', ports],
    ['notPorts', notPorts],
  ] as const) {
    list.forEach((p, i) => {
      const fp = at(at(path, field), i);
      if (protocol !== undefined && !protocolHasPorts(protocol)) {
        r.fail(fp, `ports are only valid with protocol TCP, UDP or SCTP (rule protocol is ${protocolName(protocol)})`);
      }
      if (protocol === undefined && p.kind === 'range') r.fail(fp, 'a numeric port needs the rule to set protocol TCP, UDP or SCTP');
    });
  }
  let serviceAccounts: EntityRule['serviceAccounts'];
  const sa = r.obj(o.serviceAccounts, at(path, 'serviceAccounts'));
  if (sa) {
    const sp = at(path, 'serviceAccounts');
    r.onlyKeys(sa, sp, ['names', 'selector']);
    serviceAccounts = { names: r.strList(sa.names, at(sp, 'names')), selector: r.selector(sa.selector, at(sp, 'selector')) };
  }
  let services: EntityRule['services'];
  const svc = r.obj(o.services, at(path, 'services'));
  if (svc) {
    const sp = at(path, 'services');
    r.onlyKeys(svc, sp, ['name', 'namespace']);
    const name = r.reqStr(svc.name, at(sp, 'name'));
    const namespace = r.str(svc.namespace, at(sp, 'namespace')) || policyNamespace;
    if (!namespace) r.fail(at(sp, 'namespace'), 'is required in a global policy');
    services = { name, namespace };
  }
  return {
    nets: r.cidrs(o.nets, at(path, 'nets')),
    notNets: r.cidrs(o.notNets, at(path, 'notNets')),
    selector: r.selector(o.selector, at(path, 'selector')),
    notSelector: r.selector(o.notSelector, at(path, 'notSelector')),
    namespaceSelector: r.selector(o.namespaceSelector, at(path, 'namespaceSelector')),
    ports,
    notPorts,
    serviceAccounts,
    services,
  };
}

function parseHttp(r: FieldReader, v: unknown, path: string, direction: Direction | undefined): HttpMatch | undefined {
  const o = r.obj(v, path);
  if (!o) return undefined;
  // Calico enforces HTTP criteria in the application layer of the receiving side only.
  if (direction === 'egress') r.fail(path, 'HTTP match is supported in ingress rules only');
  r.onlyKeys(o, path, ['methods', 'paths']);
  const methods = r.strList(o.methods, at(path, 'methods'));
  methods.forEach((m, i) => {
    if (!/^[A-Za-z]+$/.test(m)) r.fail(at(at(path, 'methods'), i), `must be an HTTP method name such as GET, got ${JSON.stringify(m)}`);
  });
  const paths = r.arr(o.paths, at(path, 'paths')).map((x, i) => {
    const pp = at(at(path, 'paths'), i);
    const po = r.obj(x, pp);
    if (!po) return r.fail(pp, 'must be an object {exact: ...} or {prefix: ...}');
    r.onlyKeys(po, pp, ['exact', 'prefix']);
    const exact = r.str(po.exact, at(pp, 'exact'));
    const prefix = r.str(po.prefix, at(pp, 'prefix'));
    if ((exact === undefined) === (prefix === undefined)) r.fail(pp, 'needs exactly one of exact or prefix');
    for (const [k, s] of [['exact', exact], ['prefix', prefix]] as const) {
      if (s !== undefined && !s.startsWith('/')) r.fail(at(pp, k), `must start with "/", got ${JSON.stringify(s)}`);
    }
    return exact !== undefined ? { exact } : { prefix };
  });
  return { methods, paths };
}

/**
 * Normalises one Calico v3 rule; `policyNamespace` is '' for global policies and profiles.
 * `direction` (when known) rejects HTTP criteria outside ingress rules.
 */
export function parseRule(r: FieldReader, v: unknown, path: string, policyNamespace: string, direction?: Direction): Rule {
  const o = r.obj(v, path);
  if (!o) return r.fail(path, 'rule must be an object');
  r.onlyKeys(o, path, RULE_FIELDS);
  const actionText = r.reqStr(o.action, at(path, 'action'));
  const action = ACTIONS[actionText.toLowerCase()];
  if (!action) r.fail(at(path, 'action'), `must be Allow, Deny, Pass or Log, got ${JSON.stringify(actionText)}`);
  const protocol = readProtocol(r, o.protocol, at(path, 'protocol'));
  const notProtocol = readProtocol(r, o.notProtocol, at(path, 'notProtocol'));
  let ipVersion: 4 | 6 | undefined;
  if (o.ipVersion !== undefined && o.ipVersion !== null) {
    if (o.ipVersion !== 4 && o.ipVersion !== 6) r.fail(at(path, 'ipVersion'), `must be 4 or 6, got ${JSON.stringify(o.ipVersion)}`);
    ipVersion = o.ipVersion;
  }
  const icmp = parseIcmp(r, o.icmp, at(path, 'icmp'));
  const notICMP = parseIcmp(r, o.notICMP, at(path, 'notICMP'));
  for (const [field, m] of [
    ['icmp', icmp],
    ['notICMP', notICMP],
  ] as const) {
    if (m && protocol !== PROTO_ICMP && protocol !== PROTO_ICMPV6) r.fail(at(path, field), 'needs protocol ICMP or ICMPv6');
  }
  return {
    action,
    protocol,
    notProtocol,
    ipVersion,
    icmp,
    notICMP,
    source: parseEntity(r, o.source, at(path, 'source'), policyNamespace, protocol),
    destination: parseEntity(r, o.destination, at(path, 'destination'), policyNamespace, protocol),
    http: parseHttp(r, o.http, at(path, 'http'), direction),
    origin: { path, written: v },
  };
}

function readProtocol(r: FieldReader, v: unknown, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const p = parseProtocol(v);
  if (p === null) r.fail(path, `unknown protocol ${JSON.stringify(v)} (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or 1-255)`);
  return p;
}

export function parseRules(r: FieldReader, v: unknown, path: string, policyNamespace: string, direction?: Direction): Rule[] {
  return r.arr(v, path).map((x, i) => parseRule(r, x, at(path, i), policyNamespace, direction));
}
