// Errors, validity sets and the event log's integrity: the data the rest of the app relies on.

import { describe, expect, it } from 'vitest';
import {
  DomainError,
  ERROR_CODES,
  VALIDITY_SETS,
  assertNever,
  decide,
  evolve,
  fold,
  initialState,
  isDomainError,
  isValiditySetId,
  openRound,
  type Event,
} from '../../src/consent/index.ts';
import { ALICE, FACILITATOR, PROPOSER, T, at, command } from './fixtures.ts';

describe('domain errors', () => {
  it('when a command is refused, then the error carries its code and parameters, and no sentence', () => {
    const error = decide(initialState, command('Present', FACILITATOR, {}));
    expect(isDomainError(error)).toBe(true);
    expect(error).toMatchObject({ name: 'DomainError', code: 'NO_PROPOSAL', params: {}, message: 'NO_PROPOSAL' });
    expect(Object.keys(error as object).sort()).toEqual(['code', 'name', 'params']);
  });

  it('when every code is turned into an error, then each keeps its code and the parameters given', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) {
      const error = new DomainError(code);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.message).toBe(code);
      expect(error.params).toEqual({});
    }
    expect(new DomainError('INVALID_POSITION', { max: 5 }).params).toEqual({ max: 5 });
  });

  it('when something else than a domain error is checked, then the guard says no', () => {
    expect(isDomainError(new Error('x'))).toBe(false);
    expect(isDomainError({ code: 'WRONG_STAGE' })).toBe(false);
  });

  it('when an impossible value reaches an exhaustive switch, then it throws', () => {
    expect(() => assertNever('oops' as never)).toThrow('Unexpected value: "oops"');
  });

  it('when input escapes the types (an unknown command, motivation kind or stage), then the core throws instead of guessing', () => {
    expect(() => decide(fold(at.draft()), { type: 'Nope', at: T, actorId: ALICE } as never)).toThrow('Unexpected value');
    expect(() => decide(fold(at.draft()), { type: 'toString', at: T, actorId: ALICE } as never)).toThrow('Unexpected value');
    const amend = command('AmendProposal', PROPOSER, { text: 'Autre', changeNote: 'x', motivatedBy: [{ kind: 'nope', id: 'x' } as never] });
    expect(() => decide(fold(at.amendment()), amend)).toThrow('Unexpected value');
    expect(() => openRound({ ...fold(at.draft()), stage: 'limbo' } as never)).toThrow('Unexpected value');
  });

  it('when an evolve bug is not a domain error, then decide does not swallow it', () => {
    const broken = { ...fold(at.testing()), objectionRound: undefined } as never;
    expect(() => decide(broken, command('TestObjection', FACILITATOR, { objectionId: 'o1', answers: {}, ruling: 'valid' }))).toThrow(TypeError);
  });
});

describe('validity question sets', () => {
  it('when the sets are listed, then the three shipped sets are there with bilingual questions', () => {
    expect(Object.keys(VALIDITY_SETS)).toEqual(['holacracy', 's3', 'importante_argumentee']);
    expect(VALIDITY_SETS.holacracy.questions).toHaveLength(4);
    expect(VALIDITY_SETS.importante_argumentee.questions.map((q) => q.fr)).toEqual(['L’objection est-elle importante\u202f?', 'Est-elle argumentée\u202f?']);
    for (const set of Object.values(VALIDITY_SETS)) {
      expect(set.label.fr && set.label.en).toBeTruthy();
      expect(new Set(set.questions.map((q) => q.id)).size).toBe(set.questions.length);
      for (const q of set.questions) expect(q.fr && q.en).toBeTruthy();
    }
  });

  it('when an id comes from a form, then only shipped set ids are recognised', () => {
    expect(isValiditySetId('s3')).toBe(true);
    expect(isValiditySetId('toString')).toBe(false);
  });
});

describe('replaying the log', () => {
  it('when the log is folded with no snapshot, then it starts from the initial state', () => {
    const events = at.integration();
    expect(fold(events)).toEqual(fold(events, initialState));
    expect(fold([])).toBe(initialState);
  });

  it('when a log is folded from a snapshot, then it continues from there', () => {
    const events = at.testing();
    const snapshot = fold(events.slice(0, 5));
    expect(fold(events.slice(5), snapshot)).toEqual(fold(events));
  });

  const created = at.draft();
  const corrupt: [string, Event[]][] = [
    ['a second creation', [...created, ...created]],
    ['an event before creation', [{ type: 'ProposalPresented', at: T, actorId: FACILITATOR }]],
    ['an event of another stage', [...created, { type: 'ReactionGiven', at: T, actorId: ALICE, reactionId: 'r', text: 'x' }]],
    ...(
      [
        { type: 'ParticipantSkipped', at: T, actorId: FACILITATOR, personId: ALICE, reason: 'absent' },
        { type: 'NoObjectionDeclared', at: T, actorId: ALICE },
        { type: 'ObjectionRaised', at: T, actorId: ALICE, objectionId: 'o9', reasoning: 'x' },
        { type: 'ConcernRecorded', at: T, actorId: ALICE, concernId: 'c9', text: 'x' },
        { type: 'ObjectionTestingStarted', at: T, actorId: FACILITATOR, roundNumber: 2 },
      ] as Event[]
    ).map((e): [string, Event[]] => [`${e.type} with no objection round open`, [...at.objectionsAwaitingRound(), e]]),
  ];

  it.each(corrupt)('when a log contains %s, then folding refuses it as corrupt', (_, events) => {
    expect(() => fold(events)).toThrow(/Corrupt event log/);
  });

  it('when an unknown event type is met, then evolve refuses it', () => {
    expect(() => evolve(fold(created), { type: 'Nope', at: T, actorId: ALICE } as never)).toThrow('Unexpected value');
    expect(() => evolve(fold(created), { type: 'toString', at: T, actorId: ALICE } as never)).toThrow('Unexpected value');
  });
});
