/**
 * One invalid resource. Carries identity and the field path (e.g.
 * `spec.ingress[2].destination.ports[0]`) so users can fix the manifest without guessing.
 */
export class ResourceValidationError extends Error {
  override readonly name = 'ResourceValidationError';

  constructor(
    readonly kind: string,
    readonly namespace: string,
    readonly resourceName: string,
    readonly path: string,
    readonly detail: string,
    /** Index of the document/item in the manifest, when parsed from text. */
    readonly documentIndex?: number,
  ) {
    const id = namespace ? `${namespace}/${resourceName}` : resourceName || '<unnamed>';
    const where = documentIndex === undefined ? '' : ` (document ${documentIndex})`;
    super(`${kind || '<unknown kind>'} ${id}${where}: ${path || '<root>'}: ${detail}`);
  }

  /** Further independent problems of the same resource (found when the parts are checked apart). */
  others: readonly ResourceValidationError[] = [];

  /** This problem and the others. */
  get all(): readonly ResourceValidationError[] {
    return [this, ...this.others];
  }
}

/**
 * Runs independent checks of one resource, each to completion, so a resource with two problems
 * reports both; throws the first with the rest in `others`.
 */
export function collectProblems<T extends unknown[]>(...checks: { [K in keyof T]: () => T[K] }): T {
  const errors: ResourceValidationError[] = [];
  const out = checks.map((f) => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof ResourceValidationError)) throw e;
      errors.push(...e.all);
      return undefined;
    }
  });
  if (errors.length) {
    const [first, ...rest] = errors;
    first.others = rest;
    throw first;
  }
  return out as T;
}

/** The text itself is not valid YAML/JSON. */
export class ManifestParseError extends Error {
  override readonly name = 'ManifestParseError';

  constructor(
    readonly detail: string,
    readonly documentIndex?: number,
  ) {
    super(documentIndex === undefined ? `cannot parse manifest: ${detail}` : `cannot parse manifest document ${documentIndex}: ${detail}`);
  }
}
