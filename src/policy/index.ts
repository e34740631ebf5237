/**
 * flowscope policy engine: Calico selector language, manifest model, rule matching, tiered
 * evaluation with traces, and policy-hit parsing. Pure TypeScript, no I/O.
 */
export * from './selector';
export * from './model';
export {
  parseIp,
  parseCidr,
  cidrContains,
  ParsedIp,
  Cidr,
} from './rules';
export * from './evaluation';
export * from './hits';
