/** Signals published after a commit, for the live views (the realtime bridge subscribes). */
import type { EventType } from '../consent/index.ts';
import type { Executor } from '../db/schema.ts';

export interface ProposalChanged {
  name: 'proposal-changed';
  proposalId: string;
  meetingId: string | null;
  seq: number;
  stage: string;
  events: EventType[];
}

/** Presence or the agenda of a meeting changed. */
export interface MeetingChanged {
  name: 'meeting-changed';
  meetingId: string;
}

/**
 * Sessions ended (sign-out, a guest removed, a password reset, a role change): the live streams
 * they hold close on every instance. `sessionId` is the session's key (the SHA-256 of its token).
 */
export interface SessionsEnded {
  name: 'sessions-ended';
  sessionId?: string;
  personId?: string;
}

export type Signal = ProposalChanged | MeetingChanged | SessionsEnded;

export interface Publisher {
  publish(signal: Signal): void | Promise<void>;
  /**
   * Sends the signal from inside the caller's transaction, delivered only if and when it commits
   * (NOTIFY does this): saves the round trip after commit. Publishers without it get `publish`.
   */
  publishWithin?(trx: Executor, signal: Signal): Promise<void>;
}

/** The in-process publisher: listeners run after commit; a failing listener never fails the command. */
export class LocalPublisher implements Publisher {
  private readonly listeners = new Set<(signal: Signal) => void>();

  subscribe(listener: (signal: Signal) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(signal: Signal): void {
    for (const listener of this.listeners) {
      try {
        listener(signal);
      } catch {
        // A broken subscriber must not undo or fail a committed command.
      }
    }
  }
}
