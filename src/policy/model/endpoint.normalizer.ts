import { parseIp, parseCidr } from '../rules/ip.util';
import { at, FieldReader, Obj } from './field.reader';
import {
  HostEndpointResource,
  NamedPortDecl,
  NamespaceResource,
  NetworkSetResource,
  OwnerReference,
  PodResource,
  resourceKey,
  ServiceAccountResource,
  WorkloadEndpointResource,
} from './model.types';
import { parseProtocol } from './protocol.util';

function ipList(r: FieldReader, values: unknown[], path: string): string[] {
  return values.map((v, i) => {
    const s = r.str(v, at(path, i)) ?? '';
    // WEP ipNetworks are CIDRs (/32, /128); pod IPs are bare addresses.
    const c = s.includes('/') ? parseCidr(s) : null;
    const ip = parseIp(c ? c.text.split('/')[0] : s);
    if (!ip || (c && c.prefix !== (c.family === 4 ? 32 : 128))) r.fail(at(path, i), `invalid IP address ${JSON.stringify(s)}`);
    return ip.text;
  });
}

function endpointPorts(r: FieldReader, v: unknown, path: string): NamedPortDecl[] {
  return r.arr(v, path).map((p, i) => {
    const pp = at(path, i);
    const o = r.obj(p, pp) ?? {};
    const name = r.reqStr(o.name, at(pp, 'name'));
    const port = r.int(o.port, at(pp, 'port'), 0, 65535);
    if (port === undefined) r.fail(at(pp, 'port'), 'is required');
    const protocol = o.protocol === undefined ? 6 : parseProtocol(o.protocol);
    if (protocol === null) r.fail(at(pp, 'protocol'), `unknown protocol ${JSON.stringify(o.protocol)}`);
    return { name, port, protocol };
  });
}

export function parsePod(r: FieldReader, namespace: string, name: string, meta: Obj, spec: Obj, status: Obj): PodResource {
  const ports: NamedPortDecl[] = [];
  for (const field of ['containers', 'initContainers'] as const) {
    r.arr(spec[field], at('spec', field)).forEach((c, ci) => {
      const cp = at(at('spec', field), ci);
      const co = r.obj(c, cp) ?? {};
      r.arr(co.ports, at(cp, 'ports')).forEach((p, pi) => {
        const pp = at(at(cp, 'ports'), pi);
        const po = r.obj(p, pp) ?? {};
        const portName = r.str(po.name, at(pp, 'name'));
        const port = r.int(po.containerPort, at(pp, 'containerPort'), 1, 65535);
        if (port === undefined) r.fail(at(pp, 'containerPort'), 'is required');
        const protocol = po.protocol === undefined ? 6 : parseProtocol(po.protocol);
        if (protocol === null) r.fail(at(pp, 'protocol'), `unknown protocol ${JSON.stringify(po.protocol)}`);
        // Only named ports matter to policy; unnamed ones cannot be referenced by a rule.
        if (portName) ports.push({ name: portName, port, protocol });
      });
    });
  }
  let ips: string[] = [];
  const podIPs = r.arr(status.podIPs, 'status.podIPs');
  if (podIPs.length) {
    ips = ipList(
      r,
      podIPs.map((x, i) => (r.obj(x, at('status.podIPs', i)) ?? {}).ip),
      'status.podIPs',
    );
  } else if (status.podIP) {
    ips = ipList(r, [status.podIP], 'status.podIP');
  } else {
    // Calico CNI annotations: what Calico itself falls back to before status is written.
    const ann = r.labels(meta.annotations, 'metadata.annotations');
    const a = ann['cni.projectcalico.org/podIPs'] || ann['cni.projectcalico.org/podIP'];
    if (a) ips = ipList(r, a.split(',').map((x) => x.trim()), 'metadata.annotations');
  }
  const ownerReferences: OwnerReference[] = r.arr(meta.ownerReferences, 'metadata.ownerReferences').map((o, i) => {
    const op = at('metadata.ownerReferences', i);
    const oo = r.obj(o, op) ?? {};
    return {
      kind: r.reqStr(oo.kind, at(op, 'kind')),
      name: r.reqStr(oo.name, at(op, 'name')),
      uid: r.str(oo.uid, at(op, 'uid')),
      controller: r.bool(oo.controller, at(op, 'controller')),
    };
  });
  return {
    kind: 'Pod',
    key: resourceKey('Pod', namespace, name),
    namespace,
    name,
    labels: r.labels(meta.labels, 'metadata.labels'),
    ips: [...new Set(ips)],
    node: r.str(spec.nodeName, 'spec.nodeName'),
    serviceAccount: r.str(spec.serviceAccountName, 'spec.serviceAccountName') || r.str(spec.serviceAccount, 'spec.serviceAccount') || 'default',
    ports,
    ownerReferences,
    hostNetwork: r.bool(spec.hostNetwork, 'spec.hostNetwork') ?? false,
    phase: r.str(status.phase, 'status.phase'),
  };
}

