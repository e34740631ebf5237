import { MalformedEventError } from '../malformed-event.error';

/**
 * The records of a message, one string each: a message holds one JSON record (on one line or
 * pretty-printed over many) or NDJSON lines. A message whose first line is not JSON by itself is
 * tried as one JSON document before it is read as lines; NDJSON never pays for that, since its first
 * line always parses.
 */
export function messageLines(value: Buffer, maxMessageBytes: number): string[] {
  return splitMessage(value, maxMessageBytes).lines;
}

/**
 * messageLines(), plus the first line's JSON when telling NDJSON from a pretty-printed record took
 * parsing it: callers hand it on instead of parsing that line again (the profile showed the first
 * line of every message parsed up to four times).
 */
export function splitMessage(value: Buffer, maxMessageBytes: number): { lines: string[]; first?: { json: unknown } } {
  if (value.length > maxMessageBytes) {
    throw new MalformedEventError(`message is ${value.length} bytes, over the ${maxMessageBytes}-byte limit`);
  }
  const text = value.toString('utf8');
  const lines: string[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    if (!isBlank(line)) lines.push(line);
    start = end + 1;
  }
  if (lines.length === 0) throw new MalformedEventError('message is empty');
  if (lines.length === 1) return { lines };
  const first = tryJson(lines[0]);
  if (first === undefined && isJson(text)) return { lines: [text] };
  return { lines, first };
}

function tryJson(s: string): { json: unknown } | undefined {
  try {
    return { json: JSON.parse(s) };
  } catch {
    return undefined;
  }
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** `line N: ` for NDJSON messages, nothing for single-record ones (as the flowscope parser does). */
export function lineLabel(i: number, count: number): string {
  return count > 1 ? `line ${i + 1}: ` : '';
}

export function parseJsonLine(line: string, where: string): unknown {
  try {
    return JSON.parse(line);
  } catch (err) {
    throw new MalformedEventError(`${where}not JSON: ${(err as Error).message}`);
  }
}

/**
 * Turns each line into a record with `toRecord`, naming the line in any error. The decoder may
 * have parsed the first line already (`first`) and checks the others are of its shape (`sameShape`).
 */
export function parseLines<T>(
  lines: readonly string[],
  toRecord: (json: unknown) => T,
  first?: unknown,
  sameShape?: (json: unknown, where: string) => void,
): T[] {
  const out: T[] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const where = lineLabel(i, lines.length);
    const json = i === 0 && first !== undefined ? first : parseJsonLine(lines[i], where);
    if (sameShape && i > 0) sameShape(json, where);
    try {
      out[i] = toRecord(json);
    } catch (err) {
      atLine(err, where);
    }
  }
  return out;
}

/** Re-throws a record's error with its line prefixed. */
function atLine(err: unknown, where: string): never {
  if (err instanceof MalformedEventError) throw where ? new MalformedEventError(where + err.message) : err;
  throw err;
}
