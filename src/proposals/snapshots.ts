/**
 * Snapshots of a proposal's folded state. Rewriting the whole state on every event made each
 * contribution cost a write that grows with the meeting; the state is now stored at the first
 * event and at every SNAPSHOT_EVERY-th, and whoever reads a proposal folds the few events since.
 * Where snapshots stand depends only on sequence numbers, not on how events were grouped into
 * commands: replaying the log (verify-log --read-models) stores the same snapshots.
 */
import { fold, type Event, type Proposal } from '../consent/index.ts';

export const SNAPSHOT_EVERY = 16;

/** Whether the state after event `seq` is stored as the proposal's snapshot. */
export function isSnapshotPoint(seq: number): boolean {
  return seq === 1 || seq % SNAPSHOT_EVERY === 0;
}

/** A stored state and the event it stands at. */
export interface Snapshot {
  state: Proposal;
  seq: number;
}

/** The current state: the snapshot with the events recorded since folded onto it, oldest first. */
export function foldTail(snapshot: Proposal, tail: readonly Event[]): Proposal {
  if (tail.length === 0) return snapshot;
  const state = fold(tail, snapshot);
  if (state === null) throw new Error('folding a snapshot’s tail gave no proposal');
  return state;
}
