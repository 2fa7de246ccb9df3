// decide(state, command) → events | DomainError. This is where the method is enforced:
// stage, permission, turn, then content. A refused command produces no event.

import { DomainError, assertNever, type ErrorCode } from './errors.ts';
import { LIVE_STAGES, currentVersion, evolve } from './evolve.ts';
import type {
  AmendProposal,
  ClarificationState,
  Command,
  CreateProposal,
  DecisionConcern,
  Event,
  IntegrationState,
  Motivation,
  ObjectionsState,
  Proposal,
  PersonId,
  ProposalAdopted,
  Round,
  Stage,
  State,
  TestObjection,
  TestingState,
} from './types.ts';
import { VALIDITY_SETS, isValiditySetId } from './validity.ts';

/** Decides what happens when `command` is issued in `state`: the resulting events, or why not. */
export function decide(state: State, command: Command): Event[] | DomainError {
  try {
    return handle(state, command);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

function handle(state: State, c: Command): Event[] {
  if (c.type === 'CreateProposal') return createProposal(state, c);
  ensure(state !== null, 'NO_PROPOSAL');

  switch (c.type) {
    case 'Present': {
      const p = inStage(state, 'draft');
      ensure(c.actorId === p.actingFacilitatorId || c.actorId === p.proposerId, 'NOT_ALLOWED');
      return [{ type: 'ProposalPresented', ...by(c) }];
    }

    case 'StartClarificationRound': {
      const p = inStage(state, 'presentation');
      requireFacilitator(p, c);
      const order = roundOrder(c.participants, p.proposerId);
      return [{ type: 'ClarificationRoundStarted', ...by(c), roundNumber: nextRoundNumber(p, 'clarification'), order }];
    }

    case 'AskQuestion': {
      const p = clarifying(state);
      takeTurn(p, p.round, c);
      requireText(c.text);
      ensure(!p.questions.some((q) => q.id === c.questionId), 'DUPLICATE_ID');
      return [{ type: 'QuestionAsked', ...by(c), questionId: c.questionId, text: c.text }];
    }

    case 'AnswerQuestion':
    case 'DeclineQuestion': {
      const p = inStage(state, 'clarification');
      requireProposer(p, c);
      ensure(p.pendingQuestionId === c.questionId, 'UNKNOWN_QUESTION');
      if (c.type === 'DeclineQuestion') {
        return [
          { type: 'QuestionDeclined', ...by(c), questionId: c.questionId, ...(c.reason === undefined ? {} : { reason: c.reason }) },
        ];
      }
      requireText(c.answer);
      return [{ type: 'QuestionAnswered', ...by(c), questionId: c.questionId, answer: c.answer }];
    }

    case 'Pass': {
      // Passing is a turn of its own in the two discussion rounds; in the objection round
      // everyone must take a position, so a pass would hide a silent objection.
      ensure(state.stage !== 'objections', 'POSITION_REQUIRED');
      const p = state.stage === 'clarification' ? clarifying(state) : inStage(state, 'reactions');
      takeTurn(p, p.round, c);
      return [{ type: 'TurnPassed', ...by(c) }];
    }

    case 'SkipParticipant': {
      const p = inStage(state, 'clarification', 'reactions', 'objections');
      requireFacilitator(p, c);
      if (p.stage === 'clarification') ensure(p.pendingQuestionId === null, 'QUESTION_PENDING');
      const round = p.stage === 'objections' ? activeRound(p) : p.round;
      ensure(round.turnIndex < round.order.length, 'ROUND_COMPLETE');
      ensure(round.order[round.turnIndex] === c.personId, 'NOT_CURRENT_TURN');
      const event: Event = { type: 'ParticipantSkipped', ...by(c), personId: c.personId, reason: c.reason };
      return p.stage === 'objections' ? withObjectionRoundEnd(p, event) : [event];
    }

    case 'StartReactionRound': {
      const p = clarifying(state);
      requireFacilitator(p, c);
      requireComplete(p.round);
      const order = roundOrder(c.participants, p.proposerId);
      return [{ type: 'ReactionRoundStarted', ...by(c), roundNumber: nextRoundNumber(p, 'reaction'), order }];
    }

    case 'React': {
      const p = inStage(state, 'reactions');
      takeTurn(p, p.round, c);
      requireText(c.text);
      ensure(!p.reactions.some((r) => r.id === c.reactionId), 'DUPLICATE_ID');
      return [{ type: 'ReactionGiven', ...by(c), reactionId: c.reactionId, text: c.text }];
    }

    case 'StartAmendment': {
      const p = inStage(state, 'reactions');
      requireFacilitator(p, c);
      requireComplete(p.round);
      return [{ type: 'AmendmentStarted', ...by(c) }];
    }

    case 'AmendProposal':
      return amend(inStage(state, 'amendment', 'integration'), c);

    case 'KeepProposal': {
      const p = inStage(state, 'amendment');
      requireProposer(p, c);
      ensure(p.proposerDecision !== 'kept', 'ALREADY_DECIDED');
      return [{ type: 'ProposalKept', ...by(c), versionNumber: currentVersion(p).number }];
    }

    case 'StartObjectionRound': {
      const p = inStage(state, 'amendment', 'objections');
      requireFacilitator(p, c);
      if (p.stage === 'amendment') ensure(p.proposerDecision !== null, 'PROPOSER_UNDECIDED');
      else ensure(p.round === null, 'ROUND_IN_PROGRESS');
      // The proposer takes a position too: no exclusion in the objection round.
      const order = roundOrder(c.participants, null);
      return [
        {
          type: 'ObjectionRoundStarted',
          ...by(c),
          roundNumber: nextRoundNumber(p, 'objection'),
          versionNumber: currentVersion(p).number,
          order,
        },
      ];
    }

    case 'DeclareNoObjection': {
      const p = inStage(state, 'objections');
      takeTurn(p, activeRound(p), c);
      return withObjectionRoundEnd(p, { type: 'NoObjectionDeclared', ...by(c) });
    }

    case 'RaiseObjection': {
      const p = inStage(state, 'objections');
      takeTurn(p, activeRound(p), c);
      requireText(c.reasoning);
      ensure(!p.objections.some((o) => o.id === c.objectionId), 'DUPLICATE_ID');
      return withObjectionRoundEnd(p, { type: 'ObjectionRaised', ...by(c), objectionId: c.objectionId, reasoning: c.reasoning });
    }

    case 'RecordConcern': {
      const p = inStage(state, 'objections');
      takeTurn(p, activeRound(p), c);
      requireText(c.text);
      ensure(!p.concerns.some((x) => x.id === c.concernId), 'DUPLICATE_ID');
      return withObjectionRoundEnd(p, { type: 'ConcernRecorded', ...by(c), concernId: c.concernId, text: c.text });
    }

    case 'TestObjection':
      return testObjection(inStage(state, 'testing'), c);

    case 'ConfirmObjectionLifted':
    case 'ConfirmTensionAnswered': {
      const p = inStage(state, 'integration');
      const objection = objectionOfRound(p, c.objectionId);
      const lift = c.type === 'ConfirmObjectionLifted';
      if (lift) ensure(speakerOf(p, c) === objection.objectorId, 'NOT_OBJECTOR');
      else requireProposer(p, c);
      ensure(p.current.objectionId === objection.id, 'NOT_CURRENT_OBJECTION');
      ensure(p.current.amendedInVersion !== null, 'NOT_AMENDED');
      ensure(!(lift ? p.current.liftConfirmed : p.current.tensionConfirmed), 'ALREADY_CONFIRMED');
      const confirmed: Event = lift
        ? { type: 'ObjectionLiftConfirmed', ...by(c), objectionId: objection.id }
        : { type: 'TensionAnswerConfirmed', ...by(c), objectionId: objection.id };
      const bothConfirmed = lift ? p.current.tensionConfirmed : p.current.liftConfirmed;
      if (!bothConfirmed) return [confirmed];
      return afterOutcome(p, [confirmed, { type: 'ObjectionIntegrated', ...by(c), objectionId: objection.id }], c);
    }

    case 'WithdrawObjection': {
      const p = inStage(state, 'testing', 'integration');
      const objection = objectionOfRound(p, c.objectionId);
      ensure(speakerOf(p, c) === objection.objectorId, 'NOT_OBJECTOR');
      ensure(objection.outcome === null, 'OBJECTION_CLOSED');
      const withdrawn: Event = { type: 'ObjectionWithdrawn', ...by(c), objectionId: objection.id };
      return p.stage === 'testing' ? afterTestStep(p, withdrawn, c) : afterOutcome(p, [withdrawn], c);
    }

    case 'DeferObjection': {
      const p = inStage(state, 'integration');
      requireFacilitator(p, c);
      const objection = objectionOfRound(p, c.objectionId);
      ensure(objection.outcome === null, 'OBJECTION_CLOSED');
      ensure(isIsoDate(c.followUpDate), 'INVALID_DATE');
      return afterOutcome(
        p,
        [{ type: 'ObjectionDeferred', ...by(c), objectionId: objection.id, followUpDate: c.followUpDate }],
        c,
      );
    }

    case 'WithdrawProposal': {
      const p = inStage(state, ...LIVE_STAGES);
      requireProposer(p, c);
      return [
        {
          type: 'ProposalWithdrawn',
          ...by(c),
          ...(c.reason === undefined ? {} : { reason: c.reason }),
          closedObjectionIds: openObjectionIds(p),
        },
      ];
    }

    case 'PostponeProposal': {
      const p = inStage(state, ...LIVE_STAGES);
      requireFacilitator(p, c);
      return [
        {
          type: 'ProposalPostponed',
          ...by(c),
          ...(c.reason === undefined ? {} : { reason: c.reason }),
          closedObjectionIds: openObjectionIds(p),
        },
      ];
    }

    case 'HandOverFacilitation': {
      const p = inStage(state, ...LIVE_STAGES);
      requireFacilitator(p, c);
      ensure(p.secretaryId !== null, 'NO_SECRETARY');
      ensure(p.actingFacilitatorId !== p.secretaryId, 'ALREADY_FACILITATING');
      return [{ type: 'FacilitationHandedOver', ...by(c), toPersonId: p.secretaryId }];
    }

    default:
      return assertNever(c);
  }
}

// ---------------------------------------------------------------- commands with more to say

function createProposal(state: State, c: CreateProposal): Event[] {
  ensure(state === null, 'ALREADY_EXISTS');
  for (const text of [c.title, c.tension, c.text]) requireText(text);
  ensure(isValiditySetId(c.validitySet), 'UNKNOWN_VALIDITY_SET');
  ensure(c.reviewDate === null || isIsoDate(c.reviewDate), 'INVALID_DATE');
  return [
    {
      type: 'ProposalCreated',
      at: c.at,
      actorId: c.actorId,
      proposalId: c.proposalId,
      proposerId: c.proposerId,
      facilitatorId: c.facilitatorId,
      secretaryId: c.secretaryId,
      title: c.title,
      tension: c.tension,
      text: c.text,
      criteria: c.criteria,
      reviewDate: c.reviewDate,
      validitySet: c.validitySet,
    },
  ];
}

function amend(p: Extract<Proposal, { stage: 'amendment' | 'integration' }>, c: AmendProposal): Event[] {
  // Only the proposer changes the text; the secretary may type it for them, nobody else.
  if (isOnBehalf(c)) ensure(c.actorId === p.secretaryId, 'NOT_ALLOWED');
  ensure(speakerOf(p, c) === p.proposerId, 'NOT_PROPOSER');
  requireText(c.text);
  requireText(c.changeNote);
  ensure(c.text !== currentVersion(p).text, 'TEXT_UNCHANGED');
  ensure(c.motivatedBy.every((m) => isKnownMotivation(p, m)), 'UNKNOWN_REFERENCE');
  // During integration every amendment answers the objection being integrated.
  const motivatedBy =
    p.stage === 'integration' && !c.motivatedBy.some((m) => m.kind === 'objection' && m.id === p.current.objectionId)
      ? [...c.motivatedBy, { kind: 'objection' as const, id: p.current.objectionId }]
      : c.motivatedBy;
  return [
    {
      type: 'ProposalAmended',
      ...by(c),
      versionNumber: currentVersion(p).number + 1,
      text: c.text,
      changeNote: c.changeNote,
      motivatedBy,
    },
  ];
}

function testObjection(p: TestingState, c: TestObjection): Event[] {
  requireFacilitator(p, c);
  const objection = objectionOfRound(p, c.objectionId);
  ensure(objection.ruling === null && objection.outcome === null, 'ALREADY_RULED');
  const questionIds = VALIDITY_SETS[p.validitySet].questions.map((q) => q.id);
  const answered = Object.keys(c.answers);
  ensure(answered.every((id) => questionIds.includes(id)), 'UNKNOWN_VALIDITY_QUESTION');
  ensure(questionIds.every((id) => typeof c.answers[id] === 'boolean'), 'INCOMPLETE_TEST');
  // Copy the answers in the set's order so that the stored event is canonical.
  const answers = Object.fromEntries(questionIds.map((id) => [id, c.answers[id] === true]));
  return afterTestStep(p, { type: 'ObjectionTested', ...by(c), objectionId: objection.id, answers, ruling: c.ruling }, c);
}

// ---------------------------------------------------------------- transitions that follow a turn

/** The last turn of an objection round also ends it: adopted if nobody objected, else testing. */
function withObjectionRoundEnd(p: ObjectionsState, event: Event): Event[] {
  const next = evolve(p, event) as ObjectionsState;
  const round = next.round as Round;
  if (round.turnIndex < round.order.length) return [event];
  const raised = next.objections.some((o) => o.round === round.number);
  return [
    event,
    raised
      ? { type: 'ObjectionTestingStarted', at: event.at, actorId: event.actorId, roundNumber: round.number }
      : adoption(next, round, event),
  ];
}

/** Once every objection of the round is ruled on (or withdrawn), integrate the valid ones or adopt. */
function afterTestStep(p: TestingState, event: Event, c: Command): Event[] {
  const next = evolve(p, event) as TestingState;
  const ofRound = next.objections.filter((o) => o.round === next.objectionRound.number);
  if (ofRound.some((o) => o.ruling === null && o.outcome === null)) return [event];
  const firstValid = ofRound.find((o) => o.outcome === null);
  if (firstValid !== undefined) {
    return [event, { type: 'ObjectionIntegrationStarted', at: c.at, actorId: c.actorId, objectionId: firstValid.id }];
  }
  // Every objection has an outcome and the text cannot change during testing.
  return [event, adoption(next, next.objectionRound, c)];
}

/** After an objection's outcome: move to the next valid one, or leave integration. */
function afterOutcome(p: IntegrationState, events: Event[], c: Command): Event[] {
  const next = events.reduce<State>(evolve, p) as IntegrationState;
  const open = next.objections.find((o) => o.round === next.objectionRound.number && o.outcome === null);
  if (open !== undefined) {
    return open.id === next.current.objectionId
      ? events
      : [...events, { type: 'ObjectionIntegrationStarted', at: c.at, actorId: c.actorId, objectionId: open.id }];
  }
  const version = currentVersion(next).number;
  if (version > next.objectionRound.versionNumber) {
    // The text changed: consent must be sought again on the new version.
    return [...events, { type: 'IntegrationCompleted', at: c.at, actorId: c.actorId, versionNumber: version }];
  }
  return [...events, adoption(next, next.objectionRound, c)];
}

function adoption(p: Proposal, round: Round, cause: { at: string; actorId: PersonId }): ProposalAdopted {
  const concerns: DecisionConcern[] = [
    ...p.concerns.map((x) => ({
      id: x.id,
      source: 'concern' as const,
      personId: x.personId,
      text: x.text,
      versionNumber: x.versionNumber,
    })),
    ...p.objections
      .filter((o) => o.outcome === 'not_valid')
      .map((o) => ({
        id: o.id,
        source: 'objection_not_valid' as const,
        personId: o.objectorId,
        text: o.reasoning,
        versionNumber: o.versionNumber,
      })),
  ];
  return {
    type: 'ProposalAdopted',
    at: cause.at,
    actorId: cause.actorId,
    versionNumber: currentVersion(p).number,
    reviewDate: p.reviewDate,
    criteria: p.criteria,
    concerns,
    presentIds: round.turns.filter((t) => t.action.kind !== 'skipped').map((t) => t.personId),
  };
}

// ---------------------------------------------------------------- guards

function ensure(condition: boolean, code: ErrorCode): asserts condition {
  if (!condition) throw new DomainError(code);
}

function inStage<S extends Stage>(p: Proposal, ...stages: readonly S[]): Extract<Proposal, { stage: S }> {
  ensure((stages as readonly Stage[]).includes(p.stage), 'WRONG_STAGE');
  return p as Extract<Proposal, { stage: S }>;
}

function clarifying(state: Proposal): ClarificationState {
  const p = inStage(state, 'clarification');
  ensure(p.pendingQuestionId === null, 'QUESTION_PENDING');
  return p;
}

function activeRound(p: ObjectionsState): Round {
  ensure(p.round !== null, 'NO_ACTIVE_ROUND');
  return p.round;
}

function requireComplete(round: Round): void {
  ensure(round.turnIndex === round.order.length, 'ROUND_INCOMPLETE');
}

function requireFacilitator(p: Proposal, c: { actorId: PersonId }): void {
  ensure(c.actorId === p.actingFacilitatorId, 'NOT_FACILITATOR');
}

function requireProposer(p: Proposal, c: Actor): void {
  ensure(speakerOf(p, c) === p.proposerId, 'NOT_PROPOSER');
}

function requireText(text: string): void {
  ensure(text.trim() !== '', 'EMPTY_TEXT');
}

/** Fixes a round's order from the people present; the proposer is left out where the stage says so. */
function roundOrder(participants: readonly PersonId[], excluded: PersonId | null): PersonId[] {
  ensure(new Set(participants).size === participants.length, 'DUPLICATE_PARTICIPANT');
  const order = participants.filter((id) => id !== excluded);
  ensure(order.length > 0, 'EMPTY_ROUND');
  return order;
}

function nextRoundNumber(p: Proposal, kind: Round['kind']): number {
  return p.pastRounds.filter((r) => r.kind === kind).length + 1;
}

/** Checks that the speaker holds the floor; refusals say why (not in the round, spoken, wait). */
function takeTurn(p: Proposal, round: Round, c: Actor): void {
  ensure(round.turnIndex < round.order.length, 'ROUND_COMPLETE');
  const position = round.order.indexOf(speakerOf(p, c));
  ensure(position >= 0, 'NOT_IN_ROUND');
  ensure(position >= round.turnIndex, 'ALREADY_SPOKEN');
  ensure(position === round.turnIndex, 'NOT_YOUR_TURN');
}

function objectionOfRound(p: TestingState | IntegrationState, id: string) {
  const objection = p.objections.find((o) => o.id === id && o.round === p.objectionRound.number);
  ensure(objection !== undefined, 'UNKNOWN_OBJECTION');
  return objection;
}

function openObjectionIds(p: Proposal): string[] {
  return p.objections.filter((o) => o.outcome === null).map((o) => o.id);
}

function isKnownMotivation(p: Proposal, m: Motivation): boolean {
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
function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}

// ---------------------------------------------------------------- who is acting

interface Actor {
  at: string;
  actorId: PersonId;
  onBehalfOf?: PersonId;
}

function isOnBehalf(c: Actor): c is Actor & { onBehalfOf: PersonId } {
  return c.onBehalfOf !== undefined && c.onBehalfOf !== c.actorId;
}

/**
 * The person a command speaks for. Recording for someone else ("saisi pour …") is reserved
 * to the acting facilitator and the secretary.
 */
function speakerOf(p: Proposal, c: Actor): PersonId {
  if (!isOnBehalf(c)) return c.actorId;
  ensure(c.actorId === p.actingFacilitatorId || c.actorId === p.secretaryId, 'NOT_ALLOWED');
  return c.onBehalfOf;
}

/** Event envelope: `onBehalfOf` appears only when set, so events stay canonical JSON. */
function by(c: Actor): { at: string; actorId: PersonId; onBehalfOf?: PersonId } {
  return isOnBehalf(c) ? { at: c.at, actorId: c.actorId, onBehalfOf: c.onBehalfOf } : { at: c.at, actorId: c.actorId };
}
