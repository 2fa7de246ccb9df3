// Property-based tests: random meetings built from plausible commands (what the people in the
// room could do next) mixed with noise (anything, by anyone, at any time).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LIVE_STAGES,
  VALIDITY_SETS,
  decide,
  evolve,
  fold,
  isDomainError,
  openRound,
  type Command,
  type CommandType,
  type Event,
  type Motivation,
  type Proposal,
  type Round,
  type State,
} from '../../src/consent/index.ts';
import { ALICE, BOB, CAROL, FACILITATOR, PROPOSER, SECRETARY, command, create, type Fields } from './fixtures.ts';

const RUNS = Number(process.env.FC_RUNS ?? 1000);
const PEOPLE = [PROPOSER, FACILITATOR, SECRETARY, ALICE, BOB, CAROL] as const;
const POOL = [ALICE, BOB, CAROL, PROPOSER, FACILITATOR] as const;
const TEXTS = ['Version A', 'Version B', 'Version C', ' '] as const;

/** What kind of step (noise, exit, plausible), then two numbers to choose with. */
interface Step {
  kind: number;
  a: number;
  b: number;
}
// Tuples are much cheaper to generate than records, which matters at 10,000 runs.
const stepArb = fc.tuple(fc.nat({ max: 99 }), fc.nat({ max: 10_000 }), fc.nat({ max: 10_000 }));
const meeting: fc.Arbitrary<MeetingInput> = fc.record({
  validitySet: fc.constantFrom('holacracy' as const, 's3' as const, 'importante_argumentee' as const),
  secretary: fc.boolean(),
  steps: fc.array(stepArb, { minLength: 20, maxLength: 120, size: 'max' }),
});

const pick = <T>(items: readonly T[], n: number): T => items[n % items.length] as T;

function timeOf(i: number): string {
  return new Date(Date.UTC(2025, 2, 14, 9, 0, i)).toISOString();
}

/** Who may be present: a subset of the pool, in a rotated order. */
function present(a: number, b: number): string[] {
  const chosen = POOL.filter((_, i) => (b >> i) & 1);
  const shift = chosen.length === 0 ? 0 : a % chosen.length;
  return [...chosen.slice(shift), ...chosen.slice(0, shift)];
}

function answersFor(p: Proposal, b: number): Record<string, boolean> {
  const ids = VALIDITY_SETS[p.validitySet].questions.map((q) => q.id);
  return Object.fromEntries(ids.map((id, i) => [id, ((b >> i) & 1) === 1]));
}

function motivations(p: Proposal, b: number): Motivation[] {
  const known: Motivation[] = [
    ...p.questions.map((q) => ({ kind: 'question' as const, id: q.id })),
    ...p.reactions.map((r) => ({ kind: 'reaction' as const, id: r.id })),
  ];
  return known.filter((_, i) => (b >> i) & 1);
}

