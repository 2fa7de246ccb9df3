/** The refusals of the proposal service that are not the method's (those are src/consent/errors.ts). */

/** Raised when a command kept losing the race for the next sequence number; its text is errors.concurrent_change. */
export class ConcurrencyError extends Error {
  readonly code = 'CONCURRENT_CHANGE';
  readonly params = {};
  constructor() {
    super('concurrent change: retries exhausted');
    this.name = 'ConcurrencyError';
  }
}

/** Raised when a submission key this person already used on this proposal comes back with another content. */
export class KeyReusedError extends Error {
  readonly code = 'KEY_REUSED';
  readonly params = {};
  constructor() {
    super('submission key reused with a different command');
    this.name = 'KeyReusedError';
  }
}
