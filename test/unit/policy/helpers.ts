import { PolicySnapshot } from '../../../src/policy';

/** Minimal cluster used by the evaluation tests: two namespaces, four pods, one host. */
export const BASE = `
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {env: dev}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: prod, labels: {app: web}}
spec:
  serviceAccountName: web-sa
  containers: [{name: c, ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 5353, protocol: UDP}]}]
status: {podIP: 10.0.0.1, podIPs: [{ip: 10.0.0.1}, {ip: "fd00::1"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: prod, labels: {app: api}}
spec: {containers: [{name: c, ports: [{name: http, containerPort: 9000}]}]}
status: {podIP: 10.0.0.2, podIPs: [{ip: 10.0.0.2}, {ip: "fd00::2"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: dev, labels: {app: client}}
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: dev, labels: {app: web}}
status: {podIP: 10.0.1.2}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web-sa, namespace: prod, labels: {trust: high}}
---
apiVersion: projectcalico.org/v3
kind: HostEndpoint
metadata: {name: node1-eth0, labels: {role: node}}
spec: {node: node1, interfaceName: eth0, expectedIPs: [192.168.1.10], ports: [{name: ssh, port: 22, protocol: TCP}]}
`;

export function snap(...docs: string[]): PolicySnapshot {
  return PolicySnapshot.fromManifests([BASE, ...docs].join('\n---\n'));
}

export const WEB = '10.0.0.1';
export const API = '10.0.0.2';
export const CLIENT = '10.0.1.1';
export const DEVWEB = '10.0.1.2';
export const HOST = '192.168.1.10';
