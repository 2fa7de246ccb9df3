// Public surface of the consent core. Pure: no I/O, no clock, no randomness.

/** Decides the events a command produces in a state, or the DomainError refusing it. */
export { decide } from './decide.ts';
/** Applies an event; `fold`/`replay` rebuild a state from a log; `initialState` is "no proposal". */
export { evolve, fold, replay, initialState, LIVE_STAGES, openRound, currentVersion, speaker } from './evolve.ts';
/** Refusals of the method as codes and parameters, a guard, and the exhaustiveness helper. */
export { DomainError, ERROR_CODES, isDomainError, assertNever, type ErrorCode, type ErrorParams } from './errors.ts';
/** Validity question sets (data) used when testing objections. */
export { VALIDITY_SETS, isValiditySetId, type ValidityQuestion, type ValiditySet } from './validity.ts';
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
export type * from './types.ts';
