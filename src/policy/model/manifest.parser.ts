import { parseAllDocuments } from 'yaml';
import { isObj } from './field.reader';
import { ManifestParseError, ResourceValidationError } from './model.errors';
import { Resource } from './model.types';
import { normalizeResource, SkippedItem } from './resource.normalizer';

export interface ManifestLoadResult {
  readonly resources: Resource[];
  readonly errors: ResourceValidationError[];
  readonly skipped: SkippedItem[];
}

/**
 * Splits text into raw objects: JSON (object, array, or `kind: List`) or multi-document YAML.
 * JSON is tried first only when the text looks like JSON, since YAML is a superset anyway but
 * gives worse error messages for broken JSON.
 */
export function splitManifest(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  let docs: unknown[];
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new ManifestParseError(e instanceof RangeError ? `nested deeper than ${MAX_DEPTH} levels` : (e as Error).message);
    }
    docs = Array.isArray(parsed) ? parsed : [parsed];
  } else {
    docs = [];
    let parsed: ReturnType<typeof parseAllDocuments>;
    try {
      parsed = parseAllDocuments(text);
    } catch (e) {
      // The parser recurses per nesting level: absurd nesting overflows the stack.
      throw new ManifestParseError(e instanceof RangeError ? `nested deeper than ${MAX_DEPTH} levels` : (e as Error).message);
    }
    (Array.isArray(parsed) ? parsed : [parsed]).forEach((d, i) => {
      if (d.errors.length) throw new ManifestParseError(d.errors[0].message, i);
      let v: unknown;
      try {
        // Aliases expanding into more than MAX_ALIASES nodes are the "billion laughs" attack.
        v = d.toJS({ maxAliasCount: MAX_ALIASES });
      } catch (e) {
        throw new ManifestParseError(e instanceof RangeError ? `nested deeper than ${MAX_DEPTH} levels` : `${(e as Error).message} (at most ${MAX_ALIASES} alias expansions)`, i);
      }
      if (v !== null && v !== undefined) docs.push(v);
    });
  }
  docs.forEach((d, i) => {
    if (depthExceeds(d, MAX_DEPTH)) throw new ManifestParseError(`nested deeper than ${MAX_DEPTH} levels`, i);
  });
  return docs.flatMap(expandList);
}

/** Manifests are shallow (a policy is ~10 levels); deeper input is hostile or broken. */
const MAX_DEPTH = 64;
const MAX_ALIASES = 100;

function depthExceeds(root: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (typeof x === 'object' && x !== null) stack.push([x, depth + 1]);
  }
  return false;
}

function expandList(v: unknown): unknown[] {
  // `kubectl get -o yaml` wraps results in `kind: List` (or `<Kind>List`) with `items`.
  if (isObj(v) && typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) {
    return v.items.flatMap(expandList);
  }
  return [v];
}

/** Collects every error instead of stopping at the first: what an upload API wants to report. */
export function loadManifests(textOrObjects: string | readonly unknown[]): ManifestLoadResult {
  const items = typeof textOrObjects === 'string' ? splitManifest(textOrObjects) : textOrObjects.flatMap(expandList);
  const resources: Resource[] = [];
  const errors: ResourceValidationError[] = [];
  const skipped: SkippedItem[] = [];
  items.forEach((item, i) => {
    try {
      const out = normalizeResource(item, i);
      if ('resource' in out) resources.push(out.resource);
      else skipped.push(out.skipped);
    } catch (e) {
      if (e instanceof ResourceValidationError) errors.push(e);
      else throw e;
    }
  });
  return { resources, errors, skipped };
}

/** Strict variant: throws the first ResourceValidationError (or ManifestParseError). */
export function parseManifests(textOrObjects: string | readonly unknown[]): Resource[] {
  const res = loadManifests(textOrObjects);
  if (res.errors.length) throw res.errors[0];
  return res.resources;
}
