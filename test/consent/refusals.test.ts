// Every command in every stage where it does not belong, and by people who may not issue it.

import { describe, expect, it } from 'vitest';
import { decide, fold, isDomainError, type Command, type CommandType, type ErrorCode } from '../../src/consent/index.ts';
import { ALICE, BOB, FACILITATOR, OK_ANSWERS, PROPOSER, STAGE_KEYS, STRANGER, V2, at, command, create, given, type StageKey } from './fixtures.ts';

/** A well-formed example of each command, issued by the person who may issue it. */
const SAMPLES: { [K in CommandType]: Extract<Command, { type: K }> } = {
  CreateProposal: create(),
  Present: command('Present', FACILITATOR, {}),
  StartClarificationRound: command('StartClarificationRound', FACILITATOR, { participants: [ALICE] }),
  AskQuestion: command('AskQuestion', ALICE, { questionId: 'qx', text: '?' }),
  AnswerQuestion: command('AnswerQuestion', PROPOSER, { questionId: 'qx', answer: 'Oui' }),
  DeclineQuestion: command('DeclineQuestion', PROPOSER, { questionId: 'qx' }),
  Pass: command('Pass', ALICE, {}),
  SkipParticipant: command('SkipParticipant', FACILITATOR, { personId: ALICE, reason: 'absent' }),
  StartReactionRound: command('StartReactionRound', FACILITATOR, { participants: [ALICE] }),
  React: command('React', ALICE, { reactionId: 'rx', text: 'Bien' }),
  StartAmendment: command('StartAmendment', FACILITATOR, {}),
  AmendProposal: command('AmendProposal', PROPOSER, { text: `${V2} !`, changeNote: 'x', motivatedBy: [] }),
  KeepProposal: command('KeepProposal', PROPOSER, {}),
  StartObjectionRound: command('StartObjectionRound', FACILITATOR, { participants: [ALICE] }),
  DeclareNoObjection: command('DeclareNoObjection', ALICE, {}),
  RaiseObjection: command('RaiseObjection', ALICE, { objectionId: 'ox', reasoning: 'Non' }),
  RecordConcern: command('RecordConcern', ALICE, { concernId: 'cx', text: 'Hum' }),
  TestObjection: command('TestObjection', FACILITATOR, { objectionId: 'o1', answers: OK_ANSWERS, ruling: 'valid' }),
  ConfirmObjectionLifted: command('ConfirmObjectionLifted', ALICE, { objectionId: 'o1' }),
  ConfirmTensionAnswered: command('ConfirmTensionAnswered', PROPOSER, { objectionId: 'o1' }),
  WithdrawObjection: command('WithdrawObjection', ALICE, { objectionId: 'o1' }),
  DeferObjection: command('DeferObjection', FACILITATOR, { objectionId: 'o1', followUpDate: '2025-06-30' }),
  WithdrawProposal: command('WithdrawProposal', PROPOSER, {}),
  PostponeProposal: command('PostponeProposal', FACILITATOR, {}),
  HandOverFacilitation: command('HandOverFacilitation', FACILITATOR, {}),
  PublishDecision: command('PublishDecision', FACILITATOR, {}),
  RecordFormalAct: command('RecordFormalAct', FACILITATOR, { kind: 'deliberation', number: '2027-045', date: '2027-01-20', reference: '' }),
};

const LIVE: StageKey[] = [
  'draft',
  'presentation',
  'clarification',
  'reactions',
  'amendment',
  'objections',
  'testing',
  'integration',
  'objectionsAwaitingRound',
];

