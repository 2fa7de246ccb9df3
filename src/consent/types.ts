// The consent process as data: state (one variant per stage), commands and events.
// Everything here is plain JSON so that events can be stored as jsonb and hashed, and
// states can be snapshotted. Persons are opaque ids: names never enter the record.

/** Opaque person id; names live outside the core so they can be pseudonymised. */
export type PersonId = string;
/** ISO 8601 instant, e.g. `2025-03-14T09:30:00.000Z`. */
export type IsoDateTime = string;
/** ISO 8601 calendar date, e.g. `2025-09-30`. */
export type IsoDate = string;

/** Identifier of a validity question set (see `validity.ts`). */
export type ValiditySetId = 'holacracy' | 's3' | 'importante_argumentee';

/** Every stage a proposal can be in. */
export type Stage =
  | 'draft'
  | 'presentation'
  | 'clarification'
  | 'reactions'
  | 'amendment'
  | 'objections'
  | 'testing'
  | 'integration'
  | 'adopted'
  | 'withdrawn'
  | 'postponed';

/** Stages from which the proposer may withdraw and the facilitator may postpone. */
export type LiveStage = Exclude<Stage, 'adopted' | 'withdrawn' | 'postponed'>;
/** Stages that accept no further command. */
export type TerminalStage = Extract<Stage, 'adopted' | 'withdrawn' | 'postponed'>;

/** What motivated a new version. */
export interface Motivation {
  kind: 'question' | 'reaction' | 'objection';
  id: string;
}

/** One immutable version of the proposal text. Numbered 1..n without gaps. */
export interface Version {
  number: number;
  text: string;
  changeNote: string;
  motivatedBy: Motivation[];
  createdAt: IsoDateTime;
  /** Always the proposer: only the proposer changes the text. */
  authorId: PersonId;
  /** Who typed it when not the proposer (the secretary, "saisi pour …"). */
  recordedBy?: PersonId;
}

export type RoundKind = 'clarification' | 'reaction' | 'objection';

/** What a person did with their turn. */
export type TurnAction =
  | { kind: 'asked'; questionId: string }
  | { kind: 'reacted'; reactionId: string }
  | { kind: 'no_objection' }
  | { kind: 'objection'; objectionId: string }
  | { kind: 'concern'; concernId: string }
  | { kind: 'passed' }
  | { kind: 'skipped'; reason: 'absent' };

export interface Turn {
  personId: PersonId;
  action: TurnAction;
  at: IsoDateTime;
  /** Set when the facilitator or secretary recorded the turn for `personId`. */
  recordedBy?: PersonId;
}

/**
 * A round-robin round. `order[turnIndex]` holds the floor; `turns[i]` is what
 * `order[i]` did. During clarification a pending question keeps `turnIndex` on the asker.
 */
export interface Round {
  kind: RoundKind;
  /** 1-based, counted per kind (objection round 1, 2, …). */
  number: number;
  versionNumber: number;
  order: PersonId[];
  turnIndex: number;
  turns: Turn[];
  startedAt: IsoDateTime;
  startedBy: PersonId;
}

export type QuestionResponse =
  | { kind: 'answered'; text: string; at: IsoDateTime; recordedBy?: PersonId }
  | { kind: 'declined'; reason?: string; at: IsoDateTime; recordedBy?: PersonId };

export interface Question {
  id: string;
  roundNumber: number;
  askerId: PersonId;
  text: string;
  askedAt: IsoDateTime;
  recordedBy?: PersonId;
  response: QuestionResponse | null;
}

export interface Reaction {
  id: string;
  roundNumber: number;
  authorId: PersonId;
  text: string;
  at: IsoDateTime;
  recordedBy?: PersonId;
}

/** A concern (préoccupation): no objection, never blocks, kept in the decision. */
export interface Concern {
  id: string;
  roundNumber: number;
  versionNumber: number;
  personId: PersonId;
  text: string;
  at: IsoDateTime;
  recordedBy?: PersonId;
}

export type ObjectionOutcome =
  | 'integrated'
  | 'withdrawn'
  | 'not_valid'
  | 'deferred'
  | 'proposal_withdrawn'
  | 'proposal_postponed';

export type Ruling = 'valid' | 'not_valid';

