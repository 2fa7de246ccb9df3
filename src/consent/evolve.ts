// evolve(state, event) → state. Events are facts already accepted by `decide`, so evolve does
// not re-check the method; an event that cannot apply means a corrupt log and throws.

import { assertNever } from './errors.ts';
import type {
  ClosedInfo,
  Event,
  EventBase,
  LiveStage,
  Objection,
  ObjectionOutcome,
  Proposal,
  ProposalBase,
  ProposalCreated,
  Round,
  Stage,
  State,
  Turn,
  TurnAction,
} from './types.ts';

/** The state before any event: no proposal yet. */
export const initialState: State = null;

/** Applies one event. Throws if the event cannot apply (corrupt or foreign log). */
export function evolve(state: State, event: Event): State {
  switch (event.type) {
    case 'ProposalCreated':
      if (state !== null) throw corrupt(state, event);
      return created(event);

    case 'ProposalPresented': {
      const p = expect(state, event, 'draft');
      return { ...baseOf(p), stage: 'presentation' };
    }

    case 'ClarificationRoundStarted': {
      const p = expect(state, event, 'presentation');
      return {
        ...baseOf(p),
        stage: 'clarification',
        round: newRound(p, event, 'clarification', event.roundNumber, event.order),
        pendingQuestionId: null,
      };
    }

    case 'QuestionAsked': {
      const p = expect(state, event, 'clarification');
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
    }

    case 'QuestionAnswered':
    case 'QuestionDeclined': {
      const p = expect(state, event, 'clarification');
      const response =
        event.type === 'QuestionAnswered'
          ? { kind: 'answered' as const, text: event.answer, at: event.at, ...recordedBy(event) }
          : {
              kind: 'declined' as const,
              ...(event.reason === undefined ? {} : { reason: event.reason }),
              at: event.at,
              ...recordedBy(event),
            };
      return {
        ...p,
        questions: p.questions.map((q) => (q.id === event.questionId ? { ...q, response } : q)),
        round: { ...p.round, turnIndex: p.round.turnIndex + 1 },
        pendingQuestionId: null,
      };
    }

    case 'TurnPassed': {
      const p = expect(state, event, 'clarification', 'reactions');
      return { ...p, round: withTurn(p.round, turnOf(event, { kind: 'passed' })) };
    }

    case 'ParticipantSkipped': {
      const p = expect(state, event, 'clarification', 'reactions', 'objections');
      const turn: Turn = {
        personId: event.personId,
        action: { kind: 'skipped', reason: event.reason },
        at: event.at,
        recordedBy: event.actorId,
      };
      return { ...p, round: withTurn(requireRound(p.round, event), turn) };
    }

    case 'ReactionRoundStarted': {
      const p = expect(state, event, 'clarification');
      return {
        ...baseOf(p),
        pastRounds: [...p.pastRounds, p.round],
        stage: 'reactions',
        round: newRound(p, event, 'reaction', event.roundNumber, event.order),
      };
    }

    case 'ReactionGiven': {
      const p = expect(state, event, 'reactions');
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
    }

    case 'AmendmentStarted': {
      const p = expect(state, event, 'reactions');
      return {
        ...baseOf(p),
        pastRounds: [...p.pastRounds, p.round],
        stage: 'amendment',
        proposerDecision: null,
      };
    }

    case 'ProposalAmended': {
      const p = expect(state, event, 'amendment', 'integration');
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
    }

    case 'ProposalKept': {
      const p = expect(state, event, 'amendment');
      return { ...p, proposerDecision: 'kept' };
    }

    case 'ObjectionRoundStarted': {
      const p = expect(state, event, 'amendment', 'objections');
      return {
        ...baseOf(p),
        stage: 'objections',
        round: newRound(p, event, 'objection', event.roundNumber, event.order),
      };
    }

    case 'NoObjectionDeclared': {
      const p = expect(state, event, 'objections');
      return { ...p, round: withTurn(requireRound(p.round, event), turnOf(event, { kind: 'no_objection' })) };
    }

    case 'ObjectionRaised': {
      const p = expect(state, event, 'objections');
      const round = requireRound(p.round, event);
      const objection: Objection = {
        id: event.objectionId,
        versionNumber: round.versionNumber,
        round: round.number,
        objectorId: speaker(event),
        reasoning: event.reasoning,
        raisedAt: event.at,
        ...recordedBy(event),
        answers: null,
        ruling: null,
        outcome: null,
        decidedBy: null,
        decidedAt: null,
        followUpDate: null,
      };
      return {
        ...p,
        objections: [...p.objections, objection],
        round: withTurn(round, turnOf(event, { kind: 'objection', objectionId: event.objectionId })),
      };
    }

    case 'ConcernRecorded': {
      const p = expect(state, event, 'objections');
      const round = requireRound(p.round, event);
      return {
        ...p,
        concerns: [
          ...p.concerns,
          {
            id: event.concernId,
            roundNumber: round.number,
            versionNumber: round.versionNumber,
            personId: speaker(event),
            text: event.text,
            at: event.at,
            ...recordedBy(event),
          },
        ],
        round: withTurn(round, turnOf(event, { kind: 'concern', concernId: event.concernId })),
      };
    }

    case 'ObjectionTestingStarted': {
      const p = expect(state, event, 'objections');
      return { ...baseOf(p), stage: 'testing', objectionRound: requireRound(p.round, event) };
    }

    case 'ObjectionTested': {
      const p = expect(state, event, 'testing');
      // A ruling of "not valid" is itself the outcome: the objection is kept as a concern.
      const closing =
        event.ruling === 'not_valid'
          ? { outcome: 'not_valid' as const, decidedBy: event.actorId, decidedAt: event.at }
          : {};
      return {
        ...p,
        objections: p.objections.map((o) =>
          o.id === event.objectionId ? { ...o, answers: event.answers, ruling: event.ruling, ...closing } : o,
        ),
      };
    }

    case 'ObjectionIntegrationStarted': {
      const p = expect(state, event, 'testing', 'integration');
      return {
        ...baseOf(p),
        stage: 'integration',
        objectionRound: p.objectionRound,
        current: { objectionId: event.objectionId, amendedInVersion: null, liftConfirmed: false, tensionConfirmed: false },
      };
    }

    case 'ObjectionLiftConfirmed': {
      const p = expect(state, event, 'integration');
      return { ...p, current: { ...p.current, liftConfirmed: true } };
    }

    case 'TensionAnswerConfirmed': {
      const p = expect(state, event, 'integration');
      return { ...p, current: { ...p.current, tensionConfirmed: true } };
    }

    case 'ObjectionIntegrated': {
      const p = expect(state, event, 'integration');
      return closeObjections(p, [event.objectionId], 'integrated', event);
    }

    case 'ObjectionWithdrawn': {
      const p = expect(state, event, 'testing', 'integration');
      return closeObjections(p, [event.objectionId], 'withdrawn', event);
    }

    case 'ObjectionDeferred': {
      const p = expect(state, event, 'integration');
      const closed = closeObjections(p, [event.objectionId], 'deferred', event);
      return {
        ...closed,
        objections: closed.objections.map((o) =>
          o.id === event.objectionId ? { ...o, followUpDate: event.followUpDate } : o,
        ),
      };
    }

    case 'IntegrationCompleted': {
      const p = expect(state, event, 'integration');
      return { ...baseOf(p), pastRounds: [...p.pastRounds, p.objectionRound], stage: 'objections', round: null };
    }

    case 'ProposalAdopted': {
      const p = expect(state, event, 'objections', 'testing', 'integration');
      return {
        ...baseOf(p),
        pastRounds: withOpenRoundClosed(p),
        stage: 'adopted',
        decision: {
          versionNumber: event.versionNumber,
          reviewDate: event.reviewDate,
          criteria: event.criteria,
          concerns: event.concerns,
          presentIds: event.presentIds,
          adoptedAt: event.at,
        },
      };
    }

    case 'ProposalWithdrawn':
    case 'ProposalPostponed': {
      const p = expect(state, event, ...LIVE_STAGES);
      const withdrawn = event.type === 'ProposalWithdrawn';
      const closed: ClosedInfo = { from: p.stage, at: event.at, by: speaker(event), reason: event.reason ?? null };
      const base = closeObjections(
        { ...baseOf(p), pastRounds: withOpenRoundClosed(p) },
        event.closedObjectionIds,
        withdrawn ? 'proposal_withdrawn' : 'proposal_postponed',
        event,
      );
      return withdrawn ? { ...base, stage: 'withdrawn', closed } : { ...base, stage: 'postponed', closed };
    }

    case 'FacilitationHandedOver': {
      const p = expect(state, event, ...LIVE_STAGES);
      return { ...p, actingFacilitatorId: event.toPersonId };
    }

    default:
      return assertNever(event);
  }
}