/** What the people in the room could plausibly do next. */
function plausible(p: Proposal, s: Step, i: number): Command[] {
  const at = timeOf(i);
  const c = <K extends CommandType>(type: K, actorId: string, fields: Fields<K>) => command(type, actorId, fields, at);
  const chair = p.actingFacilitatorId;
  const amendText = pick(TEXTS, s.b);
  const amend = (actor: string, onBehalfOf?: string) =>
    c('AmendProposal', actor, {
      text: amendText === ' ' ? amendText : `${amendText} ${i}`,
      changeNote: `note ${i}`,
      motivatedBy: motivations(p, s.b),
      ...(onBehalfOf ? { onBehalfOf } : {}),
    });
  const holderTurns = (round: Round, own: (holder: string) => Command[]) => {
    const holder = round.order[round.turnIndex];
    if (holder === undefined) return [];
    return [...own(holder), c('SkipParticipant', chair, { personId: holder, reason: 'absent' }), ...own(chair).map((x) => ({ ...x, onBehalfOf: holder }))];
  };

  switch (p.stage) {
    case 'draft':
      return [c('Present', pick([chair, p.proposerId], s.b), {})];
    case 'presentation':
      return [c('StartClarificationRound', chair, { participants: present(s.a, s.b) })];
    case 'clarification':
      if (p.pendingQuestionId !== null) {
        const questionId = p.pendingQuestionId;
        return [
          c('AnswerQuestion', p.proposerId, { questionId, answer: `réponse ${i}` }),
          c('DeclineQuestion', p.proposerId, { questionId, ...(s.b % 2 ? { reason: 'hors sujet' } : {}) }),
          c('AnswerQuestion', chair, { questionId, answer: 'saisie', onBehalfOf: p.proposerId }),
        ];
      }
      if (p.round.turnIndex === p.round.order.length) {
        return [c('StartReactionRound', chair, { participants: present(s.a, s.b) })];
      }
      return holderTurns(p.round, (who) => [c('AskQuestion', who, { questionId: `q${i}`, text: `question ${i}` }), c('Pass', who, {})]);
    case 'reactions':
      if (p.round.turnIndex === p.round.order.length) return [c('StartAmendment', chair, {})];
      return holderTurns(p.round, (who) => [c('React', who, { reactionId: `r${i}`, text: `réaction ${i}` }), c('Pass', who, {})]);
    case 'amendment':
      return [
        amend(p.proposerId),
        c('KeepProposal', p.proposerId, {}),
        ...(p.secretaryId ? [amend(p.secretaryId, p.proposerId)] : []),
        ...(p.proposerDecision === null ? [] : [c('StartObjectionRound', chair, { participants: present(s.a, s.b) })]),
      ];
    case 'objections':
      if (p.round === null) return [c('StartObjectionRound', chair, { participants: present(s.a, s.b) })];
      return holderTurns(p.round, (who) => [
        c('DeclareNoObjection', who, {}),
        c('DeclareNoObjection', who, {}),
        c('RaiseObjection', who, { objectionId: `o${i}`, reasoning: `raison ${i}` }),
        c('RecordConcern', who, { concernId: `c${i}`, text: `préoccupation ${i}` }),
      ]);
    case 'testing': {
      const open = p.objections.filter((o) => o.round === p.objectionRound.number && o.ruling === null && o.outcome === null);
      return open.flatMap((o) => [
        c('TestObjection', chair, { objectionId: o.id, answers: answersFor(p, s.b), ruling: 'valid' }),
        c('TestObjection', chair, { objectionId: o.id, answers: answersFor(p, s.b), ruling: 'not_valid' }),
        c('WithdrawObjection', o.objectorId, { objectionId: o.id }),
      ]);
    }
    case 'integration': {
      const current = p.objections.find((o) => o.id === p.current.objectionId);
      if (current === undefined) return [];
      const objectionId = current.id;
      const endings = [c('WithdrawObjection', current.objectorId, { objectionId }), c('DeferObjection', chair, { objectionId, followUpDate: '2025-09-01' })];
      if (p.current.amendedInVersion === null) return [amend(p.proposerId), amend(p.proposerId), ...endings];
      return [
        c('ConfirmObjectionLifted', current.objectorId, { objectionId }),
        c('ConfirmTensionAnswered', p.proposerId, { objectionId }),
        c('ConfirmObjectionLifted', current.objectorId, { objectionId }),
        c('ConfirmTensionAnswered', p.proposerId, { objectionId }),
        amend(p.proposerId),
        ...endings,
      ];
    }
    case 'adopted':
    case 'withdrawn':
    case 'postponed':
      return [];
  }
}

const COMMAND_TYPES: CommandType[] = [
  'CreateProposal',
  'Present',
  'StartClarificationRound',
  'AskQuestion',
  'AnswerQuestion',
  'DeclineQuestion',
  'Pass',
  'SkipParticipant',
  'StartReactionRound',
  'React',
  'StartAmendment',
  'AmendProposal',
  'KeepProposal',
  'StartObjectionRound',
  'DeclareNoObjection',
  'RaiseObjection',
  'RecordConcern',
  'TestObjection',
  'ConfirmObjectionLifted',
  'ConfirmTensionAnswered',
  'WithdrawObjection',
  'DeferObjection',
  'WithdrawProposal',
  'PostponeProposal',
  'HandOverFacilitation',
  'PublishDecision',
  'RecordFormalAct',
];

/** Anything, by anyone, possibly "on behalf of" someone, with ids that may or may not exist. */
function noise(p: Proposal, s: Step, i: number): Command {
  const type = pick(COMMAND_TYPES, s.a);
  const actorId = pick(PEOPLE, s.b);
  const other = pick(PEOPLE, s.b >> 3);
  const pending = p.stage === 'clarification' && p.pendingQuestionId !== null ? [p.pendingQuestionId] : [];
  const id = pick([...p.objections.map((o) => o.id), ...pending, `x${i}`], s.b >> 5);
  const fields: Record<string, unknown> = {
    proposalId: 'prop-x',
    proposerId: other,
    facilitatorId: actorId,
    secretaryId: null,
    title: 't',
    tension: 't',
    text: pick(TEXTS, s.b),
    criteria: '',
    reviewDate: null,
    validitySet: p.validitySet,
    participants: present(s.b, s.a),
    questionId: id,
    objectionId: id,
    reactionId: id,
    concernId: id,
    answer: pick(TEXTS, s.a),
    reasoning: pick(TEXTS, s.a),
    changeNote: 'n',
    motivatedBy: [],
    personId: other,
    reason: 'absent',
    answers: answersFor(p, s.b),
    ruling: s.b % 2 ? 'valid' : 'not_valid',
    followUpDate: s.b % 2 ? '2025-09-01' : '2025-02-31',
  };
  if ((s.b >> 7) & 1) fields.onBehalfOf = other;
  return { type, at: timeOf(i), actorId, ...fields } as Command;
}

