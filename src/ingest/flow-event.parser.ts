import Ajv, { ErrorObject } from 'ajv';
import schema from '../../docs/flow-event.schema.json';
import { parseReportedTrace } from '../attribution/reported-trace';
import { FlowRecord, reportedEndpoint } from '../flows/flow-record';
import { checkIp } from './formats/ip.checker';
import { parseJsonLine, splitMessage } from './formats/ndjson.lines';
import { MalformedEventError } from './malformed-event.error';

interface FlowEventV1 {
  time: string | number;
  endTime?: string | number;
  numFlows?: number;
  action: 'allow' | 'deny' | 'log';
  reporter: 'src' | 'dst';
  protocol: string | number;
  srcIp: string;
  srcPort?: number;
  dstIp: string;
  dstPort?: number;
  srcNamespace?: string;
  srcName?: string;
  dstNamespace?: string;
  dstName?: string;
  node?: string;
  packetsIn?: number;
  packetsOut?: number;
  bytesIn?: number;
  bytesOut?: number;
  policies?: { enforced?: string[]; pending?: string[] };
  http?: { method?: string; path?: string };
}

const PROTOCOL_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6', 132: 'sctp', 136: 'udplite' };
const KNOWN_PROTOCOLS = new Set(Object.values(PROTOCOL_NAMES));

export function normaliseProtocol(p: string | number): string {
  if (typeof p === 'number') return PROTOCOL_NAMES[p] ?? String(p);
  const lower = p.toLowerCase();
  if (KNOWN_PROTOCOLS.has(lower)) return lower;
  if (/^\d{1,3}$/.test(p) && Number(p) <= 255) return PROTOCOL_NAMES[Number(p)] ?? p;
  throw new MalformedEventError(`protocol: unknown protocol ${JSON.stringify(p)}`);
}

function describeSchemaError(e: ErrorObject): string {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(event)';
  if (e.keyword === 'additionalProperties') return `${where}: unknown field ${JSON.stringify(e.params.additionalProperty)}`;
  if (e.keyword === 'required') return `${where === '(event)' ? '' : where + '.'}${e.params.missingProperty}: is required`;
  return `${where}: ${e.message ?? 'is invalid'}`;
}


/** RFC 3339 with a zone. Date.parse alone takes far more: "yesterday-47" is 2047-01-01 to it. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

function parseTime(field: string, value: string | number): number {
  const ms = typeof value === 'number' ? value : RFC3339.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new MalformedEventError(`${field}: ${JSON.stringify(value)} is not an RFC 3339 time or epoch milliseconds`);
  return ms;
}

/**
 * Reads flowscope's own event format (docs/flow-event.schema.json): a message holds one JSON event
 * (on one line or pretty-printed) or NDJSON lines. A message is accepted or rejected whole, so a dead-lettered message can be
 * replayed as it was.
 */
export class FlowEventParser {
  private readonly validate = new Ajv({ allErrors: false, allowUnionTypes: true }).compile<FlowEventV1>(schema);

  constructor(private readonly maxMessageBytes: number) {}

  parse(value: Buffer): FlowRecord[] {
    if (value.length > this.maxMessageBytes) {
      throw new MalformedEventError(`message is ${value.length} bytes, over the ${this.maxMessageBytes}-byte limit`);
    }
    const { lines, first } = splitMessage(value, this.maxMessageBytes);
    return this.parseLines(lines, first);
  }

  /** The records of a message already split into lines (see splitMessage), its first line maybe parsed. */
  parseLines(lines: readonly string[], first?: { json: unknown }): FlowRecord[] {
    const out: FlowRecord[] = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const where = lines.length > 1 ? `line ${i + 1}: ` : '';
      out[i] = this.toRecord(i === 0 && first ? first.json : parseJsonLine(lines[i], where), where);
    }
    return out;
  }

  private toRecord(json: unknown, where: string): FlowRecord {
    if (!this.validate(json)) {
      throw new MalformedEventError(where + (this.validate.errors ?? []).map(describeSchemaError).join('; '));
    }
    try {
      return toRecord(json);
    } catch (err) {
      throw new MalformedEventError(where + (err as Error).message);
    }
  }
}

function checkTrace(field: string, hits: string[] | undefined): string[] {
  if (!hits) return [];
  try {
    parseReportedTrace(hits);
  } catch (err) {
    throw new MalformedEventError(`${field}: ${(err as Error).message}`);
  }
  return hits;
}

function toRecord(e: FlowEventV1): FlowRecord {
  const startTime = parseTime('time', e.time);
  const numFlows = e.numFlows ?? 1;
  const record: FlowRecord = {
    startTime,
    endTime: e.endTime === undefined ? startTime : parseTime('endTime', e.endTime),
    action: e.action,
    reporter: e.reporter,
    protocol: normaliseProtocol(e.protocol),
    srcIp: checkIp('srcIp', e.srcIp),
    srcPort: e.srcPort ?? 0,
    dstIp: checkIp('dstIp', e.dstIp),
    dstPort: e.dstPort ?? 0,
    src: reportedEndpoint({ namespace: e.srcNamespace ?? '', name: e.srcName ?? '' }),
    dst: reportedEndpoint({ namespace: e.dstNamespace ?? '', name: e.dstName ?? '' }),
    node: e.node ?? '',
    numFlows,
    numFlowsStarted: numFlows,
    numFlowsCompleted: 0,
    packetsIn: e.packetsIn ?? 0,
    packetsOut: e.packetsOut ?? 0,
    bytesIn: e.bytesIn ?? 0,
    bytesOut: e.bytesOut ?? 0,
    enforcedHits: checkTrace('policies.enforced', e.policies?.enforced),
    pendingHits: checkTrace('policies.pending', e.policies?.pending),
  };
  if (e.http) record.http = { method: e.http.method ?? '', path: e.http.path ?? '' };
  return record;
}
