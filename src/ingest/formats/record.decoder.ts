import { FlowRecord } from '../../flows/flow-record';
import { FlowEventParser } from '../flow-event.parser';
import { MalformedEventError } from '../malformed-event.error';
import { parseCalicoLines } from './calico-flow-log.parser';
import { Json, isObject } from './field.readers';
import { goldmaneKeyOf, parseGoldmaneLines } from './goldmane-flow.parser';
import { lineLabel, parseJsonLine, splitMessage } from './ndjson.lines';

export type FlowFormat = 'flowscope' | 'calico' | 'goldmane';

export interface RecordDecoderOptions {
  format: FlowFormat | 'auto';
  maxMessageBytes: number;
}

/**
 * The shape of one record, from its top-level keys only (cheap: `in` tests, no values read):
 * - goldmane: a `Key` (Go JSON) or `key` object — no other format has one;
 * - calico: `start_time` and at least one `source_*`/`dest_*` key among the ones every record has;
 * - flowscope: `srcIp` or `time`.
 */
export function detectFormat(o: Json): FlowFormat | undefined {
  if (goldmaneKeyOf(o)) return 'goldmane';
  if ('start_time' in o && ('source_type' in o || 'dest_type' in o || 'source_namespace' in o || 'dest_namespace' in o || 'source_ip' in o || 'dest_ip' in o || 'source_name_aggr' in o || 'dest_name_aggr' in o)) {
    return 'calico';
  }
  if ('srcIp' in o || 'time' in o) return 'flowscope';
  return undefined;
}

/** What a record that matched no format looked like: its first keys, for the dead-letter reason. */
function describeShape(json: unknown): string {
  if (!isObject(json)) return Array.isArray(json) ? 'a JSON array' : `a JSON ${json === null ? 'null' : typeof json}`;
  const keys = Object.keys(json);
  if (keys.length === 0) return 'an empty object';
  const shown = keys.slice(0, 8).map((k) => JSON.stringify(k)).join(', ');
  return `an object with keys ${shown}${keys.length > 8 ? `, ... (${keys.length} keys)` : ''}`;
}

/**
 * Turns one Kafka message into flow records, in the configured format or, with 'auto', the format
 * its first line looks like. A message is one format throughout and is accepted or rejected whole;
 * errors name the line (NDJSON) and the field, and go to the dead-letter topic as they are.
 */
export class RecordDecoder {
  private readonly format: FlowFormat | 'auto';
  private readonly maxMessageBytes: number;
  private readonly flowscope: FlowEventParser;

  constructor(opts: RecordDecoderOptions) {
    if (!['auto', 'flowscope', 'calico', 'goldmane'].includes(opts.format)) throw new Error(`unknown flow format ${JSON.stringify(opts.format)}`);
    if (!(opts.maxMessageBytes > 0)) throw new Error(`maxMessageBytes must be positive, got ${opts.maxMessageBytes}`);
    this.format = opts.format;
    this.maxMessageBytes = opts.maxMessageBytes;
    this.flowscope = new FlowEventParser(opts.maxMessageBytes);
  }

  decode(value: Buffer): { format: FlowFormat; records: FlowRecord[] } {
    // Before any decoding: an oversized message costs nothing but this comparison.
    if (value.length > this.maxMessageBytes) {
      throw new MalformedEventError(`message is ${value.length} bytes, over the ${this.maxMessageBytes}-byte limit`);
    }
    if (this.format === 'flowscope') return { format: 'flowscope', records: this.flowscope.parse(value) };
    const { lines, first: parsed } = splitMessage(value, this.maxMessageBytes);
    let format: FlowFormat;
    let first: unknown;
    if (this.format === 'auto') {
      first = parsed ? parsed.json : parseJsonLine(lines[0], lineLabel(0, lines.length));
      const seen = isObject(first) ? detectFormat(first) : undefined;
      if (!seen) {
        throw new MalformedEventError(
          `${lineLabel(0, lines.length)}unknown record format: expected a flowscope event (srcIp, time), a Calico flow log ` +
            `(start_time, source_*/dest_*) or a Goldmane flow (Key); got ${describeShape(first)}`,
        );
      }
      format = seen;
    } else {
      format = this.format;
    }
    // The flowscope parser checks every line itself (its schema forbids unknown fields, so a line of
    // another format in a flowscope message is rejected by it, naming the line and the field).
    if (format === 'flowscope') return { format, records: this.flowscope.parseLines(lines, { json: first }) };
    const sameShape = this.format === 'auto' && lines.length > 1 ? shapeCheck(format) : undefined;
    const records = format === 'calico' ? parseCalicoLines(lines, first, sameShape) : parseGoldmaneLines(lines, first, sameShape);
    return { format, records };
  }
}

/** In auto mode every line must look like the first: a message is never half one format. */
function shapeCheck(format: FlowFormat): (json: unknown, where: string) => void {
  return (json, where) => {
    const seen = isObject(json) ? detectFormat(json) : undefined;
    if (seen !== format) {
      throw new MalformedEventError(`${where}mixed formats: the message's first line is a ${format} record, this one is ${seen ? `a ${seen} record` : describeShape(json)}`);
    }
  };
}
