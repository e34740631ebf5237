import { cidrContains, parseCidr, parseIp } from '../rules/ip.util';
import { at, FieldReader, Obj } from './field.reader';
import { Direction, EntityRule, PolicyKind, PolicyResource, PortSpec, resourceKey, Rule, StagedAction, STAGED_TO_ENFORCED } from './model.types';
import { collectProblems } from './model.errors';
import { defaultTypes, parseStagedAction, parseTypes } from './policy.normalizer';
import { parsePortSpec } from './rule.normalizer';
import { parseProtocol } from './protocol.util';
import { parseSelector } from '../selector';

const ORCHESTRATOR_K8S = "projectcalico.org/orchestrator == 'k8s'";
// Kubernetes label syntax; enforcing it also guarantees the values can be quoted safely below.
const K8S_LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const K8S_LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const K8S_PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/**
 * Kubernetes LabelSelector -> Calico selector text, following Calico's k8sSelectorToCalico:
 * pod selectors are ANDed with `projectcalico.org/orchestrator == 'k8s'`; an empty namespace
 * selector means all namespaces (`all()`); an absent one yields '' (no namespace selector).
 */
export function k8sSelectorToCalico(r: FieldReader, v: unknown, path: string, type: 'pod' | 'namespace'): string {
  const parts = type === 'pod' ? [ORCHESTRATOR_K8S] : [];
  const s = r.obj(v, path);
  if (!s) return parts.join(' && ');
  r.onlyKeys(s, path, ['matchLabels', 'matchExpressions']);
  const ml = r.labels(s.matchLabels, at(path, 'matchLabels'));
  const exprs = r.arr(s.matchExpressions, at(path, 'matchExpressions'));
  if (type === 'namespace' && Object.keys(ml).length === 0 && exprs.length === 0) return 'all()';
  for (const k of Object.keys(ml).sort()) {
    checkLabel(r, k, ml[k], at(at(path, 'matchLabels'), k));
    parts.push(`${k} == '${ml[k]}'`);
  }
  exprs.forEach((e, i) => {
    const ep = at(at(path, 'matchExpressions'), i);
    const o = r.obj(e, ep);
    if (!o) return r.fail(ep, 'must be an object');
    const key = r.reqStr(o.key, at(ep, 'key'));
    const op = r.reqStr(o.operator, at(ep, 'operator'));
    const values = r.strList(o.values, at(ep, 'values'));
    checkLabel(r, key, '', at(ep, 'key'));
    values.forEach((x, j) => checkLabel(r, key, x, at(at(ep, 'values'), j)));
    const list = values.map((x) => `'${x}'`).join(', ');
    switch (op) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) r.fail(at(ep, 'values'), `must be non-empty for operator ${op}`);
        parts.push(`${key} ${op === 'In' ? 'in' : 'not in'} { ${list} }`);
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) r.fail(at(ep, 'values'), `must be empty for operator ${op}`);
        parts.push(op === 'Exists' ? `has(${key})` : `! has(${key})`);
        break;
      default:
        r.fail(at(ep, 'operator'), `must be In, NotIn, Exists or DoesNotExist, got ${JSON.stringify(op)}`);
    }
  });
  return parts.join(' && ');
}

function checkLabel(r: FieldReader, key: string, value: string, path: string): void {
  if (!K8S_LABEL_KEY.test(key) || key.length > 316) r.fail(path, `invalid label key ${JSON.stringify(key)}`);
  if (!K8S_LABEL_VALUE.test(value) || value.length > 63) r.fail(path, `invalid label value ${JSON.stringify(value)}`);
}

interface K8sPeer {
  selector: string;
  namespaceSelector: string;
  nets: string[];
  notNets: string[];
}

