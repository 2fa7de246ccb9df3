// Commands: everything someone can ask the core to do. Plain JSON, as they arrive from forms.

import type { FormalActKind, IsoDate, IsoDateTime, Motivation, PersonId, Ruling, ValiditySetId } from './states.ts';

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
  /** The decision this proposal revises, when opened with « Réviser » from the register. */
  revises?: string;
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
  /** Omitted: the ruling the answers lead to. Against the answers, only with `rulingReason`. */
  ruling?: Ruling;
  /** Why the facilitator rules against the answers; recorded with the ruling. */
  rulingReason?: string;
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
/** The register: make a decision readable without signing in. */
export interface PublishDecision extends CommandBase {
  type: 'PublishDecision';
}
/** The register: link the délibération or arrêté that made an adopted decision formal (or correct it). */
export interface RecordFormalAct extends CommandBase {
  type: 'RecordFormalAct';
  kind: FormalActKind;
  number: string;
  date: IsoDate;
  reference: string;
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
  | HandOverFacilitation
  | PublishDecision
  | RecordFormalAct;

export type CommandType = Command['type'];

/** The command of one type, e.g. `CommandOf<'Pass'>`. */
export type CommandOf<K extends CommandType> = Extract<Command, { type: K }>;
