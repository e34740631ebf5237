export * from './model.types';
export { ResourceValidationError, ManifestParseError } from './model.errors';
export { parseProtocol, protocolName, PROTOCOL_NUMBERS } from './protocol.util';
export { normalizeResource, NormalizeOutcome, SkippedItem, MODEL_KINDS } from './resource.normalizer';
export { loadManifests, parseManifests, splitManifest, ManifestLoadResult } from './manifest.parser';
export { BUILTIN_TIERS, DEFAULT_TIER, canonicalPolicyName } from './policy.normalizer';