function convertPeer(r: FieldReader, v: unknown, path: string): K8sPeer {
  const o = r.obj(v, path) ?? {};
  r.onlyKeys(o, path, ['ipBlock', 'podSelector', 'namespaceSelector']);
  const ib = r.obj(o.ipBlock, at(path, 'ipBlock'));
  if (ib) {
    if (o.podSelector !== undefined || o.namespaceSelector !== undefined) {
      r.fail(at(path, 'ipBlock'), 'may not be combined with podSelector or namespaceSelector');
    }
    const ip = at(path, 'ipBlock');
    r.onlyKeys(ib, ip, ['cidr', 'except']);
    const cidrText = r.reqStr(ib.cidr, at(ip, 'cidr'));
    const cidr = parseCidr(cidrText);
    if (!cidr || !cidrText.includes('/')) return r.fail(at(ip, 'cidr'), `invalid CIDR ${JSON.stringify(cidrText)}`);
    const notNets = r.strList(ib.except, at(ip, 'except')).map((e, i) => {
      const ex = parseCidr(e);
      const ep = at(at(ip, 'except'), i);
      if (!ex || !e.includes('/')) return r.fail(ep, `invalid CIDR ${JSON.stringify(e)}`);
      const base = parseIp(ex.text.split('/')[0]);
      if (!base || ex.prefix <= cidr.prefix || !cidrContains(cidr, base)) r.fail(ep, `${e} is not strictly inside ${cidrText}`);
      return ex.text;
    });
    return { selector: '', namespaceSelector: '', nets: [cidr.text], notNets };
  }
  return {
    selector: k8sSelectorToCalico(r, o.podSelector, at(path, 'podSelector'), 'pod'),
    namespaceSelector: k8sSelectorToCalico(r, o.namespaceSelector, at(path, 'namespaceSelector'), 'namespace'),
    nets: [],
    notNets: [],
  };
}

/** Merges numeric ports into minimal ranges like Calico's SimplifyPorts; named ports first. */
function simplifyPorts(ports: PortSpec[]): PortSpec[] {
  if (ports.length <= 1) return ports;
  const named = ports.filter((p) => p.kind === 'named');
  const ranges = ports.filter((p): p is Extract<PortSpec, { kind: 'range' }> => p.kind === 'range').sort((a, b) => a.min - b.min);
  if (ranges.length <= 1) return ports;
  const merged: { kind: 'range'; min: number; max: number }[] = [];
  for (const p of ranges) {
    const last = merged[merged.length - 1];
    if (last && p.min <= last.max + 1) last.max = Math.max(last.max, p.max);
    else merged.push({ kind: 'range', min: p.min, max: p.max });
  }
  return [...named, ...merged];
}

const ANY_ENTITY: EntityRule = { nets: [], notNets: [], ports: [], notPorts: [] };

/**
 * One Kubernetes rule -> Calico rules, one per (protocol x peer), protocol-major with protocols
 * sorted by name, exactly like Calico's k8sRuleToCalico, so rule indexes in traces line up.
 */