export interface Objection {
  id: string;
  versionNumber: number;
  /** Objection round number in which it was raised. */
  round: number;
  objectorId: PersonId;
  reasoning: string;
  raisedAt: IsoDateTime;
  recordedBy?: PersonId;
  /** Validity test answers keyed by question id of the proposal's validity set. */
  answers: Record<string, boolean> | null;
  ruling: Ruling | null;
  outcome: ObjectionOutcome | null;
  decidedBy: PersonId | null;
  decidedAt: IsoDateTime | null;
  followUpDate: IsoDate | null;
}

/** A concern as frozen into the decision: raised as a concern, or an objection ruled not valid. */
export interface DecisionConcern {
  id: string;
  source: 'concern' | 'objection_not_valid';
  personId: PersonId;
  text: string;
  versionNumber: number;
}

/** What was adopted. */
export interface DecisionRecord {
  versionNumber: number;
  reviewDate: IsoDate | null;
  criteria: string;
  concerns: DecisionConcern[];
  /** The last objection round's order minus those skipped as absent. */
  presentIds: PersonId[];
  adoptedAt: IsoDateTime;
}

/** The integration of one valid objection. */
export interface IntegrationProgress {
  objectionId: string;
  /** Version created for this objection; confirmations only count after one. */
  amendedInVersion: number | null;
  liftConfirmed: boolean;
  tensionConfirmed: boolean;
}

/** Fields every proposal has, whatever its stage. */
export interface ProposalBase {
  proposalId: string;
  title: string;
  tension: string;
  criteria: string;
  reviewDate: IsoDate | null;
  validitySet: ValiditySetId;
  proposerId: PersonId;
  /** The facilitator appointed at creation. */
  facilitatorId: PersonId;
  /** Who holds facilitation now; permissions follow this one. */
  actingFacilitatorId: PersonId;
  secretaryId: PersonId | null;
  createdAt: IsoDateTime;
  createdBy: PersonId;
  versions: Version[];
  /** Rounds no longer active, oldest first. */
  pastRounds: Round[];
  questions: Question[];
  reactions: Reaction[];
  objections: Objection[];
  concerns: Concern[];
}

export interface DraftState extends ProposalBase {
  stage: 'draft';
}
export interface PresentationState extends ProposalBase {
  stage: 'presentation';
}
export interface ClarificationState extends ProposalBase {
  stage: 'clarification';
  round: Round;
  pendingQuestionId: string | null;
}
export interface ReactionsState extends ProposalBase {
  stage: 'reactions';
  round: Round;
}
export interface AmendmentState extends ProposalBase {
  stage: 'amendment';
  /** The objection round may start only once the proposer amended or kept. */
  proposerDecision: 'amended' | 'kept' | null;
}
export interface ObjectionsState extends ProposalBase {
  stage: 'objections';
  /** null after integration: awaiting a new round on the amended version. */
  round: Round | null;
}
export interface TestingState extends ProposalBase {
  stage: 'testing';
  /** The completed objection round whose objections are being tested. */
  objectionRound: Round;
}
export interface IntegrationState extends ProposalBase {
  stage: 'integration';
  /** The completed objection round whose valid objections are being integrated. */
  objectionRound: Round;
  current: IntegrationProgress;
}
export interface AdoptedState extends ProposalBase {
  stage: 'adopted';
  decision: DecisionRecord;
}
export interface ClosedInfo {
  from: LiveStage;
  at: IsoDateTime;
  by: PersonId;
  reason: string | null;
}
export interface WithdrawnState extends ProposalBase {
  stage: 'withdrawn';
  closed: ClosedInfo;
}
export interface PostponedState extends ProposalBase {
  stage: 'postponed';
  closed: ClosedInfo;
}

/** A proposal in one of its stages. */
export type Proposal =
  | DraftState
  | PresentationState
  | ClarificationState
  | ReactionsState
  | AmendmentState
  | ObjectionsState
  | TestingState
  | IntegrationState
  | AdoptedState
  | WithdrawnState
  | PostponedState;

/** `null` before `ProposalCreated`. */
export type State = Proposal | null;

// ---------------------------------------------------------------- commands

interface CommandBase {
  at: IsoDateTime;
  actorId: PersonId;
}
/** Commands a facilitator or secretary may record for someone without a device. */
interface OnBehalf {
  onBehalfOf?: PersonId;
}