/** Where each command belongs; elsewhere it is refused with WRONG_STAGE unless SPECIAL says otherwise. */
const BELONGS: { [K in CommandType]: StageKey[] } = {
  CreateProposal: [],
  Present: ['draft'],
  StartClarificationRound: ['presentation'],
  AskQuestion: ['clarification'],
  AnswerQuestion: ['clarification'],
  DeclineQuestion: ['clarification'],
  Pass: ['clarification', 'reactions'],
  SkipParticipant: ['clarification', 'reactions', 'objections'],
  StartReactionRound: ['clarification'],
  React: ['reactions'],
  StartAmendment: ['reactions'],
  AmendProposal: ['amendment', 'integration'],
  KeepProposal: ['amendment'],
  StartObjectionRound: ['amendment', 'objections', 'objectionsAwaitingRound'],
  DeclareNoObjection: ['objections'],
  RaiseObjection: ['objections'],
  RecordConcern: ['objections'],
  TestObjection: ['testing'],
  ConfirmObjectionLifted: ['integration'],
  ConfirmTensionAnswered: ['integration'],
  WithdrawObjection: ['testing', 'integration'],
  DeferObjection: ['integration'],
  WithdrawProposal: LIVE,
  PostponeProposal: LIVE,
  HandOverFacilitation: LIVE,
  PublishDecision: ['adopted', 'withdrawn', 'postponed'],
  RecordFormalAct: ['adopted'],
};

/** Refusals more precise than WRONG_STAGE. */
const SPECIAL: Partial<Record<CommandType, Partial<Record<StageKey, ErrorCode>>>> = {
  CreateProposal: Object.fromEntries(STAGE_KEYS.map((k) => [k, 'ALREADY_EXISTS'])),
  Pass: { objections: 'POSITION_REQUIRED', objectionsAwaitingRound: 'POSITION_REQUIRED' },
  SkipParticipant: { objectionsAwaitingRound: 'NO_ACTIVE_ROUND' },
  DeclareNoObjection: { objectionsAwaitingRound: 'NO_ACTIVE_ROUND' },
  RaiseObjection: { objectionsAwaitingRound: 'NO_ACTIVE_ROUND' },
  RecordConcern: { objectionsAwaitingRound: 'NO_ACTIVE_ROUND' },
};

const states = Object.fromEntries(STAGE_KEYS.map((k) => [k, fold(at[k]())])) as Record<StageKey, ReturnType<typeof fold>>;

const outOfStage = (Object.keys(SAMPLES) as CommandType[]).flatMap((type) =>
  STAGE_KEYS.filter((stage) => !BELONGS[type].includes(stage)).map((stage) => [type, stage, SPECIAL[type]?.[stage] ?? 'WRONG_STAGE'] as const),
);

describe('commands out of their stage', () => {
  it.each(outOfStage)('when %s is issued in stage %s, then it is refused with %s and nothing happens', (type, stage, code) => {
    const state = states[stage];
    const before = JSON.stringify(state);
    const result = decide(state, SAMPLES[type]);
    expect(isDomainError(result) && result.code).toBe(code);
    expect(JSON.stringify(state)).toBe(before);
  });
});

