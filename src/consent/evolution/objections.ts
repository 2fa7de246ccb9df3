// How the events of the second half apply: the objection round, testing, integration, and the
// ways a proposal ends (adopted, withdrawn, postponed) or changes hands.

import type { ProposalPostponed, ProposalWithdrawn } from '../events.ts';
import { LIVE_STAGES, speaker, type InStage } from '../state.ts';
import type { ClosedInfo, LiveStage, Objection, ProposalBase } from '../states.ts';
import { baseOf, closeObjections, newRound, recordedBy, requireRound, stateIn, turnOf, withOpenRoundClosed, withTurn, type Reducers } from './helpers.ts';

export const objectionReducers = {
  ObjectionRoundStarted: (state, event) => {
    const p = stateIn(state, event, 'amendment', 'objections');
    return {
      ...baseOf(p),
      stage: 'objections',
      round: newRound(p, event, 'objection', event.roundNumber, event.order),
    };
  },

  NoObjectionDeclared: (state, event) => {
    const p = stateIn(state, event, 'objections');
    return { ...p, round: withTurn(requireRound(p.round, event), turnOf(event, { kind: 'no_objection' })) };
  },

  ObjectionRaised: (state, event) => {
    const p = stateIn(state, event, 'objections');
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
  },

  ConcernRecorded: (state, event) => {
    const p = stateIn(state, event, 'objections');
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
  },

  ObjectionTestingStarted: (state, event) => {
    const p = stateIn(state, event, 'objections');
    return { ...baseOf(p), stage: 'testing', objectionRound: requireRound(p.round, event) };
  },

  ObjectionTested: (state, event) => {
    const p = stateIn(state, event, 'testing');
    // A ruling of "not valid" is itself the outcome: the objection is kept as a concern.
    const closing = event.ruling === 'not_valid' ? { outcome: 'not_valid' as const, decidedBy: event.actorId, decidedAt: event.at } : {};
    return {
      ...p,
      objections: p.objections.map((o) =>
        o.id === event.objectionId
          ? { ...o, answers: event.answers, ruling: event.ruling, ...(event.rulingReason ? { rulingReason: event.rulingReason } : {}), ...closing }
          : o,
      ),
    };
  },

  ObjectionIntegrationStarted: (state, event) => {
    const p = stateIn(state, event, 'testing', 'integration');
    return {
      ...baseOf(p),
      stage: 'integration',
      objectionRound: p.objectionRound,
      current: { objectionId: event.objectionId, amendedInVersion: null, liftConfirmed: false, tensionConfirmed: false },
    };
  },

  ObjectionLiftConfirmed: (state, event) => {
    const p = stateIn(state, event, 'integration');
    return { ...p, current: { ...p.current, liftConfirmed: true } };
  },

  TensionAnswerConfirmed: (state, event) => {
    const p = stateIn(state, event, 'integration');
    return { ...p, current: { ...p.current, tensionConfirmed: true } };
  },

  ObjectionIntegrated: (state, event) => {
    const p = stateIn(state, event, 'integration');
    return closeObjections(p, [event.objectionId], 'integrated', event);
  },

  ObjectionWithdrawn: (state, event) => {
    const p = stateIn(state, event, 'testing', 'integration');
    return closeObjections(p, [event.objectionId], 'withdrawn', event);
  },

  ObjectionDeferred: (state, event) => {
    const p = stateIn(state, event, 'integration');
    const closed = closeObjections(p, [event.objectionId], 'deferred', event);
    return {
      ...closed,
      objections: closed.objections.map((o) => (o.id === event.objectionId ? { ...o, followUpDate: event.followUpDate } : o)),
    };
  },

  IntegrationCompleted: (state, event) => {
    const p = stateIn(state, event, 'integration');
    return { ...baseOf(p), pastRounds: [...p.pastRounds, p.objectionRound], stage: 'objections', round: null };
  },

  ProposalAdopted: (state, event) => {
    const p = stateIn(state, event, 'objections', 'testing', 'integration');
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
  },

  ProposalWithdrawn: (state, event) => {
    const { base, closed } = closing(stateIn(state, event, ...LIVE_STAGES), event, 'proposal_withdrawn');
    return { ...base, stage: 'withdrawn', closed };
  },

  ProposalPostponed: (state, event) => {
    const { base, closed } = closing(stateIn(state, event, ...LIVE_STAGES), event, 'proposal_postponed');
    return { ...base, stage: 'postponed', closed };
  },

  FacilitationHandedOver: (state, event) => {
    const p = stateIn(state, event, ...LIVE_STAGES);
    return { ...p, actingFacilitatorId: event.toPersonId };
  },
} satisfies Partial<Reducers>;

/** A proposal that ends before adoption: its open round and open objections are closed with it. */
function closing(
  p: InStage<LiveStage>,
  event: ProposalWithdrawn | ProposalPostponed,
  outcome: 'proposal_withdrawn' | 'proposal_postponed',
): { base: ProposalBase; closed: ClosedInfo } {
  const closed: ClosedInfo = { from: p.stage, at: event.at, by: speaker(event), reason: event.reason ?? null };
  const base = { ...baseOf(p), pastRounds: withOpenRoundClosed(p) };
  return { base: closeObjections(base, event.closedObjectionIds, outcome, event), closed };
}
