import { MalformedEventError } from '../malformed-event.error';

/** Non-blank lines of a message (a message holds one record or NDJSON lines). */
export function messageLines(value: Buffer, maxMessageBytes: number): string[] {
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
  return lines;
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

/** Re-throws a record's error with its line prefixed. */
export function atLine(err: unknown, where: string): never {
  if (err instanceof MalformedEventError) throw where ? new MalformedEventError(where + err.message) : err;
  throw err;
}
