/** The request cannot be answered as asked; `field` names what the caller has to fix. */
export class SuggestInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message);
    this.name = 'SuggestInputError';
  }
}
