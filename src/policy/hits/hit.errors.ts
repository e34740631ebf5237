/** A policy-hit string or Goldmane PolicyHit that cannot be understood; names the input and the field. */
export class PolicyHitParseError extends Error {
  override readonly name = 'PolicyHitParseError';

  constructor(
    readonly input: string,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`invalid policy hit ${input}: ${field}: ${detail}`);
  }
}