interface Run {
  events: Event[];
  states: Proposal[];
  refused: number;
}

/** Plays a random meeting, checking the step-wise properties as it goes. */
function playMeeting(m: MeetingInput, stepChecks = false): Run {
  const first = decide(null, create({ validitySet: m.validitySet, secretaryId: m.secretary ? SECRETARY : null }));
  if (isDomainError(first)) throw first;
  const events: Event[] = [...first];
  let state = fold(first) as Proposal;
  const states: Proposal[] = [state];
  let refused = 0;

  m.steps.forEach(([kind, a, b], i) => {
    const s: Step = { kind, a, b };
    if (!LIVE_STAGES.includes(state.stage as never)) return;
    let c: Command | undefined;
    if (s.kind < 8) c = noise(state, s, i);
    else if (s.kind < 10) {
      c = pick(
        [
          command('WithdrawProposal', state.proposerId, {}),
          command('PostponeProposal', state.actingFacilitatorId, { reason: 'plus tard' }),
          command('HandOverFacilitation', state.actingFacilitatorId, {}),
          command('HandOverFacilitation', state.actingFacilitatorId, {}),
        ],
        s.a,
      );
    } else {
      const options = plausible(state, s, i);
      c = options.length === 0 ? undefined : pick(options, s.a);
    }
    if (c === undefined) return;

    // A frozen state makes any mutation by decide or evolve throw (ES modules are strict), so a
    // refused command provably leaves the state as it was.
    if (stepChecks) deepFreeze(state);
    const result = decide(state, c);
    if (isDomainError(result)) {
      refused++;
      return;
    }
    if (result.length === 0) throw new Error(`${c.type} accepted without any event`);
    const next = result.reduce<State>(evolve, state) as Proposal;
    if (stepChecks) {
      checkEvents(result);
      checkVersions(state, next);
    }
    events.push(...result);
    state = next;
    states.push(state);
  });
  return { events, states, refused };
}

interface MeetingInput {
  validitySet: 'holacracy' | 's3' | 'importante_argumentee';
  secretary: boolean;
  steps: [number, number, number][];
}

function checkEvents(events: readonly Event[]): void {
  for (const e of events) {
    if (typeof e.type !== 'string' || typeof e.at !== 'string' || typeof e.actorId !== 'string') {
      throw new Error(`event without type, at or actorId: ${JSON.stringify(e)}`);
    }
    if ('onBehalfOf' in e && typeof e.onBehalfOf !== 'string') throw new Error('onBehalfOf present but not a string');
    check(isPlainJson(e), `event is not plain JSON: ${e.type}`);
  }
}

function checkVersions(before: Proposal, after: Proposal): void {
  after.versions.forEach((v, i) => {
    if (v.number !== i + 1) throw new Error('versions are not numbered 1..n');
  });
  // States are frozen, so the very same version objects prove the versions did not change.
  check(
    before.versions.every((v, i) => after.versions[i] === v),
    'an existing version was replaced',
  );
}

/** Strings, finite numbers, booleans, null, arrays and plain objects, with no undefined anywhere. */
function isPlainJson(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      if (value === null) return true;
      if (Array.isArray(value)) return value.every(isPlainJson);
      return Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(isPlainJson);
    default:
      return false;
  }
}

/** Freezes what is not frozen yet; states share structure, so each step freezes only what is new. */
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

function allRounds(p: Proposal): Round[] {
  const open = openRound(p);
  return open === null ? p.pastRounds : [...p.pastRounds, open];
}

const runs = { numRuns: RUNS };
// Each property plays RUNS random meetings: the time allowed grows with them (CI runs 10 000 on a shared machine).
const PROPERTY_TIMEOUT = Math.max(30_000, RUNS * 30);

