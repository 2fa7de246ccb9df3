// The consent process as data: the state of a proposal, one variant per stage.
// Everything here is plain JSON so that states can be snapshotted. Persons are opaque ids:
// names never enter the record.

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
  'draft' | 'presentation' | 'clarification' | 'reactions' | 'amendment' | 'objections' | 'testing' | 'integration' | 'adopted' | 'withdrawn' | 'postponed';

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
  { kind: 'answered'; text: string; at: IsoDateTime; recordedBy?: PersonId } | { kind: 'declined'; reason?: string; at: IsoDateTime; recordedBy?: PersonId };

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

export type ObjectionOutcome = 'integrated' | 'withdrawn' | 'not_valid' | 'deferred' | 'proposal_withdrawn' | 'proposal_postponed';

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
  /** The facilitator's written reason for the ruling, when given (required against the answers). */
  rulingReason?: string;
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
  /** The decision this proposal revises (« Réviser » in the register); absent otherwise. */
  revises?: string;
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
/** The formal act (délibération or arrêté) that made an advisory decision binding. */
export type FormalActKind = 'deliberation' | 'arrete';
export interface FormalAct {
  kind: FormalActKind;
  /** Its number, as the authority numbers it (« 2027-045 »). */
  number: string;
  date: IsoDate;
  /** A link to it, or where to find it (« registre des délibérations, p. 12 »); may be empty. */
  reference: string;
  recordedAt: IsoDateTime;
  recordedBy: PersonId;
}
/** Made readable without signing in (/decisions-publiques). */
export interface Publication {
  at: IsoDateTime;
  by: PersonId;
}
/**
 * What the register adds to a decision once taken, each by an event of its chain. Absent until
 * it happens, so the states of decisions taken before these events existed are unchanged.
 */
export interface RegisterFacts {
  publication?: Publication;
  /** Adopted decisions only: the last formal act recorded (a correction is a new event). */
  formalAct?: FormalAct;
}

export interface AdoptedState extends ProposalBase, RegisterFacts {
  stage: 'adopted';
  decision: DecisionRecord;
}
export interface ClosedInfo {
  from: LiveStage;
  at: IsoDateTime;
  by: PersonId;
  reason: string | null;
}
export interface WithdrawnState extends ProposalBase, RegisterFacts {
  stage: 'withdrawn';
  closed: ClosedInfo;
}
export interface PostponedState extends ProposalBase, RegisterFacts {
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
