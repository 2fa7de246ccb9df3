// Public surface of the consent core. Pure: no I/O, no clock, no randomness.

/** Decides the events a command produces in a state, or the DomainError refusing it. */
export { decide } from './decide.ts';
/** Applies an event; `fold` rebuilds a state from a log (or from a snapshot); `initialState` is "no proposal". */
export { evolve, fold, initialState } from './evolve.ts';
/** Questions asked of a state: the open round, the current version, who speaks. */
export { LIVE_STAGES, TERMINAL_STAGES, openRound, currentVersion, speaker, isOnBehalf, isInStage, type InStage, type Attribution } from './state.ts';
/** Refusals of the method as codes and parameters, a guard, and the exhaustiveness helper. */
export { DomainError, ERROR_CODES, isDomainError, assertNever, type ErrorCode, type ErrorParams } from './errors.ts';
/** Validity question sets (data) used when testing objections. */
export { VALIDITY_SETS, isValiditySetId, rulingOfAnswers, type ValidityQuestion, type ValiditySet } from './validity.ts';
/** Trainer mode: consensus, consent and majority read from the same positions. */
export {
  compareDecisionRules,
  POSITION_LABELS,
  POSITIONS,
  type Position,
  type PersonPosition,
  type ConsensusReading,
  type ConsentReading,
  type MajorityReading,
  type DecisionRulesComparison,
} from './rules.ts';
/** State (one variant per stage), commands and events. */
export type * from './states.ts';
export type * from './commands.ts';
export type * from './events.ts';
