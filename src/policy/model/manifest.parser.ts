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
      throw new ManifestParseError((e as Error).message);
    }
    docs = Array.isArray(parsed) ? parsed : [parsed];
  } else {
    docs = [];
    parseAllDocuments(text).forEach((d, i) => {
      if (d.errors.length) throw new ManifestParseError(d.errors[0].message, i);
      const v: unknown = d.toJS();
      if (v !== null && v !== undefined) docs.push(v);
    });
  }
  return docs.flatMap(expandList);
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