describe('properties of random meetings', { timeout: PROPERTY_TIMEOUT }, () => {
  it('when any sequence of commands is played, then refused commands change nothing, events are plain JSON, and versions are numbered 1..n and never change', () => {
    // playMeeting throws on the first broken step-wise property
    fc.assert(
      fc.property(meeting, (m) => {
        playMeeting(m, true);
      }),
      runs,
    );
  });

  it('when the events of a meeting are folded, then they reproduce the state reached step by step', () => {
    fc.assert(
      fc.property(meeting, (m) => {
        const run = playMeeting(m);
        check(JSON.stringify(fold(run.events)) === JSON.stringify(run.states.at(-1)), 'fold differs from the state reached');
      }),
      runs,
    );
  });

  it('when a round is held, then each participant in its order gets exactly one turn, in that order', () => {
    fc.assert(
      fc.property(meeting, (m) => {
        const last = playMeeting(m).states.at(-1) as Proposal;
        const rounds = allRounds(last);
        const closedByExit = last.stage === 'withdrawn' || last.stage === 'postponed';
        rounds.forEach((round, index) => {
          check(round.order.length > 0 && new Set(round.order).size === round.order.length, 'order empty or with duplicates');
          check(round.turns.length <= round.order.length, 'more turns than people');
          check(
            round.turns.every((t, i) => t.personId === round.order[i]),
            'a turn out of order',
          );
          check(round.turnIndex === round.turns.length || round.turnIndex === round.turns.length - 1, 'turnIndex adrift');
          const mayBeUnfinished = index === rounds.length - 1 && (closedByExit || openRound(last) === round);
          check(mayBeUnfinished || round.turns.length === round.order.length, 'a closed round left someone out');
          check(round.kind === 'objection' || !round.order.includes(last.proposerId), 'the proposer in a discussion round');
        });
      }),
      runs,
    );
  });

  it('when a proposal is adopted, then its last objection round on the current version had no objection, or every objection has an outcome and the text did not change', () => {
    fc.assert(
      fc.property(meeting, (m) => {
        const last = playMeeting(m).states.at(-1) as Proposal;
        if (last.stage !== 'adopted') return;
        const current = last.versions.length;
        const lastRound = last.pastRounds.filter((r) => r.kind === 'objection').at(-1);
        check(lastRound !== undefined && lastRound.versionNumber === current, 'adopted without a round on the current version');
        check(last.decision.versionNumber === current, 'the decision is not on the current version');
        const ofRound = last.objections.filter((o) => o.round === lastRound?.number);
        check(
          ofRound.every((o) => o.outcome !== null),
          'adopted with an open objection',
        );
        // An integrated objection means the text changed, which calls for a new round.
        check(
          ofRound.every((o) => o.outcome !== 'integrated'),
          'adopted right after an integration',
        );
      }),
      runs,
    );
  });

  it('when a proposal reaches a terminal stage, then every objection has exactly one outcome with who decided it and when', () => {
    fc.assert(
      fc.property(meeting, (m) => {
        const { states } = playMeeting(m);
        const firstOutcome = new Map<string, string>();
        for (const s of states) {
          for (const o of s.objections) {
            const known = firstOutcome.get(o.id);
            check(known === undefined || o.outcome === known, 'an outcome was replaced');
            if (known === undefined && o.outcome !== null) firstOutcome.set(o.id, o.outcome);
            check((o.outcome === null) === (o.decidedBy === null), 'outcome without decidedBy');
            check((o.outcome === null) === (o.decidedAt === null), 'outcome without decidedAt');
          }
        }
        const last = states.at(-1) as Proposal;
        if (LIVE_STAGES.includes(last.stage as never)) return;
        check(
          last.objections.every((o) => o.outcome !== null),
          'a terminal proposal with an open objection',
        );
      }),
      runs,
    );
  });

  it('when random meetings are played, then they reach every stage, so the properties above are not vacuous', () => {
    const reached = new Set<string>();
    const eventTypes = new Set<string>();
    let refused = 0;
    for (const m of fc.sample(meeting, { numRuns: 400, seed: 42 })) {
      const run = playMeeting(m);
      refused += run.refused;
      for (const s of run.states) reached.add(s.stage);
      for (const e of run.events) eventTypes.add(e.type);
    }
    expect([...reached].sort()).toEqual([...LIVE_STAGES, 'adopted', 'withdrawn', 'postponed'].sort());
    for (const type of ['ObjectionIntegrated', 'IntegrationCompleted', 'ObjectionDeferred', 'ObjectionWithdrawn', 'FacilitationHandedOver']) {
      expect(eventTypes).toContain(type);
    }
    expect(refused).toBeGreaterThan(0);
  });
});
