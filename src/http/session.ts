/** Session middleware: resolves the cookie to an actor on every request; helpers open and close sessions. */
import type { Request, RequestHandler, Response } from 'express';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { SessionKind } from '../db/schema-accounts.ts';
import { closeSession, openSession, pruneExpired, resolveSession, type OpenSession } from '../auth/sessions.ts';
import { SIGN_IN_THROTTLE } from './limits.ts';
import { ANONYMOUS, type Actor } from '../auth/policy.ts';
import { sha256 } from '../auth/crypto.ts';
import { sessionsEnded } from './session-end.ts';

export const SESSION_COOKIE = 'so_session';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Who is asking; anonymous without a live session. */
      actor: Actor;
      /** The live session, if any (anonymous pre-sessions too). */
      session: OpenSession | null;
    }
  }
}

function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : null;
    }
  }
  return null;
}

function expose(req: Request, res: Response): void {
  res.locals.actor = req.actor;
  res.locals.csrfToken = req.session?.csrfToken ?? null;
}

/** The app setting that holds SESSION_IDLE_MINUTES (set by createApp), read when sessions are pruned. */
export const IDLE_SETTING = 'session idle minutes';

export function sessionMiddleware(db: Kysely<DB>, idleMinutes: number): RequestHandler {
  return async (req, res, next) => {
    req.actor = ANONYMOUS;
    req.session = null;
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (token) {
      const resolved = await resolveSession(db, token, idleMinutes);
      if (resolved) {
        req.actor = resolved.actor;
        req.session = resolved.session;
      }
    }
    expose(req, res);
    // pages that depend on who is signed in must not be cached or shared
    res.set('Cache-Control', 'no-store');
    next();
  };
}

function setCookie(req: Request, res: Response, token: string): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
}

/** Gives an anonymous visitor a pre-session, so the form they are about to post carries a CSRF token. */
export async function ensureSession(db: Kysely<DB>, req: Request, res: Response): Promise<void> {
  if (req.session) return;
  req.session = await openSession(db, { kind: 'anonymous', personId: null, meetingId: null });
  setCookie(req, res, req.session.token);
  expose(req, res);
}

/** Replaces the current session by a new one (new id, new CSRF token): no fixation across sign-in. */
export async function startSession(db: Kysely<DB>, req: Request, res: Response, s: { kind: SessionKind; personId: string; meetingId: string | null }): Promise<void> {
  if (req.session) await closeSession(db, req.session.token);
  if (req.session) await sessionsEnded(req, { sessionId: sha256(req.session.token) });
  await pruneExpired(db, Number(req.app.get(IDLE_SETTING) ?? 120), SIGN_IN_THROTTLE.windowMinutes);
  req.session = await openSession(db, s);
  setCookie(req, res, req.session.token);
}

export async function endSession(db: Kysely<DB>, req: Request, res: Response): Promise<void> {
  if (req.session) await closeSession(db, req.session.token);
  if (req.session) await sessionsEnded(req, { sessionId: sha256(req.session.token) });
  req.session = null;
  req.actor = ANONYMOUS;
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
}
