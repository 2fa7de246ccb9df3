// Domain errors: why the method refuses a command, as a code and its parameters. The sentences
// a person reads live in the interface catalogues (src/i18n/locales/*/errors.ts).

/** Every reason the core can refuse a command. */
export const ERROR_CODES = [
  'NO_PROPOSAL',
  'ALREADY_EXISTS',
  'WRONG_STAGE',
  'NOT_ALLOWED',
  'NOT_PROPOSER',
  'NOT_FACILITATOR',
  'NOT_OBJECTOR',
  'NO_SECRETARY',
  'ALREADY_FACILITATING',
  'NOT_YOUR_TURN',
  'NOT_CURRENT_TURN',
  'NOT_IN_ROUND',
  'ALREADY_SPOKEN',
  'QUESTION_PENDING',
  'ROUND_COMPLETE',
  'ROUND_INCOMPLETE',
  'ROUND_IN_PROGRESS',
  'NO_ACTIVE_ROUND',
  'EMPTY_ROUND',
  'DUPLICATE_PARTICIPANT',
  'POSITION_REQUIRED',
  'EMPTY_TEXT',
  'TEXT_UNCHANGED',
  'DUPLICATE_ID',
  'UNKNOWN_QUESTION',
  'UNKNOWN_OBJECTION',
  'UNKNOWN_REFERENCE',
  'PROPOSER_UNDECIDED',
  'ALREADY_DECIDED',
  'ALREADY_RULED',
  'OBJECTION_CLOSED',
  'NOT_CURRENT_OBJECTION',
  'NOT_AMENDED',
  'ALREADY_CONFIRMED',
  'UNKNOWN_VALIDITY_SET',
  'UNKNOWN_VALIDITY_QUESTION',
  'INCOMPLETE_TEST',
  'RULING_NEEDS_REASON',
  'INVALID_DATE',
  'NO_POSITIONS',
  'INVALID_POSITION',
  'ALREADY_PUBLISHED',
  'UNKNOWN_ACT_KIND',
  'FORMAL_ACT_UNCHANGED',
] as const;

/** Code of a domain error, e.g. `'NOT_YOUR_TURN'`. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Values a message may quote (none of today's refusals needs one). */
export type ErrorParams = Readonly<Record<string, string | number>>;

/** A command refused by the method: a code and the parameters its message needs. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly code: ErrorCode;
  readonly params: ErrorParams;

  constructor(code: ErrorCode, params: ErrorParams = {}) {
    super(code);
    this.code = code;
    this.params = params;
  }
}

/** Type guard for results of `decide` and `compareDecisionRules`. */
export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}

/** Exhaustiveness check: a forgotten case becomes a compile error. */
export function assertNever(value: never): never {
  throw unexpected(value);
}

/** The error for input that escaped the types (an unknown command or event type, say). */
export function unexpected(value: unknown): Error {
  return new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
