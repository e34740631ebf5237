export * from './hit.types';
export { PolicyHitParseError } from './hit.errors';
export { parsePolicyHitString, parsePolicyHitStrings, canonicalHitName } from './hit-string.parser';
export { fromGoldmanePolicyHit, fromGoldmanePolicyHits, GoldmanePolicyHit } from './goldmane.converter';
export { renderPolicyHitG3, g3Identity } from './hit-string.renderer';
