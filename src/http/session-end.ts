/**
 * "A session ended": told to every instance (LISTEN/NOTIFY), so the live streams it holds close at
 * once. Routes call it after the change is committed: sign-out, a guest removed, a password reset,
 * a role change. Idle sessions are found by the streams' own periodic check.
 */
import type { Request } from 'express';
import type { Publisher } from '../realtime/signals.ts';

/** The app setting that holds the publisher (createApp sets it to the signal bus). */
export const SESSION_END_PUBLISHER = 'session end publisher';

export type EndedSessions = { sessionId: string } | { personId: string };

export async function sessionsEnded(req: Request, ended: EndedSessions): Promise<void> {
  const publisher = req.app.get(SESSION_END_PUBLISHER) as Publisher | undefined;
  try {
    await publisher?.publish({ name: 'sessions-ended', ...ended });
  } catch (error) {
    // the session is gone already; its streams close at the next periodic check
    req.log?.warn({ err: error }, 'session end not signalled');
  }
}