/** Rebuilds a state from its events, oldest first. */
export function fold(events: readonly Event[], init: State = initialState): State {
  return events.reduce<State>(evolve, init);
}

/** Rebuilds a proposal from its full event log. */
export function replay(events: readonly Event[]): State {
  return fold(events, initialState);
}

/** Stages from which a proposal can still be withdrawn or postponed. */
export const LIVE_STAGES: readonly LiveStage[] = [
  'draft',
  'presentation',
  'clarification',
  'reactions',
  'amendment',
  'objections',
  'testing',
  'integration',
];

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

/** The person an event is attributed to ("saisi pour …" events count for `onBehalfOf`). */
export function speaker(event: EventBase): string {
  return event.onBehalfOf ?? event.actorId;
}

// ---------------------------------------------------------------- helpers

function created(e: ProposalCreated): Proposal {
  return {
    stage: 'draft',
    proposalId: e.proposalId,
    title: e.title,
    tension: e.tension,
    criteria: e.criteria,
    reviewDate: e.reviewDate,
    validitySet: e.validitySet,
    proposerId: e.proposerId,
    facilitatorId: e.facilitatorId,
    actingFacilitatorId: e.facilitatorId,
    secretaryId: e.secretaryId,
    createdAt: e.at,
    createdBy: e.actorId,
    versions: [
      {
        number: 1,
        text: e.text,
        changeNote: '',
        motivatedBy: [],
        createdAt: e.at,
        authorId: e.proposerId,
        ...(e.actorId === e.proposerId ? {} : { recordedBy: e.actorId }),
      },
    ],
    pastRounds: [],
    questions: [],
    reactions: [],
    objections: [],
    concerns: [],
  };
}

