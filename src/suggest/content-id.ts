import { createHash } from 'node:crypto';

/** Short id derived from content only: the same inputs always give the same id. */
export function contentId(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 12);
}
