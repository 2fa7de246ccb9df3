// Handlers for the discussion rounds: clarification (questions to the proposer), reactions,
// and the turns, passes and skips they are made of.

import type { CommandOf } from '../commands.ts';
import type { Event } from '../events.ts';
import type { ClarificationState, State } from '../states.ts';
import {
  activeRound,
  by,
  clarifying,
  ensure,
  existing,
  inStage,
  nextRoundNumber,
  requireComplete,
  requireFacilitator,
  requireProposer,
  requireText,
  roundOrder,
  takeTurn,
  type Handlers,
} from './guards.ts';
import { withObjectionRoundEnd } from './transitions.ts';

export const discussionHandlers = {
  StartClarificationRound: (state, c) => {
    const p = inStage(state, 'presentation');
    requireFacilitator(p, c);
    const order = roundOrder(c.participants, p.proposerId);
    return [{ type: 'ClarificationRoundStarted', ...by(c), roundNumber: nextRoundNumber(p, 'clarification'), order }];
  },

  AskQuestion: (state, c) => {
    const p = clarifying(state);
    takeTurn(p, p.round, c);
    requireText(c.text);
    ensure(!p.questions.some((q) => q.id === c.questionId), 'DUPLICATE_ID');
    return [{ type: 'QuestionAsked', ...by(c), questionId: c.questionId, text: c.text }];
  },

  AnswerQuestion: (state, c) => {
    awaitingProposer(state, c);
    requireText(c.answer);
    return [{ type: 'QuestionAnswered', ...by(c), questionId: c.questionId, answer: c.answer }];
  },

  DeclineQuestion: (state, c) => {
    awaitingProposer(state, c);
    return [{ type: 'QuestionDeclined', ...by(c), questionId: c.questionId, ...(c.reason === undefined ? {} : { reason: c.reason }) }];
  },

  Pass: (state, c) => {
    // Passing is a turn of its own in the two discussion rounds; in the objection round
    // everyone must take a position, so a pass would hide a silent objection.
    const proposal = existing(state);
    ensure(proposal.stage !== 'objections', 'POSITION_REQUIRED');
    const p = proposal.stage === 'clarification' ? clarifying(proposal) : inStage(proposal, 'reactions');
    takeTurn(p, p.round, c);
    return [{ type: 'TurnPassed', ...by(c) }];
  },

  SkipParticipant: (state, c) => {
    const p = inStage(state, 'clarification', 'reactions', 'objections');
    requireFacilitator(p, c);
    if (p.stage === 'clarification') ensure(p.pendingQuestionId === null, 'QUESTION_PENDING');
    const round = p.stage === 'objections' ? activeRound(p) : p.round;
    ensure(round.turnIndex < round.order.length, 'ROUND_COMPLETE');
    ensure(round.order[round.turnIndex] === c.personId, 'NOT_CURRENT_TURN');
    const event: Event = { type: 'ParticipantSkipped', ...by(c), personId: c.personId, reason: c.reason };
    return p.stage === 'objections' ? withObjectionRoundEnd(p, event) : [event];
  },

  StartReactionRound: (state, c) => {
    const p = clarifying(state);
    requireFacilitator(p, c);
    requireComplete(p.round);
    const order = roundOrder(c.participants, p.proposerId);
    return [{ type: 'ReactionRoundStarted', ...by(c), roundNumber: nextRoundNumber(p, 'reaction'), order }];
  },

  React: (state, c) => {
    const p = inStage(state, 'reactions');
    takeTurn(p, p.round, c);
    requireText(c.text);
    ensure(!p.reactions.some((r) => r.id === c.reactionId), 'DUPLICATE_ID');
    return [{ type: 'ReactionGiven', ...by(c), reactionId: c.reactionId, text: c.text }];
  },

  StartAmendment: (state, c) => {
    const p = inStage(state, 'reactions');
    requireFacilitator(p, c);
    requireComplete(p.round);
    return [{ type: 'AmendmentStarted', ...by(c) }];
  },
} satisfies Partial<Handlers>;

/** Only the proposer answers or declines, and only the question waiting for it. */
function awaitingProposer(state: State, c: CommandOf<'AnswerQuestion' | 'DeclineQuestion'>): ClarificationState {
  const p = inStage(state, 'clarification');
  requireProposer(p, c);
  ensure(p.pendingQuestionId === c.questionId, 'UNKNOWN_QUESTION');
  return p;
}
