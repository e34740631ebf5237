/** The console's only way to the REST API: the signed-in key on every call, errors as ApiError. */
const KEY = 'flowscope.apiKey';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Array<{ field: string; problems: string[] }> = [],
  ) {
    super(message);
  }
}

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, key);
}

export type Query = Record<string, string | number | boolean | undefined>;

function url(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function call<T>(method: string, path: string, query?: Query, body?: unknown, key = storedKey()): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url(path, query), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const err = (parsed ?? {}) as { message?: unknown; details?: Array<{ field: string; problems: string[] }> };
    const message = Array.isArray(err.message) ? err.message.join('; ') : typeof err.message === 'string' ? err.message : res.statusText;
    throw new ApiError(res.status, message, err.details ?? []);
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => call<T>('GET', path, query),
  post: <T>(path: string, body: unknown) => call<T>('POST', path, undefined, body),
  /** Checks a key before the console keeps it: a 401 means the server refused it. */
  check: (key: string) => call<unknown>('GET', '/api/v1/stats/decisions', { limit: 1 }, undefined, key),
};

export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const fields = err.details.map((d) => `${d.field}: ${d.problems.join(', ')}`).join('; ');
    const prefix = err.status === 401 ? 'Key refused' : err.status === 403 ? 'Not allowed for this key' : `Error ${err.status}`;
    return `${prefix}: ${err.message}${fields && !err.message.includes(fields) ? ` (${fields})` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}