export function parseWorkloadEndpoint(r: FieldReader, namespace: string, name: string, meta: Obj, spec: Obj): WorkloadEndpointResource {
  return {
    kind: 'WorkloadEndpoint',
    key: resourceKey('WorkloadEndpoint', namespace, name),
    namespace,
    name,
    labels: r.labels(meta.labels, 'metadata.labels'),
    ips: ipList(r, r.arr(spec.ipNetworks, 'spec.ipNetworks'), 'spec.ipNetworks'),
    node: r.str(spec.node, 'spec.node'),
    pod: r.str(spec.pod, 'spec.pod'),
    serviceAccount: r.str(spec.serviceAccountName, 'spec.serviceAccountName'),
    profiles: r.strList(spec.profiles, 'spec.profiles'),
    ports: endpointPorts(r, spec.ports, 'spec.ports'),
  };
}

export function parseHostEndpoint(r: FieldReader, name: string, meta: Obj, spec: Obj): HostEndpointResource {
  return {
    kind: 'HostEndpoint',
    key: resourceKey('HostEndpoint', '', name),
    namespace: '',
    name,
    labels: r.labels(meta.labels, 'metadata.labels'),
    ips: ipList(r, r.arr(spec.expectedIPs, 'spec.expectedIPs'), 'spec.expectedIPs'),
    node: r.str(spec.node, 'spec.node'),
    interfaceName: r.str(spec.interfaceName, 'spec.interfaceName'),
    profiles: r.strList(spec.profiles, 'spec.profiles'),
    ports: endpointPorts(r, spec.ports, 'spec.ports'),
  };
}

export function parseNetworkSet(
  r: FieldReader,
  kind: 'NetworkSet' | 'GlobalNetworkSet',
  namespace: string,
  name: string,
  meta: Obj,
  spec: Obj,
): NetworkSetResource {
  return {
    kind,
    key: resourceKey(kind, namespace, name),
    namespace,
    name,
    labels: r.labels(meta.labels, 'metadata.labels'),
    nets: r.cidrs(spec.nets, 'spec.nets'),
  };
}

export function parseNamespace(r: FieldReader, name: string, meta: Obj): NamespaceResource {
  const labels = r.labels(meta.labels, 'metadata.labels');
  // The API server adds this label to every namespace (k8s >= 1.21); manifests often omit it.
  labels['kubernetes.io/metadata.name'] ??= name;
  return { kind: 'Namespace', key: resourceKey('Namespace', '', name), namespace: '', name, labels };
}

export function parseServiceAccount(r: FieldReader, namespace: string, name: string, meta: Obj): ServiceAccountResource {
  return {
    kind: 'ServiceAccount',
    key: resourceKey('ServiceAccount', namespace, name),
    namespace,
    name,
    labels: r.labels(meta.labels, 'metadata.labels'),
  };
}
