// What the event reducers share: building a proposal, rounds and turns, and refusing a corrupt log.

import type { Event, EventBase, EventOf, EventType, ProposalCreated } from '../events.ts';
import { currentVersion, isInStage, openRound, speaker, type InStage } from '../state.ts';
import type { ObjectionOutcome, Proposal, ProposalBase, Round, Stage, State, Turn, TurnAction } from '../states.ts';

/** Applies one event of type K to the state it belongs to. */
export type Reducers = { [K in EventType]: (state: State, event: EventOf<K>) => Proposal };

/** The proposal as `ProposalCreated` makes it: a draft with version 1. */
export function created(e: ProposalCreated): Proposal {
  return {
    stage: 'draft',
    proposalId: e.proposalId,
    ...(e.revises === undefined ? {} : { revises: e.revises }),
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
export function baseOf(p: ProposalBase): ProposalBase {
  return {
    proposalId: p.proposalId,
    ...(p.revises === undefined ? {} : { revises: p.revises }),
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

/** The state as a proposal in one of `stages`; any other state means `event` cannot apply. */
export function stateIn<S extends Stage>(state: State, event: Event, ...stages: readonly S[]): InStage<S> {
  if (state === null || !isInStage(state, stages)) throw corrupt(state, event);
  return state;
}

/** The round `event` needs; none open means the log is corrupt. */
export function requireRound(round: Round | null, event: Event): Round {
  if (round === null) throw corrupt(null, event);
  return round;
}

export function corrupt(state: State, event: Event): Error {
  return new Error(`Corrupt event log: ${event.type} cannot apply to stage ${state === null ? 'none' : state.stage}`);
}

export function newRound(p: ProposalBase, e: EventBase, kind: Round['kind'], number: number, order: string[]): Round {
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

export function recordedBy(e: EventBase): { recordedBy?: string } {
  return e.onBehalfOf === undefined ? {} : { recordedBy: e.actorId };
}

export function turnOf(e: EventBase, action: TurnAction): Turn {
  return { personId: speaker(e), action, at: e.at, ...recordedBy(e) };
}

export function withTurn(round: Round, turn: Turn, advance = true): Round {
  return { ...round, turns: [...round.turns, turn], turnIndex: advance ? round.turnIndex + 1 : round.turnIndex };
}

export function withOpenRoundClosed(p: Proposal): Round[] {
  const round = openRound(p);
  return round === null ? p.pastRounds : [...p.pastRounds, round];
}

export function closeObjections<P extends ProposalBase>(p: P, ids: readonly string[], outcome: ObjectionOutcome, event: EventBase): P {
  return {
    ...p,
    objections: p.objections.map((o) => (ids.includes(o.id) ? { ...o, outcome, decidedBy: speaker(event), decidedAt: event.at } : o)),
  };
}