/** What a proposal is created with: the same in the command and in its event. */
export interface ProposalFields {
  proposalId: string;
  proposerId: PersonId;
  facilitatorId: PersonId;
  secretaryId: PersonId | null;
  title: string;
  tension: string;
  text: string;
  criteria: string;
  reviewDate: IsoDate | null;
  validitySet: ValiditySetId;
}
export interface CreateProposal extends CommandBase, ProposalFields {
  type: 'CreateProposal';
}
export interface Present extends CommandBase {
  type: 'Present';
}
export interface StartClarificationRound extends CommandBase {
  type: 'StartClarificationRound';
  participants: PersonId[];
}
export interface AskQuestion extends CommandBase, OnBehalf {
  type: 'AskQuestion';
  questionId: string;
  text: string;
}
export interface AnswerQuestion extends CommandBase, OnBehalf {
  type: 'AnswerQuestion';
  questionId: string;
  answer: string;
}
export interface DeclineQuestion extends CommandBase, OnBehalf {
  type: 'DeclineQuestion';
  questionId: string;
  reason?: string;
}
export interface Pass extends CommandBase, OnBehalf {
  type: 'Pass';
}
export interface SkipParticipant extends CommandBase {
  type: 'SkipParticipant';
  personId: PersonId;
  reason: 'absent';
}
export interface StartReactionRound extends CommandBase {
  type: 'StartReactionRound';
  participants: PersonId[];
}
export interface React extends CommandBase, OnBehalf {
  type: 'React';
  reactionId: string;
  text: string;
}
export interface StartAmendment extends CommandBase {
  type: 'StartAmendment';
}
export interface AmendProposal extends CommandBase, OnBehalf {
  type: 'AmendProposal';
  text: string;
  changeNote: string;
  motivatedBy: Motivation[];
}
export interface KeepProposal extends CommandBase, OnBehalf {
  type: 'KeepProposal';
}
export interface StartObjectionRound extends CommandBase {
  type: 'StartObjectionRound';
  participants: PersonId[];
}
export interface DeclareNoObjection extends CommandBase, OnBehalf {
  type: 'DeclareNoObjection';
}
export interface RaiseObjection extends CommandBase, OnBehalf {
  type: 'RaiseObjection';
  objectionId: string;
  reasoning: string;
}
export interface RecordConcern extends CommandBase, OnBehalf {
  type: 'RecordConcern';
  concernId: string;
  text: string;
}
export interface TestObjection extends CommandBase {
  type: 'TestObjection';
  objectionId: string;
  answers: Record<string, boolean>;
  ruling: Ruling;
}
export interface ConfirmObjectionLifted extends CommandBase, OnBehalf {
  type: 'ConfirmObjectionLifted';
  objectionId: string;
}
export interface ConfirmTensionAnswered extends CommandBase, OnBehalf {
  type: 'ConfirmTensionAnswered';
  objectionId: string;
}
export interface WithdrawObjection extends CommandBase, OnBehalf {
  type: 'WithdrawObjection';
  objectionId: string;
}
export interface DeferObjection extends CommandBase {
  type: 'DeferObjection';
  objectionId: string;
  followUpDate: IsoDate;
}
export interface WithdrawProposal extends CommandBase, OnBehalf {
  type: 'WithdrawProposal';
  reason?: string;
}
export interface PostponeProposal extends CommandBase {
  type: 'PostponeProposal';
  reason?: string;
}
export interface HandOverFacilitation extends CommandBase {
  type: 'HandOverFacilitation';
}

/** Everything someone can ask the core to do. */
export type Command =
  | CreateProposal
  | Present
  | StartClarificationRound
  | AskQuestion
  | AnswerQuestion
  | DeclineQuestion
  | Pass
  | SkipParticipant
  | StartReactionRound
  | React
  | StartAmendment
  | AmendProposal
  | KeepProposal
  | StartObjectionRound
  | DeclareNoObjection
  | RaiseObjection
  | RecordConcern
  | TestObjection
  | ConfirmObjectionLifted
  | ConfirmTensionAnswered
  | WithdrawObjection
  | DeferObjection
  | WithdrawProposal
  | PostponeProposal
  | HandOverFacilitation;

export type CommandType = Command['type'];

// ---------------------------------------------------------------- events

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
  | FacilitationHandedOver;

export type EventType = Event['type'];
