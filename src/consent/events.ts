// Events: the facts a proposal's log is made of. Plain JSON, stored as jsonb and hashed.

import type { ProposalFields } from './commands.ts';
import type { DecisionConcern, FormalActKind, IsoDate, IsoDateTime, Motivation, PersonId, Ruling } from './states.ts';

/**
 * `actorId` performed the action; `onBehalfOf` (present only when set) is the person the
 * action is attributed to when the facilitator or secretary recorded it for them.
 */
export interface EventBase {
  at: IsoDateTime;
  actorId: PersonId;
  onBehalfOf?: PersonId;
}

export interface ProposalCreated extends EventBase, ProposalFields {
  type: 'ProposalCreated';
}
export interface ProposalPresented extends EventBase {
  type: 'ProposalPresented';
}
export interface ClarificationRoundStarted extends EventBase {
  type: 'ClarificationRoundStarted';
  roundNumber: number;
  order: PersonId[];
}
export interface QuestionAsked extends EventBase {
  type: 'QuestionAsked';
  questionId: string;
  text: string;
}
export interface QuestionAnswered extends EventBase {
  type: 'QuestionAnswered';
  questionId: string;
  answer: string;
}
export interface QuestionDeclined extends EventBase {
  type: 'QuestionDeclined';
  questionId: string;
  reason?: string;
}
export interface TurnPassed extends EventBase {
  type: 'TurnPassed';
}
export interface ParticipantSkipped extends EventBase {
  type: 'ParticipantSkipped';
  personId: PersonId;
  reason: 'absent';
}
export interface ReactionRoundStarted extends EventBase {
  type: 'ReactionRoundStarted';
  roundNumber: number;
  order: PersonId[];
}
export interface ReactionGiven extends EventBase {
  type: 'ReactionGiven';
  reactionId: string;
  text: string;
}
export interface AmendmentStarted extends EventBase {
  type: 'AmendmentStarted';
}
export interface ProposalAmended extends EventBase {
  type: 'ProposalAmended';
  versionNumber: number;
  text: string;
  changeNote: string;
  motivatedBy: Motivation[];
}
export interface ProposalKept extends EventBase {
  type: 'ProposalKept';
  versionNumber: number;
}
export interface ObjectionRoundStarted extends EventBase {
  type: 'ObjectionRoundStarted';
  roundNumber: number;
  versionNumber: number;
  order: PersonId[];
}
export interface NoObjectionDeclared extends EventBase {
  type: 'NoObjectionDeclared';
}
export interface ObjectionRaised extends EventBase {
  type: 'ObjectionRaised';
  objectionId: string;
  reasoning: string;
}
export interface ConcernRecorded extends EventBase {
  type: 'ConcernRecorded';
  concernId: string;
  text: string;
}
export interface ProposalAdopted extends EventBase {
  type: 'ProposalAdopted';
  versionNumber: number;
  reviewDate: IsoDate | null;
  criteria: string;
  concerns: DecisionConcern[];
  presentIds: PersonId[];
}
export interface ObjectionTestingStarted extends EventBase {
  type: 'ObjectionTestingStarted';
  roundNumber: number;
}
export interface ObjectionTested extends EventBase {
  type: 'ObjectionTested';
  objectionId: string;
  answers: Record<string, boolean>;
  /** `not_valid` also closes the objection with outcome `not_valid` (kept as a concern). */
  ruling: Ruling;
  /** Present when the facilitator gave a written reason (required to rule against the answers). */
  rulingReason?: string;
}
export interface ObjectionIntegrationStarted extends EventBase {
  type: 'ObjectionIntegrationStarted';
  objectionId: string;
}
export interface ObjectionLiftConfirmed extends EventBase {
  type: 'ObjectionLiftConfirmed';
  objectionId: string;
}
export interface TensionAnswerConfirmed extends EventBase {
  type: 'TensionAnswerConfirmed';
  objectionId: string;
}
export interface ObjectionIntegrated extends EventBase {
  type: 'ObjectionIntegrated';
  objectionId: string;
}
export interface ObjectionWithdrawn extends EventBase {
  type: 'ObjectionWithdrawn';
  objectionId: string;
}
export interface ObjectionDeferred extends EventBase {
  type: 'ObjectionDeferred';
  objectionId: string;
  followUpDate: IsoDate;
}
export interface IntegrationCompleted extends EventBase {
  type: 'IntegrationCompleted';
  /** The amended version the next objection round will be held on. */
  versionNumber: number;
}
export interface ProposalWithdrawn extends EventBase {
  type: 'ProposalWithdrawn';
  reason?: string;
  /** Objections still open, closed with outcome `proposal_withdrawn`. */
  closedObjectionIds: string[];
}
export interface ProposalPostponed extends EventBase {
  type: 'ProposalPostponed';
  reason?: string;
  /** Objections still open, closed with outcome `proposal_postponed`. */
  closedObjectionIds: string[];
}
export interface FacilitationHandedOver extends EventBase {
  type: 'FacilitationHandedOver';
  toPersonId: PersonId;
}
export interface DecisionPublished extends EventBase {
  type: 'DecisionPublished';
}
export interface FormalActRecorded extends EventBase {
  type: 'FormalActRecorded';
  kind: FormalActKind;
  number: string;
  date: IsoDate;
  reference: string;
}

/** Everything that can have happened to a proposal. */
export type Event =
  | ProposalCreated
  | ProposalPresented
  | ClarificationRoundStarted
  | QuestionAsked
  | QuestionAnswered
  | QuestionDeclined
  | TurnPassed
  | ParticipantSkipped
  | ReactionRoundStarted
  | ReactionGiven
  | AmendmentStarted
  | ProposalAmended
  | ProposalKept
  | ObjectionRoundStarted
  | NoObjectionDeclared
  | ObjectionRaised
  | ConcernRecorded
  | ProposalAdopted
  | ObjectionTestingStarted
  | ObjectionTested
  | ObjectionIntegrationStarted
  | ObjectionLiftConfirmed
  | TensionAnswerConfirmed
  | ObjectionIntegrated
  | ObjectionWithdrawn
  | ObjectionDeferred
  | IntegrationCompleted
  | ProposalWithdrawn
  | ProposalPostponed
  | FacilitationHandedOver
  | DecisionPublished
  | FormalActRecorded;

export type EventType = Event['type'];

/** The event of one type, e.g. `EventOf<'TurnPassed'>`. */
export type EventOf<K extends EventType> = Extract<Event, { type: K }>;
