// Handlers for testing objections and integrating the valid ones: the facilitator rules, the
// proposer amends, the objector and the proposer confirm, or the objection ends another way.

import type { CommandOf } from '../commands.ts';
import type { Event } from '../events.ts';
import type { IntegrationState, Objection } from '../states.ts';
import { rulingOfAnswers, VALIDITY_SETS } from '../validity.ts';
import { by, ensure, inStage, isIsoDate, objectionOfRound, requireFacilitator, requireProposer, requireSpeaker, type Handlers } from './guards.ts';
import { afterOutcome, afterTestStep } from './transitions.ts';

export const integrationHandlers = {
  TestObjection: (state, c) => {
    const p = inStage(state, 'testing');
    requireFacilitator(p, c);
    const objection = objectionOfRound(p, c.objectionId);
    ensure(objection.ruling === null && objection.outcome === null, 'ALREADY_RULED');
    const questionIds = VALIDITY_SETS[p.validitySet].questions.map((q) => q.id);
    const answered = Object.keys(c.answers);
    ensure(
      answered.every((id) => questionIds.includes(id)),
      'UNKNOWN_VALIDITY_QUESTION',
    );
    ensure(
      questionIds.every((id) => typeof c.answers[id] === 'boolean'),
      'INCOMPLETE_TEST',
    );
    // Copy the answers in the set's order so that the stored event is canonical.
    const answers = Object.fromEntries(questionIds.map((id) => [id, c.answers[id] === true]));
    // The ruling follows from the answers; the facilitator may depart from it with a written reason.
    const expected = rulingOfAnswers(VALIDITY_SETS[p.validitySet], answers);
    const ruling = c.ruling ?? expected;
    const reason = c.rulingReason?.trim() ?? '';
    ensure(ruling === expected || reason !== '', 'RULING_NEEDS_REASON');
    const tested: Event = { type: 'ObjectionTested', ...by(c), objectionId: objection.id, answers, ruling, ...(reason ? { rulingReason: reason } : {}) };
    return afterTestStep(p, tested, c);
  },

  ConfirmObjectionLifted: (state, c) => {
    const p = inStage(state, 'integration');
    const objection = objectionOfRound(p, c.objectionId);
    requireSpeaker(p, c, objection.objectorId, 'NOT_OBJECTOR');
    requireConfirmable(p, objection, p.current.liftConfirmed);
    const confirmed: Event = { type: 'ObjectionLiftConfirmed', ...by(c), objectionId: objection.id };
    return p.current.tensionConfirmed ? integrated(p, c, confirmed) : [confirmed];
  },

  ConfirmTensionAnswered: (state, c) => {
    const p = inStage(state, 'integration');
    const objection = objectionOfRound(p, c.objectionId);
    requireProposer(p, c);
    requireConfirmable(p, objection, p.current.tensionConfirmed);
    const confirmed: Event = { type: 'TensionAnswerConfirmed', ...by(c), objectionId: objection.id };
    return p.current.liftConfirmed ? integrated(p, c, confirmed) : [confirmed];
  },

  WithdrawObjection: (state, c) => {
    const p = inStage(state, 'testing', 'integration');
    const objection = objectionOfRound(p, c.objectionId);
    requireSpeaker(p, c, objection.objectorId, 'NOT_OBJECTOR');
    ensure(objection.outcome === null, 'OBJECTION_CLOSED');
    const withdrawn: Event = { type: 'ObjectionWithdrawn', ...by(c), objectionId: objection.id };
    return p.stage === 'testing' ? afterTestStep(p, withdrawn, c) : afterOutcome(p, c, withdrawn);
  },

  DeferObjection: (state, c) => {
    const p = inStage(state, 'integration');
    requireFacilitator(p, c);
    const objection = objectionOfRound(p, c.objectionId);
    ensure(objection.outcome === null, 'OBJECTION_CLOSED');
    ensure(isIsoDate(c.followUpDate), 'INVALID_DATE');
    return afterOutcome(p, c, { type: 'ObjectionDeferred', ...by(c), objectionId: objection.id, followUpDate: c.followUpDate });
  },
} satisfies Partial<Handlers>;

/** A confirmation counts for the objection being integrated, once amended, and only once. */
function requireConfirmable(p: IntegrationState, objection: Objection, alreadyConfirmed: boolean): void {
  ensure(p.current.objectionId === objection.id, 'NOT_CURRENT_OBJECTION');
  ensure(p.current.amendedInVersion !== null, 'NOT_AMENDED');
  ensure(!alreadyConfirmed, 'ALREADY_CONFIRMED');
}

/** The second confirmation integrates the objection. */
function integrated(p: IntegrationState, c: CommandOf<'ConfirmObjectionLifted' | 'ConfirmTensionAnswered'>, confirmed: Event): Event[] {
  return afterOutcome(p, c, confirmed, { type: 'ObjectionIntegrated', ...by(c), objectionId: p.current.objectionId });
}
