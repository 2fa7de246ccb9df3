/**
 * A contribution's first read, made with its session. Every request reads its session first
 * (sessionMiddleware); a contribution then reads the meeting, the person's membership and the
 * proposal (findForCommand). On the route of the method's actions both are read in one query,
 * before sessionMiddleware, which then keeps the session found: one round trip fewer on the
 * path every participant takes. The read is the one a command makes without a lock, and the
 * write that follows checks its facts again (factsHold), as it does for a read made on its own.
 */
import type { RequestHandler } from 'express';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { sha256 } from '../accounts/crypto.ts';
import { sessionOf } from '../accounts/sessions.ts';
import { uuidOrNull } from '../http/forms.ts';
import { adoptSession, readCookie, SESSION_COOKIE } from '../http/session.ts';
import { isActionName } from '../proposals/actions.ts';
import { findSessionWithCommand, type ReadAlongside } from './command-read.repository.ts';

/** The route of the method's actions on a proposal (live.routes.ts). */
export const ACTION_ROUTE = '/seances/:id/propositions/:pid/:action';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The command's first read, made with the session (only on ACTION_ROUTE). */
      commandRead?: ReadAlongside;
    }
  }
}

/**
 * Mounted on ACTION_ROUTE before sessionMiddleware. Without a session cookie, or for a session no
 * longer live, it reads nothing more and leaves the request to sessionMiddleware, as any other.
 */
export function readWithSession(db: Kysely<DB>, idleMinutes: number): RequestHandler {
  return async (req, _res, next) => {
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    const meetingId = uuidOrNull(req.params.id);
    const proposalId = uuidOrNull(req.params.pid);
    if (token && meetingId && proposalId && isActionName(req.params.action)) {
      const found = await findSessionWithCommand(db, sha256(token), idleMinutes, meetingId, proposalId);
      const resolved = found && (await sessionOf(db, token, found.session));
      if (resolved) {
        adoptSession(req, resolved);
        if (found.alongside) req.commandRead = found.alongside;
      }
    }
    next();
  };
}
