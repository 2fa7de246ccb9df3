/**
 * Projects a batch of events (one command's) onto the read models: folds them one by one, noting
 * the round open before each, then calls the repository's project(). The one path by which the
 * read models are written: the proposal service uses it for every command, and verify-log
 * (--read-models) replays the log through it to rebuild them and compare.
 */
import { evolve, openRound, type Proposal, type Round, type State } from '../consent/index.ts';
import type { Executor } from './events.repository.ts';
import { project, type SequencedEvent } from './proposals.repository.ts';

export interface Batch {
  before: State;
  events: readonly SequencedEvent[];
  meetingId: string | null;
  lastSeq: number;
  lastHash: string;
}

/** The state after the batch, and the round open just before each of its events. */
export function fold(before: State, events: readonly SequencedEvent[]): { after: State; openRounds: (Round | null)[] } {
  let state = before;
  const openRounds: (Round | null)[] = [];
  for (const { event } of events) {
    openRounds.push(state ? openRound(state) : null);
    state = evolve(state, event);
  }
  return { after: state, openRounds };
}

/** Folds the batch and brings the read models in line, in the caller's transaction; returns the new state. */
export async function projectBatch(db: Executor, batch: Batch): Promise<Proposal> {
  const { after, openRounds } = fold(batch.before, batch.events);
  if (after === null) throw new Error('a command produced no proposal');
  await project(db, { before: batch.before, after, events: batch.events, openRounds, meetingId: batch.meetingId, lastSeq: batch.lastSeq, lastHash: batch.lastHash });
  return after;
}
