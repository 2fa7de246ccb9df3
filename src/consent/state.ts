// Questions asked of a proposal's state, and of who a command or event speaks for. One place
// for each, shared by decide, evolve and the shell.

import { assertNever } from './errors.ts';
import type { LiveStage, PersonId, Proposal, ProposalBase, Round, Stage, TerminalStage } from './states.ts';

/** Stages from which a proposal can still be withdrawn or postponed. */
export const LIVE_STAGES: readonly LiveStage[] = ['draft', 'presentation', 'clarification', 'reactions', 'amendment', 'objections', 'testing', 'integration'];

/** Stages of a decision: the register's, which accept only the register's commands. */
export const TERMINAL_STAGES: readonly TerminalStage[] = ['adopted', 'withdrawn', 'postponed'];

/** The proposal narrowed to the stages listed. */
export type InStage<S extends Stage> = Extract<Proposal, { stage: S }>;

/** Whether the proposal is in one of `stages` (narrows its type). */
export function isInStage<S extends Stage>(p: Proposal, stages: readonly S[]): p is InStage<S> {
  return (stages as readonly Stage[]).includes(p.stage);
}

/** The round currently held or processed: active, or the objection round under test/integration. */
export function openRound(p: Proposal): Round | null {
  switch (p.stage) {
    case 'clarification':
    case 'reactions':
    case 'objections':
      return p.round;
    case 'testing':
    case 'integration':
      return p.objectionRound;
    case 'draft':
    case 'presentation':
    case 'amendment':
    case 'adopted':
    case 'withdrawn':
    case 'postponed':
      return null;
    default:
      return assertNever(p);
  }
}

/** The version under discussion: the last one. */
export function currentVersion(p: ProposalBase): { number: number; text: string } {
  // Versions are never empty: version 1 is created with the proposal.
  return p.versions[p.versions.length - 1] as { number: number; text: string };
}

/** Who acts, and for whom when recording "saisi pour …" someone else. */
export interface Attribution {
  actorId: PersonId;
  onBehalfOf?: PersonId;
}

/** Whether a command or event was recorded for someone other than its actor. */
export function isOnBehalf<A extends Attribution>(a: A): a is A & { onBehalfOf: PersonId } {
  return a.onBehalfOf !== undefined && a.onBehalfOf !== a.actorId;
}

/**
 * The person a command or event speaks for: `onBehalfOf` when recorded for someone else,
 * otherwise the actor. Whether the actor may record for others is decide's question.
 */
export function speaker(a: Attribution): PersonId {
  return isOnBehalf(a) ? a.onBehalfOf : a.actorId;
}
