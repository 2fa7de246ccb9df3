// The checks the handlers are made of: each refuses with one error code. A handler runs them in
// the order of the method: stage, permission, turn, then content.

import type { Command, CommandOf, CommandType } from '../commands.ts';
import { DomainError, assertNever, type ErrorCode } from '../errors.ts';
import type { Event } from '../events.ts';
import { isInStage, isOnBehalf, speaker, type Attribution, type InStage } from '../state.ts';
import type {
  ClarificationState,
  IntegrationState,
  Motivation,
  Objection,
  ObjectionsState,
  PersonId,
  Proposal,
  Round,
  Stage,
  State,
  TestingState,
} from '../states.ts';

/** Decides the events one command type produces; throws a DomainError to refuse. */
export type Handlers = { [K in CommandType]: (state: State, command: CommandOf<K>) => Event[] };

export function ensure(condition: boolean, code: ErrorCode): asserts condition {
  if (!condition) throw new DomainError(code);
}

/** The proposal a command is about; there must be one. */
export function existing(state: State): Proposal {
  ensure(state !== null, 'NO_PROPOSAL');
  return state;
}

export function inStage<S extends Stage>(state: State, ...stages: readonly S[]): InStage<S> {
  const p = existing(state);
  ensure(isInStage(p, stages), 'WRONG_STAGE');
  return p;
}

/** Clarification with nobody waiting for an answer. */
export function clarifying(state: State): ClarificationState {
  const p = inStage(state, 'clarification');
  ensure(p.pendingQuestionId === null, 'QUESTION_PENDING');
  return p;
}

export function activeRound(p: ObjectionsState): Round {
  ensure(p.round !== null, 'NO_ACTIVE_ROUND');
  return p.round;
}

export function requireComplete(round: Round): void {
  ensure(round.turnIndex === round.order.length, 'ROUND_INCOMPLETE');
}

export function requireFacilitator(p: Proposal, c: { actorId: PersonId }): void {
  ensure(c.actorId === p.actingFacilitatorId, 'NOT_FACILITATOR');
}

export function requireProposer(p: Proposal, c: Attribution): void {
  requireSpeaker(p, c, p.proposerId, 'NOT_PROPOSER');
}

export function requireText(text: string): void {
  ensure(text.trim() !== '', 'EMPTY_TEXT');
}

/** Fixes a round's order from the people present; the proposer is left out where the stage says so. */
export function roundOrder(participants: readonly PersonId[], excluded: PersonId | null): PersonId[] {
  ensure(new Set(participants).size === participants.length, 'DUPLICATE_PARTICIPANT');
  const order = participants.filter((id) => id !== excluded);
  ensure(order.length > 0, 'EMPTY_ROUND');
  return order;
}

export function nextRoundNumber(p: Proposal, kind: Round['kind']): number {
  return p.pastRounds.filter((r) => r.kind === kind).length + 1;
}

/** Checks that the speaker holds the floor; refusals say why (not in the round, spoken, wait). */
export function takeTurn(p: Proposal, round: Round, c: Attribution): void {
  ensure(round.turnIndex < round.order.length, 'ROUND_COMPLETE');
  requireRecorder(p, c);
  const position = round.order.indexOf(speaker(c));
  ensure(position >= 0, 'NOT_IN_ROUND');
  ensure(position >= round.turnIndex, 'ALREADY_SPOKEN');
  ensure(position === round.turnIndex, 'NOT_YOUR_TURN');
}

export function objectionOfRound(p: TestingState | IntegrationState, id: string): Objection {
  const objection = p.objections.find((o) => o.id === id && o.round === p.objectionRound.number);
  ensure(objection !== undefined, 'UNKNOWN_OBJECTION');
  return objection;
}

export function openObjectionIds(p: Proposal): string[] {
  return p.objections.filter((o) => o.outcome === null).map((o) => o.id);
}

export function isKnownMotivation(p: Proposal, m: Motivation): boolean {
  switch (m.kind) {
    case 'question':
      return p.questions.some((q) => q.id === m.id);
    case 'reaction':
      return p.reactions.some((r) => r.id === m.id);
    case 'objection':
      return p.objections.some((o) => o.id === m.id);
    default:
      return assertNever(m.kind);
  }
}

/** `YYYY-MM-DD` naming a real calendar day. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}

/** Recording for someone else ("saisi pour …") is for the acting facilitator and the secretary only. */
export function requireRecorder(p: Proposal, c: Attribution): void {
  if (isOnBehalf(c)) ensure(c.actorId === p.actingFacilitatorId || c.actorId === p.secretaryId, 'NOT_ALLOWED');
}

/** The command speaks for `expected` (see `speaker`), and whoever typed it may record for them. */
export function requireSpeaker(p: Proposal, c: Attribution, expected: PersonId, code: ErrorCode): void {
  requireRecorder(p, c);
  ensure(speaker(c) === expected, code);
}

/** Event envelope: `onBehalfOf` appears only when set, so events stay canonical JSON. */
export function by(c: Command): { at: string; actorId: PersonId; onBehalfOf?: PersonId } {
  return isOnBehalf(c) ? { at: c.at, actorId: c.actorId, onBehalfOf: c.onBehalfOf } : { at: c.at, actorId: c.actorId };
}
