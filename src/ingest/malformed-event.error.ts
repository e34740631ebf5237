/** Why one message could not be turned into flow records; goes to the dead-letter topic as is. */
export class MalformedEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedEventError';
  }
}