function convertK8sRule(r: FieldReader, v: unknown, path: string, dir: Direction): Rule[] {
  const o = r.obj(v, path) ?? {};
  const peerField = dir === 'ingress' ? 'from' : 'to';
  r.onlyKeys(o, path, [peerField, 'ports']);
  const peersRaw = r.arr(o[peerField], at(path, peerField));
  const peers: (K8sPeer | null)[] = peersRaw.length ? peersRaw.map((p, i) => convertPeer(r, p, at(at(path, peerField), i))) : [null];
  const portsRaw = r.arr(o.ports, at(path, 'ports'));
  // '' = no protocol (no ports given at all); value null = every port of that protocol.
  let protocolPorts = new Map<string, PortSpec[] | null>();
  if (portsRaw.length === 0) protocolPorts.set('', null);
  portsRaw.forEach((p, i) => {
    const pp = at(at(path, 'ports'), i);
    const po = r.obj(p, pp) ?? {};
    r.onlyKeys(po, pp, ['protocol', 'port', 'endPort']);
    const proto = r.str(po.protocol, at(pp, 'protocol')) ?? 'TCP';
    if (!K8S_PROTOCOLS.includes(proto)) r.fail(at(pp, 'protocol'), `must be TCP, UDP or SCTP, got ${JSON.stringify(proto)}`);
    let spec: PortSpec | null = null;
    if (po.port !== undefined && po.port !== null) {
      // Kubernetes ports are a number or a name; Calico's "min:max" form is not valid here.
      if (typeof po.port === 'string' && po.port.includes(':')) r.fail(at(pp, 'port'), 'must be a number or a port name');
      spec = parsePortSpec(r, po.port, at(pp, 'port'));
      const end = r.int(po.endPort, at(pp, 'endPort'), 1, 65535);
      if (end !== undefined) {
        if (spec.kind !== 'range') r.fail(at(pp, 'endPort'), 'requires a numeric port');
        if (end < spec.min) r.fail(at(pp, 'endPort'), `must not be below port ${spec.min}`);
        spec = { kind: 'range', min: spec.min, max: end };
      }
    } else if (po.endPort !== undefined) {
      r.fail(at(pp, 'endPort'), 'requires port');
    }
    if (!protocolPorts.has(proto)) protocolPorts.set(proto, spec ? [spec] : null);
    else {
      const cur = protocolPorts.get(proto);
      // null (all ports) absorbs everything else for that protocol.
      if (cur !== null && cur !== undefined) protocolPorts.set(proto, spec ? [...cur, spec] : null);
    }
  });
  protocolPorts = new Map([...protocolPorts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const rules: Rule[] = [];
  const origin = { path, written: v };
  for (const [proto, ports] of protocolPorts) {
    const protocol = proto === '' ? undefined : (parseProtocol(proto) ?? undefined);
    const portList = ports ? simplifyPorts(ports) : [];
    for (const peer of peers) {
      const peerEntity: EntityRule = peer
        ? {
            nets: peer.nets,
            notNets: peer.notNets,
            selector: peer.selector ? parseSelector(peer.selector) : undefined,
            namespaceSelector: peer.namespaceSelector ? parseSelector(peer.namespaceSelector) : undefined,
            ports: [],
            notPorts: [],
          }
        : ANY_ENTITY;
      if (dir === 'ingress') {
        rules.push({ action: 'Allow', protocol, source: peerEntity, destination: { ...ANY_ENTITY, ports: portList }, origin });
      } else {
        rules.push({ action: 'Allow', protocol, source: ANY_ENTITY, destination: { ...peerEntity, ports: portList }, origin });
      }
    }
  }
  return rules;
}

/** networking.k8s.io/v1 NetworkPolicy (or a StagedKubernetesNetworkPolicy) in Calico terms. */
export function convertK8sNetworkPolicy(
  r: FieldReader,
  kind: Extract<PolicyKind, 'KubernetesNetworkPolicy' | 'StagedKubernetesNetworkPolicy'>,
  namespace: string,
  name: string,
  spec: Obj,
): PolicyResource {
  const ingressRaw = r.arr(spec.ingress, 'spec.ingress');
  const egressRaw = r.arr(spec.egress, 'spec.egress');
  // Each part is checked on its own: a policy with several mistakes reports them all at once.
  const [selectorText, ingressLists, egressLists, types, stagedAction] = collectProblems<[string, Rule[][], Rule[][], Direction[] | undefined, StagedAction | undefined]>(
    () => k8sSelectorToCalico(r, spec.podSelector ?? {}, 'spec.podSelector', 'pod'),
    () => collectProblems<Rule[][]>(...ingressRaw.map((x, i) => () => convertK8sRule(r, x, at('spec.ingress', i), 'ingress'))),
    () => collectProblems<Rule[][]>(...egressRaw.map((x, i) => () => convertK8sRule(r, x, at('spec.egress', i), 'egress'))),
    () => parseTypes(r, spec.policyTypes, 'spec.policyTypes'),
    () => (kind === 'StagedKubernetesNetworkPolicy' ? parseStagedAction(r, spec.stagedAction, 'spec.stagedAction') : undefined),
  );
  const ingress = ingressLists.flat();
  const egress = egressLists.flat();
  const canonical = `knp.default.${name}`;
  const staged = kind === 'StagedKubernetesNetworkPolicy';
  return {
    kind,
    key: resourceKey(kind, namespace, canonical),
    namespace,
    name: canonical,
    sourceName: name,
    tier: 'default',
    order: 1000,
    selector: parseSelector(selectorText),
    types: types ?? defaultTypes(1, egressRaw.length),
    ingress,
    egress,
    staged,
    stagedAction,
    enforcedKind: STAGED_TO_ENFORCED[kind],
  };
}
