// How the events of the first half apply: creation, presentation, the clarification and
// reaction rounds, and amendment.

import { speaker } from '../state.ts';
import type { ClarificationState, Proposal, QuestionResponse } from '../states.ts';
import { baseOf, corrupt, created, newRound, recordedBy, requireRound, stateIn, turnOf, withTurn, type Reducers } from './helpers.ts';

export const discussionReducers = {
  ProposalCreated: (state, event) => {
    if (state !== null) throw corrupt(state, event);
    return created(event);
  },

  ProposalPresented: (state, event) => {
    const p = stateIn(state, event, 'draft');
    return { ...baseOf(p), stage: 'presentation' };
  },

  ClarificationRoundStarted: (state, event) => {
    const p = stateIn(state, event, 'presentation');
    return {
      ...baseOf(p),
      stage: 'clarification',
      round: newRound(p, event, 'clarification', event.roundNumber, event.order),
      pendingQuestionId: null,
    };
  },

  QuestionAsked: (state, event) => {
    const p = stateIn(state, event, 'clarification');
    return {
      ...p,
      questions: [
        ...p.questions,
        {
          id: event.questionId,
          roundNumber: p.round.number,
          askerId: speaker(event),
          text: event.text,
          askedAt: event.at,
          ...recordedBy(event),
          response: null,
        },
      ],
      // The asker keeps the floor until the proposer answers or declines.
      round: withTurn(p.round, turnOf(event, { kind: 'asked', questionId: event.questionId }), false),
      pendingQuestionId: event.questionId,
    };
  },

  QuestionAnswered: (state, event) =>
    withResponse(stateIn(state, event, 'clarification'), event.questionId, {
      kind: 'answered',
      text: event.answer,
      at: event.at,
      ...recordedBy(event),
    }),

  QuestionDeclined: (state, event) =>
    withResponse(stateIn(state, event, 'clarification'), event.questionId, {
      kind: 'declined',
      ...(event.reason === undefined ? {} : { reason: event.reason }),
      at: event.at,
      ...recordedBy(event),
    }),

  TurnPassed: (state, event) => {
    const p = stateIn(state, event, 'clarification', 'reactions');
    return { ...p, round: withTurn(p.round, turnOf(event, { kind: 'passed' })) };
  },

  ParticipantSkipped: (state, event) => {
    const p = stateIn(state, event, 'clarification', 'reactions', 'objections');
    const turn = {
      personId: event.personId,
      action: { kind: 'skipped', reason: event.reason },
      at: event.at,
      recordedBy: event.actorId,
    } as const;
    return { ...p, round: withTurn(requireRound(p.round, event), turn) };
  },

  ReactionRoundStarted: (state, event) => {
    const p = stateIn(state, event, 'clarification');
    return {
      ...baseOf(p),
      pastRounds: [...p.pastRounds, p.round],
      stage: 'reactions',
      round: newRound(p, event, 'reaction', event.roundNumber, event.order),
    };
  },

  ReactionGiven: (state, event) => {
    const p = stateIn(state, event, 'reactions');
    return {
      ...p,
      reactions: [
        ...p.reactions,
        {
          id: event.reactionId,
          roundNumber: p.round.number,
          authorId: speaker(event),
          text: event.text,
          at: event.at,
          ...recordedBy(event),
        },
      ],
      round: withTurn(p.round, turnOf(event, { kind: 'reacted', reactionId: event.reactionId })),
    };
  },

  AmendmentStarted: (state, event) => {
    const p = stateIn(state, event, 'reactions');
    return {
      ...baseOf(p),
      pastRounds: [...p.pastRounds, p.round],
      stage: 'amendment',
      proposerDecision: null,
    };
  },

  ProposalAmended: (state, event) => {
    const p = stateIn(state, event, 'amendment', 'integration');
    const versions = [
      ...p.versions,
      {
        number: event.versionNumber,
        text: event.text,
        changeNote: event.changeNote,
        motivatedBy: event.motivatedBy,
        createdAt: event.at,
        authorId: p.proposerId,
        ...recordedBy(event),
      },
    ];
    if (p.stage === 'amendment') return { ...p, versions, proposerDecision: 'amended' };
    // A new text calls for fresh confirmations from both the objector and the proposer.
    return {
      ...p,
      versions,
      current: {
        ...p.current,
        amendedInVersion: event.versionNumber,
        liftConfirmed: false,
        tensionConfirmed: false,
      },
    };
  },

  ProposalKept: (state, event) => {
    const p = stateIn(state, event, 'amendment');
    return { ...p, proposerDecision: 'kept' };
  },
} satisfies Partial<Reducers>;

/** The pending question gets its response; the floor moves on to the next person. */
function withResponse(p: ClarificationState, questionId: string, response: QuestionResponse): Proposal {
  return {
    ...p,
    questions: p.questions.map((q) => (q.id === questionId ? { ...q, response } : q)),
    round: { ...p.round, turnIndex: p.round.turnIndex + 1 },
    pendingQuestionId: null,
  };
}
