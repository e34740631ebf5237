import * as ipaddr from 'ipaddr.js';

/**
 * Per-node IPAM blocks, like Calico's: each node owns a /24 of the pod CIDR (and the matching
 * /64 of the IPv6 one). A released address goes on a LIFO stack and is handed out first, which is
 * what makes IP reuse across deployments happen as fast as in a busy real cluster.
 */
export class IpAllocator {
  private readonly base4: number[];
  private readonly prefix6: string;
  private readonly nextHost = new Map<number, number>();
  private readonly released = new Map<number, number[]>();
  private readonly inUse = new Set<string>();

  constructor(podCidr: string, podCidr6: string) {
    const [addr, len] = ipaddr.parseCIDR(podCidr);
    if (addr.kind() !== 'ipv4' || len > 16) throw new Error(`pod CIDR ${podCidr} must be an IPv4 /16 or larger`);
    this.base4 = (addr as ipaddr.IPv4).octets.slice(0, 2);
    const [addr6, len6] = ipaddr.parseCIDR(podCidr6);
    if (addr6.kind() !== 'ipv6' || len6 > 56) throw new Error(`pod CIDR ${podCidr6} must be an IPv6 /56 or larger`);
    // First three groups, so node n's block is <g0>:<g1>:<g2>:<n>::/64.
    this.prefix6 = (addr6 as ipaddr.IPv6).parts.slice(0, 3).map((p) => p.toString(16)).join(':');
  }

  static readonly MAX_NODES = 256;
  static readonly HOSTS_PER_NODE = 253;

  /** Returns [IPv4, IPv6] for a new pod on `node`. */
  allocate(node: number): [string, string] {
    if (node < 0 || node >= IpAllocator.MAX_NODES) throw new Error(`node index ${node} outside the pod CIDR`);
    const stack = this.released.get(node);
    let host = stack?.pop();
    if (host === undefined) {
      host = this.nextHost.get(node) ?? 2;
      if (host > IpAllocator.HOSTS_PER_NODE + 1) throw new Error(`node ${node}: IP block exhausted`);
      this.nextHost.set(node, host + 1);
    }
    const pair = this.addresses(node, host);
    if (this.inUse.has(pair[0])) throw new Error(`IPAM bug: ${pair[0]} handed out twice`);
    this.inUse.add(pair[0]);
    return pair;
  }

  release(ipv4: string): void {
    if (!this.inUse.delete(ipv4)) throw new Error(`release of ${ipv4}, which is not allocated`);
    const o = ipv4.split('.').map(Number);
    let stack = this.released.get(o[2]);
    if (!stack) this.released.set(o[2], (stack = []));
    stack.push(o[3]);
  }

  isAllocated(ipv4: string): boolean {
    return this.inUse.has(ipv4);
  }

  private addresses(node: number, host: number): [string, string] {
    return [`${this.base4[0]}.${this.base4[1]}.${node}.${host}`, `${this.prefix6}:${node.toString(16)}::${host.toString(16)}`];
  }
}
