/** Flow events in flowscope's own JSON format, as a dataplane would send them to the flows topic. */
export interface EventSpec {
  at: number;
  action: 'allow' | 'deny';
  srcIp: string;
  dstIp: string;
  dstPort: number;
  srcNamespace?: string;
  dstNamespace?: string;
  srcName?: string;
  dstName?: string;
  hit?: string;
}

export function flowEvent(e: EventSpec, i: number): { key: string; value: string } {
  return {
    key: `node-${i % 3}`,
    value: JSON.stringify({
      time: new Date(e.at).toISOString(),
      action: e.action,
      reporter: 'dst',
      protocol: 'tcp',
      srcIp: e.srcIp,
      srcPort: 40000 + (i % 20000),
      dstIp: e.dstIp,
      dstPort: e.dstPort,
      srcNamespace: e.srcNamespace,
      srcName: e.srcName,
      dstNamespace: e.dstNamespace,
      dstName: e.dstName,
      node: `node-${i % 3}`,
      packetsIn: 4,
      packetsOut: 3,
      bytesIn: 400 + i,
      bytesOut: 300,
      policies: e.hit ? { enforced: [e.hit], pending: [] } : undefined,
    }),
  };
}

const PEERS = [
  { ns: 'frontend', name: 'web', ip: '10.20.0.' },
  { ns: 'payments', name: 'api', ip: '10.21.0.' },
  { ns: 'orders', name: 'worker', ip: '10.22.0.' },
  { ns: 'monitoring', name: 'scraper', ip: '10.23.0.' },
];
const DENIES = ['0|security|gnp:security.quarantine|deny|0', '0|platform|payments/platform.only-frontend|deny|1', '0|default|orders/default.deny-all|deny|0'];
const ALLOWS = ['0|default|payments/default.allow-frontend|allow|0', '0|platform|gnp:platform.allow-monitoring|allow|2'];

/** A mix of allowed and denied traffic between four namespaces, spread over the `minutes` before `end`. */
export function trafficMix(count: number, end: number, minutes: number, offset = 0): EventSpec[] {
  return Array.from({ length: count }, (_, n) => {
    const i = n + offset;
    const src = PEERS[i % PEERS.length];
    const dst = PEERS[(i * 7 + 1) % PEERS.length];
    const deny = i % 3 === 0;
    return {
      at: end - Math.floor(((count - n) / count) * minutes * 60_000),
      action: deny ? 'deny' : 'allow',
      srcIp: `${src.ip}${1 + (i % 5)}`,
      dstIp: `${dst.ip}${1 + (i % 2)}`,
      dstPort: deny ? [5432, 22, 6379][Math.floor(i / 3) % 3] : [443, 8080][i % 2],
      srcNamespace: src.ns,
      srcName: `${src.name}-${i % 5}`,
      dstNamespace: dst.ns,
      dstName: `${dst.name}-${i % 2}`,
      hit: deny ? DENIES[Math.floor(i / 3) % DENIES.length] : ALLOWS[i % ALLOWS.length],
    };
  });
}
