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