/** Strips stage-specific fields so that a stage change never carries stale data. */
function baseOf(p: ProposalBase): ProposalBase {
  return {
    proposalId: p.proposalId,
    title: p.title,
    tension: p.tension,
    criteria: p.criteria,
    reviewDate: p.reviewDate,
    validitySet: p.validitySet,
    proposerId: p.proposerId,
    facilitatorId: p.facilitatorId,
    actingFacilitatorId: p.actingFacilitatorId,
    secretaryId: p.secretaryId,
    createdAt: p.createdAt,
    createdBy: p.createdBy,
    versions: p.versions,
    pastRounds: p.pastRounds,
    questions: p.questions,
    reactions: p.reactions,
    objections: p.objections,
    concerns: p.concerns,
  };
}

function expect<S extends Stage>(state: State, event: Event, ...stages: readonly S[]): Extract<Proposal, { stage: S }> {
  if (state === null || !(stages as readonly Stage[]).includes(state.stage)) throw corrupt(state, event);
  return state as Extract<Proposal, { stage: S }>;
}

function requireRound(round: Round | null, event: Event): Round {
  if (round === null) throw corrupt(null, event);
  return round;
}

function corrupt(state: State, event: Event): Error {
  return new Error(`Corrupt event log: ${event.type} cannot apply to stage ${state === null ? 'none' : state.stage}`);
}

function newRound(p: ProposalBase, e: EventBase, kind: Round['kind'], number: number, order: string[]): Round {
  return {
    kind,
    number,
    versionNumber: currentVersion(p).number,
    order,
    turnIndex: 0,
    turns: [],
    startedAt: e.at,
    startedBy: e.actorId,
  };
}

function recordedBy(e: EventBase): { recordedBy?: string } {
  return e.onBehalfOf === undefined ? {} : { recordedBy: e.actorId };
}

function turnOf(e: EventBase, action: TurnAction): Turn {
  return { personId: speaker(e), action, at: e.at, ...recordedBy(e) };
}

function withTurn(round: Round, turn: Turn, advance = true): Round {
  return { ...round, turns: [...round.turns, turn], turnIndex: advance ? round.turnIndex + 1 : round.turnIndex };
}

function withOpenRoundClosed(p: Proposal): Round[] {
  const round = openRound(p);
  return round === null ? p.pastRounds : [...p.pastRounds, round];
}

function closeObjections<P extends ProposalBase>(
  p: P,
  ids: readonly string[],
  outcome: ObjectionOutcome,
  event: EventBase,
): P {
  return {
    ...p,
    objections: p.objections.map((o) =>
      ids.includes(o.id) ? { ...o, outcome, decidedBy: speaker(event), decidedAt: event.at } : o,
    ),
  };
}
