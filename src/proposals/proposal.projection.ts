/**
 * Projects a batch of events (one command's) onto the read models: folds them one by one, noting
 * the round open before each, then calls the repository's project(). The one path by which the
 * read models are written: the proposal service uses it for every command, and verify-log
 * (--read-models) replays the log through it to rebuild them and compare.
 */
import { fold, openRound, type Proposal, type Round, type State } from '../consent/index.ts';
import type { Executor } from '../db/schema.ts';
import { project, type SequencedEvent } from './proposals.repository.ts';

export interface Batch {
  before: State;
  events: readonly SequencedEvent[];
  meetingId: string | null;
  lastSeq: number;
  lastHash: string;
}

/** Folds the batch (the core's fold, one event at a time) and brings the read models in line, in the caller's transaction; returns the new state. */
export async function projectBatch(db: Executor, batch: Batch): Promise<Proposal> {
  // A contribution belongs to the round open just before its event: note it on the way.
  const openRounds: (Round | null)[] = [];
  let after: State = batch.before;
  for (const { event } of batch.events) {
    openRounds.push(after ? openRound(after) : null);
    after = fold([event], after);
  }
  if (after === null) throw new Error('a command produced no proposal');
  await project(db, {
    before: batch.before,
    after,
    events: batch.events,
    openRounds,
    meetingId: batch.meetingId,
    lastSeq: batch.lastSeq,
    lastHash: batch.lastHash,
  });
  return after;
}
