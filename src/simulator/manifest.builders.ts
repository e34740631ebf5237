import { Manifest, SimApp, SimExternalNet, SimNamespace, SimNode, SimPod } from './cluster.types';

/**
 * Manifests in the exact shapes the API servers return, so the same objects feed the policy
 * engine's manifest parser, the inventory topic and anyone piping them into kubectl.
 */

const CALICO = 'projectcalico.org/v3';

export function namespaceManifest(ns: SimNamespace): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.name, labels: { ...ns.labels } } };
}

export function serviceAccountManifest(namespace: string, name: string, labels: Record<string, string>): Manifest {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels } };
}

function containerPorts(app: SimApp): Array<Record<string, unknown>> {
  return app.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol }));
}

function image(app: SimApp): string {
  const v = app.labels.version ?? 'v1';
  const images: Record<string, string> = {
    postgres: 'postgres:16.4',
    redis: 'redis:7.4',
    dns: 'registry.k8s.io/coredns/coredns:v1.11.3',
    ingress: 'registry.k8s.io/ingress-nginx/controller:v1.11.2',
    prometheus: 'quay.io/prometheus/prometheus:v2.54.1',
  };
  return images[app.role] ?? `registry.example.com/${app.namespace}/${app.name}:${v}`;
}

export function deploymentManifest(app: SimApp): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app.name, namespace: app.namespace, labels: { app: app.labels.app } },
    spec: {
      replicas: app.replicas,
      selector: { matchLabels: { app: app.labels.app } },
      template: {
        metadata: { labels: { ...app.labels } },
        spec: { serviceAccountName: app.serviceAccount, containers: [{ name: app.name, image: image(app), ports: containerPorts(app) }] },
      },
    },
  };
}

export function serviceManifest(app: SimApp, clusterIp: string): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: app.name, namespace: app.namespace, labels: { app: app.labels.app } },
    spec: {
      type: 'ClusterIP',
      clusterIP: clusterIp,
      selector: { app: app.labels.app },
      ports: app.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol })),
    },
  };
}

export function podManifest(pod: SimPod): Manifest {
  const app = pod.app;
  const rs = `${app.name}-${app.templateHash}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      namespace: pod.namespace,
      uid: pod.uid,
      labels: { ...app.labels },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `rs-${pod.namespace}-${rs}`, controller: true }],
    },
    spec: {
      nodeName: pod.node.name,
      serviceAccountName: app.serviceAccount,
      containers: [{ name: app.name, image: image(app), ports: containerPorts(app) }],
    },
    status: { phase: 'Running', podIP: pod.ips[0], podIPs: pod.ips.map((ip) => ({ ip })) },
  };
}

export function nodeManifest(node: SimNode): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name, labels: { ...node.labels } },
    status: { addresses: [{ type: 'InternalIP', address: node.ip }, { type: 'Hostname', address: node.name }] },
  };
}

/** Calico's automatic host endpoint: interface `*`, the node's IPs, the default-allow profile. */
export function hostEndpointManifest(node: SimNode): Manifest {
  return {
    apiVersion: CALICO,
    kind: 'HostEndpoint',
    metadata: { name: `${node.name}-auto-hep`, labels: { ...node.labels, 'host-endpoint': 'true' } },
    spec: {
      node: node.name,
      interfaceName: '*',
      expectedIPs: [node.ip],
      profiles: ['projectcalico-default-allow'],
      ports: [{ name: 'kubelet', port: 10250, protocol: 'TCP' }, { name: 'ssh', port: 22, protocol: 'TCP' }],
    },
  };
}

export function defaultAllowProfile(): Manifest {
  return {
    apiVersion: CALICO,
    kind: 'Profile',
    metadata: { name: 'projectcalico-default-allow' },
    spec: { ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] },
  };
}

export function networkSetManifest(net: SimExternalNet): Manifest {
  const metadata: Manifest['metadata'] = { name: net.name, labels: { ...net.labels } };
  if (net.kind === 'NetworkSet') metadata.namespace = net.namespace;
  return { apiVersion: CALICO, kind: net.kind, metadata, spec: { nets: [...net.nets] } };
}
