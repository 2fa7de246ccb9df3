/**
 * Projects a batch of events (one command's) onto the read models: folds them one by one, noting
 * the round open before each, then runs the repository's projectionWrites(). The one path by which the
 * read models are written: the proposal service uses it for every command, and verify-log
 * (--read-models) replays the log through it to rebuild them and compare.
 */
import { fold, openRound, type Proposal, type Round, type State } from '../consent/index.ts';
import type { Executor } from '../db/schema.ts';
import { projectionWrites, type SequencedEvent } from './projection.repository.ts';
import type { Write } from '../db/together.ts';
import { isSnapshotPoint, type Snapshot } from './snapshots.ts';

export interface Batch {
  before: State;
  events: readonly SequencedEvent[];
  meetingId: string | null;
  lastSeq: number;
  lastHash: string;
}

/** A batch folded: the new state, the round open before each event, and the snapshot to store (null: keep the stored one). */
export interface FoldedBatch {
  after: Proposal;
  openRounds: (Round | null)[];
  snapshot: Snapshot | null;
}

/** Folds a batch one event at a time (the core's fold), noting what the projection needs on the way. */
export function foldBatch(before: State, events: readonly SequencedEvent[]): FoldedBatch {
  // A contribution belongs to the round open just before its event.
  const openRounds: (Round | null)[] = [];
  let after: State = before;
  // the state after the last event of the batch that is a snapshot point, if one is
  let snapshot: Snapshot | null = null;
  for (const { seq, event } of events) {
    openRounds.push(after ? openRound(after) : null);
    after = fold([event], after);
    if (after !== null && isSnapshotPoint(seq)) snapshot = { state: after, seq };
  }
  if (after === null) throw new Error('a command produced no proposal');
  return { after, openRounds, snapshot };
}

/** Folds the batch and builds the writes that bring the read models in line, without running them. */
export function batchWrites(db: Executor, batch: Batch): { after: Proposal; writes: Write[] } {
  const { after, openRounds, snapshot } = foldBatch(batch.before, batch.events);
  const writes = projectionWrites(db, {
    snapshot,
    before: batch.before,
    after,
    events: batch.events,
    openRounds,
    meetingId: batch.meetingId,
    lastSeq: batch.lastSeq,
    lastHash: batch.lastHash,
  });
  return { after, writes };
}

/** Folds the batch and brings the read models in line, one write after the other, in the caller's transaction; returns the new state. */
export async function projectBatch(db: Executor, batch: Batch): Promise<Proposal> {
  const { after, writes } = batchWrites(db, batch);
  for (const write of writes) await write.execute();
  return after;
}
