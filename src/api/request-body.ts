import { HttpException, HttpStatus, UnsupportedMediaTypeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Socket } from 'node:net';
import { FieldProblem } from './api-error';

/**
 * How request bodies are read, in one place:
 * - JSON (`application/json`, `application/*+json`) everywhere, up to BODY_LIMIT;
 * - YAML text (`application/yaml`, `application/x-yaml`, `text/yaml`, and `text/plain` taken as
 *   YAML) only where manifests are uploaded (YAML_ROUTES), up to BODY_LIMIT;
 * - any other body is refused with 415 naming `content-type`, instead of being silently dropped.
 */
export const BODY_LIMIT = '20mb';
export const JSON_TYPES = ['application/json', 'application/*+json'];
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'];
/** Routes taking manifests, which may come as YAML. */
export const YAML_ROUTES = [/^\/api\/v1\/inventory\/?(\?|$)/];

function hasBody(req: Request): boolean {
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

function isJson(type: string): boolean {
  return type === 'application/json' || /^application\/[\w.+-]*\+json$/.test(type);
}

/** Express middleware, before the body parsers: a body of an unsupported type is a 415, not ignored. */
export function requireKnownBodyType(req: Request, _res: Response, next: NextFunction): void {
  if (!hasBody(req)) return next();
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const yamlOk = YAML_ROUTES.some((r) => r.test(req.originalUrl));
  if (isJson(type) || (yamlOk && YAML_TYPES.includes(type))) return next();
  const accepted = yamlOk ? 'application/json or YAML (application/yaml, text/yaml, text/plain)' : 'application/json';
  const problem = `${type ? `content type ${type} is not accepted here` : 'the body has no content type'}: send ${accepted}`;
  next(new UnsupportedMediaTypeException({ message: problem, details: [{ field: 'content-type', problems: [problem] }] }));
}

export interface ParserFailure {
  status: number;
  message: string;
  details: FieldProblem[];
}

/** Maps the body parsers' errors (they carry `type` and `status`) to a 4xx naming the body. */
export function bodyParserError(err: unknown): ParserFailure | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { type?: unknown; status?: unknown; message?: string; body?: unknown; limit?: number };
  if (typeof e.type !== 'string' || typeof e.status !== 'number' || e.status < 400 || e.status > 499) return null;
  const fail = (status: number, field: string, problem: string): ParserFailure => ({ status, message: `${field}: ${problem}`, details: [{ field, problems: [problem] }] });
  switch (e.type) {
    case 'entity.too.large':
      return fail(HttpStatus.PAYLOAD_TOO_LARGE, 'body', `larger than the ${BODY_LIMIT} limit`);
    case 'entity.parse.failed': {
      const raw = typeof e.body === 'string' ? e.body.trim() : '';
      let valid = false;
      try {
        JSON.parse(raw);
        valid = raw !== '';
      } catch {
        valid = false;
      }
      // The strict JSON parser refuses scalars (`null`, `3`, `"x"`) that are valid JSON.
      if (valid) return fail(HttpStatus.BAD_REQUEST, 'body', `must be a JSON object, got ${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}`);
      return fail(HttpStatus.BAD_REQUEST, 'body', raw === '' ? 'is empty: send a JSON object' : `is not valid JSON: ${e.message ?? 'parse error'}`);
    }
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return fail(HttpStatus.UNSUPPORTED_MEDIA_TYPE, 'content-type', e.message ?? 'unsupported encoding');
    default:
      return fail(e.status, 'body', e.message ?? 'unreadable body');
  }
}

/**
 * Express error middleware, right after the body parsers: their errors become HttpExceptions with
 * a message naming the body (Nest would otherwise keep only a SyntaxError's text, or answer 500).
 */
export function translateBodyErrors(err: unknown, _req: Request, _res: Response, next: NextFunction): void {
  const f = bodyParserError(err);
  next(f ? new HttpException({ message: f.message, details: f.details }, f.status) : err);
}

/**
 * Errors Node's HTTP parser raises before any route runs (headers or query string too large,
 * malformed request line): answered in the API's error shape instead of an empty body.
 */
export function answerClientError(err: Error & { code?: string }, socket: Socket, now: () => Date): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const problem = tooLarge ? 'the request line and headers exceed 16 KB: shorten the query string (use fewer or shorter parameters)' : 'malformed HTTP request';
  const body = JSON.stringify({
    statusCode: status,
    error: tooLarge ? 'Request Header Fields Too Large' : 'Bad Request',
    message: problem,
    details: [{ field: tooLarge ? 'query' : 'request', problems: [problem] }],
    path: '',
    timestamp: now().toISOString(),
  });
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Deeper than any manifest or request this API takes; validation and YAML handling recurse. */
export const MAX_BODY_DEPTH = 64;

/** How deeply `value` nests (objects and arrays), counted without recursion, stopping past `limit`. */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Express middleware, after the body parsers: a body nested past MAX_BODY_DEPTH is a 400 before
 * validation or a handler recurses into it (a 100,000-deep array would overflow the stack: a 500).
 */
export function rejectDeepBodies(req: Request, _res: Response, next: NextFunction): void {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || nestingDepth(body, MAX_BODY_DEPTH) <= MAX_BODY_DEPTH) return next();
  const problem = `nested deeper than ${MAX_BODY_DEPTH} levels`;
  next(new HttpException({ message: `body: ${problem}`, details: [{ field: 'body', problems: [problem] }] }, HttpStatus.BAD_REQUEST));
}
