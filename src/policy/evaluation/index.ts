export * from './evaluation.types';
export { PolicySnapshot, FlowInputError } from './policy.snapshot';
export { undeclaredTierWarning } from './snapshot.builder';
