/** Signals published after a commit, for the live views (the realtime bridge subscribes). */
import type { EventType } from '../consent/index.ts';
import type { RawBuilder } from 'kysely';

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
   * An SQL expression that sends the signal when a transaction evaluates it, delivered only if and
   * when that transaction commits (pg_notify): the writer folds it into a statement it sends
   * anyway, instead of a round trip after commit. Publishers without it get `publish`.
   */
  notification?(signal: Signal): RawBuilder<unknown>;
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
