import { SimRecord } from './traffic.types';

export type MalformedKind = 'bad-json' | 'missing-field' | 'bad-ip' | 'unknown-enum' | 'oversized';
export const MALFORMED_KINDS: readonly MalformedKind[] = ['bad-json', 'missing-field', 'bad-ip', 'unknown-enum', 'oversized'];

/** `tier|kind|namespace|name|action` of the hit that decided a record (the Log rule for log records). */
export function decidingHitKey(rec: SimRecord): string {
  if (rec.action !== 'log') {
    const cached = keyCache.get(rec.enforced);
    if (cached !== undefined) return cached;
  }
  const k = computeKey(rec);
  if (rec.action !== 'log') keyCache.set(rec.enforced, k);
  return k;
}

const keyCache = new WeakMap<readonly unknown[], string>();

function computeKey(rec: SimRecord): string {
  if (rec.action === 'log') {
    const l = rec.log;
    return l ? `${l.tier}|${l.kind}|${l.namespace}|${l.name}|log` : 'none';
  }
  const h = rec.enforced[rec.enforced.length - 1];
  return h ? `${h.tier}|${h.kind}|${h.namespace}|${h.name}|${h.action}` : 'none';
}

/**
 * What the simulator emitted, for a test (or an operator) to check that ingest reproduces it:
 * well-formed records by deciding hit and by verdict, and every injected error by kind.
 */
export class ExpectedCounts {
  readonly byHit = new Map<string, number>();
  readonly byVerdict = { allow: 0, deny: 0, log: 0 };
  readonly byReporter = { src: 0, dst: 0 };
  readonly malformed: Record<MalformedKind, number> = { 'bad-json': 0, 'missing-field': 0, 'bad-ip': 0, 'unknown-enum': 0, oversized: 0 };
  records = 0;
  staleRecords = 0;
  unknownEndpointRecords = 0;
  connections = 0;
  inventoryMessages = 0;
  tombstones = 0;

  addRecord(rec: SimRecord, stale: boolean, unknownEndpoint: boolean): void {
    this.records++;
    this.byVerdict[rec.action]++;
    this.byReporter[rec.reporter]++;
    const k = decidingHitKey(rec);
    this.byHit.set(k, (this.byHit.get(k) ?? 0) + 1);
    if (stale) this.staleRecords++;
    if (unknownEndpoint) this.unknownEndpointRecords++;
  }

  addMalformed(kind: MalformedKind): void {
    this.malformed[kind]++;
  }

  get malformedTotal(): number {
    return Object.values(this.malformed).reduce((a, b) => a + b, 0);
  }

  toJSON(): Record<string, unknown> {
    return {
      connections: this.connections,
      records: this.records,
      byVerdict: this.byVerdict,
      byReporter: this.byReporter,
      byDecidingHit: Object.fromEntries([...this.byHit].sort((a, b) => b[1] - a[1])),
      staleRecords: this.staleRecords,
      unknownEndpointRecords: this.unknownEndpointRecords,
      malformed: this.malformed,
      inventoryMessages: this.inventoryMessages,
      tombstones: this.tombstones,
    };
  }
}
