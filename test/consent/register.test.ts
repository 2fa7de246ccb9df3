// What the register adds to a decision, as events of its chain: publication and the formal act.

import { describe, expect, it } from 'vitest';
import { fold, type AdoptedState, type Event } from '../../src/consent/index.ts';
import { FACILITATOR, T, at, command, create, given } from './fixtures.ts';

const act = { kind: 'deliberation' as const, number: '2027-045', date: '2027-01-20', reference: 'https://mairie.example/deliberations/2027-045' };

describe('publishing a decision', () => {
  it.each(['adopted', 'withdrawn', 'postponed'] as const)('when a %s decision is published, then the event says who and when, and the stage stays', (stage) => {
    const state = given(at[stage]())
      .when(command('PublishDecision', FACILITATOR, {}))
      .then([{ type: 'DecisionPublished', at: T, actorId: FACILITATOR }]);
    expect(state.stage).toBe(stage);
    expect('publication' in state && state.publication).toEqual({ at: T, by: FACILITATOR });
  });

  it('when it is published twice, then the second is refused', () => {
    const history = [...at.adopted(), { type: 'DecisionPublished' as const, at: T, actorId: FACILITATOR }];
    given(history)
      .when(command('PublishDecision', FACILITATOR, {}))
      .then('ALREADY_PUBLISHED');
  });

  it('when a proposal still under discussion is published, then it is refused: only decisions are published', () => {
    given(at.objections())
      .when(command('PublishDecision', FACILITATOR, {}))
      .then('WRONG_STAGE');
  });

  it('when a decision was never published, then its state has no publication field at all (states stored before stay equal)', () => {
    expect(Object.keys(fold(at.adopted()) as object)).not.toContain('publication');
  });
});

describe('the formal act', () => {
  it('when the délibération is linked, then the decision records it with who recorded it and when', () => {
    const state = given(at.adopted())
      .when(command('RecordFormalAct', FACILITATOR, act))
      .then([{ type: 'FormalActRecorded', at: T, actorId: FACILITATOR, ...act }]) as AdoptedState;
    expect(state.formalAct).toEqual({ ...act, recordedAt: T, recordedBy: FACILITATOR });
  });

  it('when it is corrected, then the last act recorded holds', () => {
    const first = { type: 'FormalActRecorded' as const, at: T, actorId: FACILITATOR, ...act };
    const state = given([...at.adopted(), first])
      .when(command('RecordFormalAct', FACILITATOR, { ...act, kind: 'arrete', number: 'A-2027-12' }))
      .thenTypes(['FormalActRecorded']) as AdoptedState;
    expect(state.formalAct).toMatchObject({ kind: 'arrete', number: 'A-2027-12' });
  });

  it('when the same act is recorded again unchanged, then it is refused', () => {
    const first = { type: 'FormalActRecorded' as const, at: T, actorId: FACILITATOR, ...act };
    given([...at.adopted(), first])
      .when(command('RecordFormalAct', FACILITATOR, act))
      .then('FORMAL_ACT_UNCHANGED');
  });

  it.each([
    ['an empty number', { ...act, number: '  ' }, 'EMPTY_TEXT'],
    ['a date that does not exist', { ...act, date: '2027-02-30' }, 'INVALID_DATE'],
    ['an unknown kind', { ...act, kind: 'decret' as never }, 'UNKNOWN_ACT_KIND'],
  ] as const)('when the act has %s, then it is refused', (_, fields, code) => {
    given(at.adopted())
      .when(command('RecordFormalAct', FACILITATOR, fields))
      .then(code);
  });

  it('when the proposal was withdrawn, then no act can make it formal', () => {
    given(at.withdrawn())
      .when(command('RecordFormalAct', FACILITATOR, act))
      .then('WRONG_STAGE');
  });
});

describe('a proposal that revises a decision', () => {
  it('when created with « Réviser », then the event and every later state name the decision it revises', () => {
    const state = given()
      .when({ ...create(), revises: 'decision-1' })
      .thenTypes(['ProposalCreated']);
    expect(state.revises).toBe('decision-1');
    const created = given().when({ ...create(), revises: 'decision-1' }).result as Event[];
    const presented = given(created)
      .when(command('Present', FACILITATOR, {}))
      .thenTypes(['ProposalPresented']);
    expect(presented.revises).toBe('decision-1');
  });

  it('when created without, then neither the event nor the state carry the field (hashes of older events are unchanged)', () => {
    const [event] = given().when(create()).result as object[];
    expect(Object.keys(event!)).not.toContain('revises');
  });
});