describe('commands in their stage but by the wrong person', () => {
  const cases: [string, StageKey, Command, ErrorCode][] = [
    ['a participant presents', 'draft', { ...SAMPLES.Present, actorId: ALICE }, 'NOT_ALLOWED'],
    ['the proposer starts clarification', 'presentation', { ...SAMPLES.StartClarificationRound, actorId: PROPOSER }, 'NOT_FACILITATOR'],
    ['a stranger asks', 'clarification', { ...SAMPLES.AskQuestion, actorId: STRANGER }, 'NOT_IN_ROUND'],
    ['the next participant asks first', 'clarification', { ...SAMPLES.AskQuestion, actorId: BOB }, 'NOT_YOUR_TURN'],
    ['a participant answers', 'clarification', { ...SAMPLES.AnswerQuestion, actorId: ALICE }, 'NOT_PROPOSER'],
    ['a participant declines', 'clarification', { ...SAMPLES.DeclineQuestion, actorId: ALICE }, 'NOT_PROPOSER'],
    ['a stranger passes', 'reactions', { ...SAMPLES.Pass, actorId: STRANGER }, 'NOT_IN_ROUND'],
    ['a participant skips someone', 'reactions', { ...SAMPLES.SkipParticipant, actorId: BOB }, 'NOT_FACILITATOR'],
    ['the proposer starts reactions', 'clarification', { ...SAMPLES.StartReactionRound, actorId: PROPOSER }, 'NOT_FACILITATOR'],
    ['the next participant reacts first', 'reactions', { ...SAMPLES.React, actorId: BOB }, 'NOT_YOUR_TURN'],
    ['the proposer starts amendment', 'reactions', { ...SAMPLES.StartAmendment, actorId: PROPOSER }, 'NOT_FACILITATOR'],
    ['the objector amends', 'integration', { ...SAMPLES.AmendProposal, actorId: ALICE }, 'NOT_PROPOSER'],
    ['the facilitator keeps', 'amendment', { ...SAMPLES.KeepProposal, actorId: FACILITATOR }, 'NOT_PROPOSER'],
    ['the proposer starts objections', 'objectionsAwaitingRound', { ...SAMPLES.StartObjectionRound, actorId: PROPOSER }, 'NOT_FACILITATOR'],
    ['the proposer declares first', 'objections', { ...SAMPLES.DeclareNoObjection, actorId: PROPOSER }, 'NOT_YOUR_TURN'],
    ['a stranger objects', 'objections', { ...SAMPLES.RaiseObjection, actorId: STRANGER }, 'NOT_IN_ROUND'],
    ['the next participant records a concern first', 'objections', { ...SAMPLES.RecordConcern, actorId: BOB }, 'NOT_YOUR_TURN'],
    ['the proposer rules', 'testing', { ...SAMPLES.TestObjection, actorId: PROPOSER }, 'NOT_FACILITATOR'],
    ['the proposer confirms the lift', 'integration', { ...SAMPLES.ConfirmObjectionLifted, actorId: PROPOSER }, 'NOT_OBJECTOR'],
    ['the objector confirms the tension', 'integration', { ...SAMPLES.ConfirmTensionAnswered, actorId: ALICE }, 'NOT_PROPOSER'],
    ['the facilitator withdraws the objection', 'integration', { ...SAMPLES.WithdrawObjection, actorId: FACILITATOR }, 'NOT_OBJECTOR'],
    ['the objector defers', 'integration', { ...SAMPLES.DeferObjection, actorId: ALICE }, 'NOT_FACILITATOR'],
    ['the facilitator withdraws the proposal', 'objections', { ...SAMPLES.WithdrawProposal, actorId: FACILITATOR }, 'NOT_PROPOSER'],
    ['the proposer postpones', 'testing', { ...SAMPLES.PostponeProposal, actorId: PROPOSER }, 'NOT_FACILITATOR'],
    ['the secretary hands over', 'draft', { ...SAMPLES.HandOverFacilitation, actorId: 'p-secretaire' }, 'NOT_FACILITATOR'],
    ['a participant records for another', 'objections', { ...SAMPLES.DeclareNoObjection, actorId: BOB, onBehalfOf: ALICE }, 'NOT_ALLOWED'],
  ];

  it.each(cases)('when %s, then it is refused', (_, stage, c, code) => {
    given(at[stage]()).when(c).then(code);
  });

  it('when the objection round is started with duplicates or nobody, then it is refused', () => {
    given(at.objectionsAwaitingRound())
      .when(command('StartObjectionRound', FACILITATOR, { participants: [ALICE, ALICE] }))
      .then('DUPLICATE_PARTICIPANT');
    given(at.objectionsAwaitingRound())
      .when(command('StartObjectionRound', FACILITATOR, { participants: [] }))
      .then('EMPTY_ROUND');
  });

  it('when the reaction round is started with nobody but the proposer, then it is refused', () => {
    const done = at.reactions().slice(0, -1);
    given(done)
      .when(command('StartReactionRound', FACILITATOR, { participants: [PROPOSER] }))
      .then('EMPTY_ROUND');
  });
});
