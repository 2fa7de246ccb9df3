/**
 * Snapshots of a proposal's state (src/proposals/snapshots.ts): the state is stored at a few
 * events only, and read back by folding the events since. Property-based: random meetings of
 * many turns, cut into commands at random.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, fold, isDomainError, type Command, type Event, type Proposal, type State } from '../../src/consent/index.ts';
import { foldBatch } from '../../src/proposals/proposal.projection.ts';
import { foldTail, isSnapshotPoint, SNAPSHOT_EVERY, type Snapshot } from '../../src/proposals/snapshots.ts';
import { command, create, FACILITATOR, PROPOSER } from '../consent/fixtures.ts';

const RUNS = Number(process.env.FC_RUNS ?? 300);
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A séance of `people` participants, each choosing (by `choices`) what to say in each round. */
function meetingLog(people: number, choices: readonly number[]): Event[] {
  const participants = Array.from({ length: people }, (_, i) => `p-participant-${i + 1}`);
  const choice = (i: number) => choices[i % choices.length]!;
  let n = 0;
  const at = () => new Date(Date.UTC(2025, 2, 14, 9, 1, n++)).toISOString();
  const commands: ((i: number) => Command[])[] = [
    () => [create()],
    () => [command('Present', FACILITATOR, {}, at())],
    () => [command('StartClarificationRound', FACILITATOR, { participants }, at())],
    ...participants.map((p, i) => () => {
      if (choice(i) % 3 === 0) return [command('Pass', p, {}, at())];
      const questionId = `q-${i}`;
      return [
        command('AskQuestion', p, { questionId, text: `Question ${i} : qui s’en charge ?` }, at()),
        command('AnswerQuestion', PROPOSER, { questionId, answer: `Réponse ${i}.` }, at()),
      ];
    }),
    () => [command('StartReactionRound', FACILITATOR, { participants }, at())],
    ...participants.map((p, i) => () => [
      choice(i + 1) % 2 === 0 ? command('Pass', p, {}, at()) : command('React', p, { reactionId: `r-${i}`, text: `Réaction ${i}.` }, at()),
    ]),
    () => [command('StartAmendment', FACILITATOR, {}, at())],
    () => [command('KeepProposal', PROPOSER, {}, at())],
    () => [command('StartObjectionRound', FACILITATOR, { participants }, at())],
    ...participants.map((p, i) => () => [
      choice(i + 2) % 4 === 0
        ? command('RecordConcern', p, { concernId: `c-${i}`, text: `Vigilance ${i}.` }, at())
        : command('DeclareNoObjection', p, {}, at()),
    ]),
  ];
  const events: Event[] = [];
  let state: State = null;
  for (const [i, make] of commands.entries()) {
    for (const c of make(i)) {
      const decided = decide(state, c);
      if (isDomainError(decided)) throw new Error(`${c.type} refused: ${decided.code}`);
      events.push(...decided);
      state = fold(decided, state);
    }
  }
  return events;
}

const meetingArb = fc.record({ people: fc.integer({ min: 1, max: 12 }), choices: fc.array(fc.nat({ max: 11 }), { minLength: 1, maxLength: 12 }) });

/** Cuts a log into batches at the given points (sorted, deduplicated, inside the log). */
function cut(events: readonly Event[], points: readonly number[]): Event[][] {
  const at = [...new Set(points.map((p) => 1 + (p % Math.max(1, events.length - 1))))].sort((a, b) => a - b);
  const batches: Event[][] = [];
  let from = 0;
  for (const p of [...at, events.length]) {
    if (p > from) batches.push(events.slice(from, p));
    from = Math.max(from, p);
  }
  return batches;
}

describe('snapshots of a proposal’s state', () => {
  it('when a meeting of many turns is read back from any snapshot point and the events since, then it is the fold of the whole log', () => {
    fc.assert(
      fc.property(meetingArb, ({ people, choices }) => {
        const events = meetingLog(people, choices);
        const whole = json(fold(events));
        for (let seq = 1; seq <= events.length; seq++) {
          if (!isSnapshotPoint(seq)) continue;
          // as stored and read: the snapshot and the tail go through JSON (jsonb)
          const snapshot = json(fold(events.slice(0, seq))) as Proposal;
          expect(json(foldTail(snapshot, json(events.slice(seq))))).toEqual(whole);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('when the same log is cut into commands in different ways, then the last snapshot stored is the same: the state after the last snapshot point', () => {
    fc.assert(
      fc.property(meetingArb, fc.array(fc.nat(), { maxLength: 20 }), ({ people, choices }, points) => {
        const events = meetingLog(people, choices);
        let before: State = null;
        let seq = 0;
        let stored: Snapshot | null = null;
        for (const batch of cut(events, points)) {
          const folded = foldBatch(
            before,
            batch.map((event) => ({ seq: ++seq, event })),
          );
          if (before === null) expect(folded.snapshot).not.toBeNull(); // a new proposal is stored with a state
          stored = folded.snapshot ?? stored;
          before = folded.after;
        }
        const last = Math.max(1, Math.floor(events.length / SNAPSHOT_EVERY) * SNAPSHOT_EVERY);
        expect(stored!.seq).toBe(last);
        expect(json(stored!.state)).toEqual(json(fold(events.slice(0, last))));
        expect(json(before)).toEqual(json(fold(events)));
      }),
      { numRuns: RUNS },
    );
  });

  it('when a séance runs long, then its log crosses several snapshot points', () => {
    // the generator is worth something only if it reaches past the first snapshots
    expect(meetingLog(12, [1]).length).toBeGreaterThan(2 * SNAPSHOT_EVERY);
  });
});
