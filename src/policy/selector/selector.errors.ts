/**
 * Raised for a malformed selector. Calico treats a bad selector as a validation error (never as
 * "matches nothing"), so callers must surface it; the position lets a UI point at the culprit.
 */
export class SelectorParseError extends Error {
  override readonly name = 'SelectorParseError';

  constructor(
    readonly source: string,
    /** 0-based character offset into `source` where parsing failed. */
    readonly position: number,
    /** Human-readable description of what the parser wanted at `position`. */
    readonly expected: string,
  ) {
    super(`invalid selector ${JSON.stringify(source)} at position ${position}: expected ${expected}`);
  }
}
