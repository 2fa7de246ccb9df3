// Shared test vocabulary: people, command builders, a given/when/then helper, and event logs
// that bring a proposal to each stage through the real `decide`.

import { expect } from 'vitest';
import {
  decide,
  fold,
  isDomainError,
  type Command,
  type CommandOf,
  type CommandType,
  type ErrorCode,
  type Event,
  type EventType,
  type IsoDateTime,
  type PersonId,
  type Proposal,
  type State,
} from '../../src/consent/index.ts';

export const PROPOSER = 'p-porteuse';
export const FACILITATOR = 'p-facilitateur';
export const SECRETARY = 'p-secretaire';
export const ALICE = 'p-alice';
export const BOB = 'p-bob';
export const CAROL = 'p-carol';
export const STRANGER = 'p-inconnu';

export const T = '2025-03-14T09:00:00.000Z';
export const V1 = 'Ouvrir le comité de pilotage déchets à trois habitants tirés au sort.';
export const V2 = 'Ouvrir le comité de pilotage déchets à trois habitants tirés au sort, formés au préalable.';

/** What a command of type K says besides who issues it and when. */
export type Fields<K extends CommandType> = Omit<CommandOf<K>, 'type' | 'at' | 'actorId'>;
/** A command of type K as the builders make it; the type checker checks it is a `CommandOf<K>`. */
export type Built<K extends CommandType> = { type: K; at: IsoDateTime; actorId: PersonId } & Fields<K>;

/** Builds a command of `type` issued by `actorId` at time `at` (T unless given). */
export function command<K extends CommandType>(type: K, actorId: PersonId, fields: Fields<K>, at: IsoDateTime = T): Built<K> {
  return { type, at, actorId, ...fields };
}

/** A command builder dated by `now()` at each call, for tests whose commands follow a clock. */
export function commandsAt(now: () => IsoDateTime) {
  return <K extends CommandType>(type: K, actorId: PersonId, fields: Fields<K>): Built<K> => command(type, actorId, fields, now());
}

export const create = (fields: Partial<Fields<'CreateProposal'>> = {}) =>
  command('CreateProposal', PROPOSER, {
    proposalId: 'prop-1',
    proposerId: PROPOSER,
    facilitatorId: FACILITATOR,
    secretaryId: SECRETARY,
    title: 'Des habitants au comité de pilotage',
    tension: 'Les usagers ne sont pas associés aux décisions sur les déchets.',
    text: V1,
    criteria: 'Taux de présence des habitants aux séances.',
    reviewDate: '2025-12-31',
    validitySet: 'importante_argumentee',
    ...fields,
  });

export const OK_ANSWERS = { importante: true, argumentee: true };

/** Applies commands one after the other; fails loudly if any is refused. */
export function play(commands: readonly Command[], history: readonly Event[] = []): Event[] {
  const events = [...history];
  let state: State = fold(history);
  for (const c of commands) {
    const result = decide(state, c);
    if (isDomainError(result)) throw new Error(`${c.type} by ${c.actorId} refused: ${result.code}`);
    events.push(...result);
    state = fold(result, state);
  }
  return events;
}

/** Exact events → the resulting state; an error code → asserts the refusal. */
interface Then {
  (expected: readonly Event[]): Proposal;
  (code: ErrorCode): void;
}

/** given(events).when(command).then(events | error code). */
export function given(...history: readonly (Event | readonly Event[])[]) {
  const events = history.flat() as Event[];
  const state = fold(events);
  return {
    state,
    when(c: Command) {
      const result = decide(state, c);
      const applied = (): Proposal => {
        if (isDomainError(result)) throw new Error(`refused: ${result.code}`);
        return fold(result, state) as Proposal;
      };
      /** Asserts the exact events, or the refusal code (and that nothing happened). */
      const then = ((expected: readonly Event[] | ErrorCode) => {
        if (typeof expected === 'string') {
          expect(isDomainError(result) ? result.code : result).toBe(expected);
          expect(Array.isArray(result)).toBe(false);
          return undefined;
        }
        expect(result).toStrictEqual(expected);
        return applied();
      }) as Then;
      return {
        result,
        then,
        /** Asserts the types of the events produced, in order; returns the resulting state. */
        thenTypes(expected: readonly EventType[]): Proposal {
          expect(isDomainError(result) ? result.code : result.map((e) => e.type)).toEqual(expected);
          return applied();
        },
      };
    },
  };
}

// ------------------------------------------------------------ logs reaching each stage

export const at = {
  draft: () => play([create()]),
  presentation: () => play([command('Present', FACILITATOR, {})], at.draft()),
  clarification: () => play([command('StartClarificationRound', FACILITATOR, { participants: [ALICE, BOB, PROPOSER] })], at.presentation()),
  reactions: () =>
    play(
      [command('Pass', ALICE, {}), command('Pass', BOB, {}), command('StartReactionRound', FACILITATOR, { participants: [ALICE, BOB] })],
      at.clarification(),
    ),
  amendment: () => play([command('Pass', ALICE, {}), command('Pass', BOB, {}), command('StartAmendment', FACILITATOR, {})], at.reactions()),
  objections: () =>
    play([command('KeepProposal', PROPOSER, {}), command('StartObjectionRound', FACILITATOR, { participants: [ALICE, BOB, PROPOSER] })], at.amendment()),
  testing: () =>
    play(
      [
        command('RaiseObjection', ALICE, { objectionId: 'o1', reasoning: 'Les habitants ne seront pas formés.' }),
        command('DeclareNoObjection', BOB, {}),
        command('DeclareNoObjection', PROPOSER, {}),
      ],
      at.objections(),
    ),
  integration: () => play([command('TestObjection', FACILITATOR, { objectionId: 'o1', answers: OK_ANSWERS, ruling: 'valid' })], at.testing()),
  /** After integrating o1 by amending to V2: awaiting a new objection round. */
  objectionsAwaitingRound: () =>
    play(
      [
        command('AmendProposal', PROPOSER, { text: V2, changeNote: 'Formation ajoutée', motivatedBy: [] }),
        command('ConfirmObjectionLifted', ALICE, { objectionId: 'o1' }),
        command('ConfirmTensionAnswered', PROPOSER, { objectionId: 'o1' }),
      ],
      at.integration(),
    ),
  adopted: () =>
    play([command('DeclareNoObjection', ALICE, {}), command('DeclareNoObjection', BOB, {}), command('DeclareNoObjection', PROPOSER, {})], at.objections()),
  withdrawn: () => play([command('WithdrawProposal', PROPOSER, {})], at.clarification()),
  postponed: () => play([command('PostponeProposal', FACILITATOR, {})], at.clarification()),
};

export type StageKey = keyof typeof at;
export const STAGE_KEYS = Object.keys(at) as StageKey[];

/** The state at a stage, as a proposal. */
export function stateAt(key: StageKey): Proposal {
  return fold(at[key]()) as Proposal;
}
