/** Session middleware: resolves the cookie to an actor on every request; helpers open and close sessions. */
import type { Request, RequestHandler, Response } from 'express';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { SessionKind } from '../db/schema-accounts.ts';
import type { SessionNotice } from '../db/schema-accounts.ts';
import { clearNotice, closeSession, openSession, resolveSession, visitorCsrfToken, type OpenSession, type ResolvedSession } from '../accounts/sessions.ts';
import { newToken, sha256 } from '../accounts/crypto.ts';
import { ANONYMOUS, type Actor } from '../accounts/policy.ts';
import { sessionsEnded } from './session-end.ts';

export const SESSION_COOKIE = 'so_session';
/** A visitor's random id, whose signature is the CSRF token of their forms (nothing stored). */
export const VISITOR_COOKIE = 'so_visitor';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Who is asking; anonymous without a live session. */
      actor: Actor;
      /** The live session, if any. */
      session: OpenSession | null;
      /** The CSRF token the next state-changing request must carry: the session's, or the visitor's. */
      csrfToken: string | null;
    }
  }
}

export function readCookie(header: string | undefined, name: string): string | null {
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
  req.csrfToken = req.session?.csrfToken ?? req.csrfToken ?? null;
  res.locals.actor = req.actor;
  res.locals.csrfToken = req.csrfToken;
}

export function sessionMiddleware(db: Kysely<DB>, idleMinutes: number): RequestHandler {
  return async (req, res, next) => {
    // a session already resolved alongside another read (adoptSession) is not read again
    if (!req.session) {
      req.actor = ANONYMOUS;
      req.session = null;
      req.csrfToken = null;
      const token = readCookie(req.headers.cookie, SESSION_COOKIE);
      const resolved = token ? await resolveSession(db, token, idleMinutes) : null;
      if (resolved) adoptSession(req, resolved);
    }
    if (!req.session) {
      const visitorId = readCookie(req.headers.cookie, VISITOR_COOKIE);
      if (visitorId) req.csrfToken = await visitorCsrfToken(db, visitorId);
    }
    expose(req, res);
    // a one-time message (after sign-in) is shown on the next page, then taken off the session
    res.locals.sessionNotice = null;
    if (req.session?.notice && req.method === 'GET' && !req.get('HX-Request')) {
      res.locals.sessionNotice = req.session.notice;
      await clearNotice(db, req.session.token);
    }
    // pages that depend on who is signed in must not be cached or shared
    res.set('Cache-Control', 'no-store');
    next();
  };
}

/** The request is made by this session: for a route that read it alongside its own first read, before sessionMiddleware. */
export function adoptSession(req: Request, resolved: ResolvedSession): void {
  req.actor = resolved.actor;
  req.session = resolved.session;
}

const cookieOptions = (req: Request) => ({ httpOnly: true, sameSite: 'lax' as const, secure: req.secure, path: '/' });

function setCookie(req: Request, res: Response, token: string): void {
  res.cookie(SESSION_COOKIE, token, cookieOptions(req));
}

/** Gives a visitor (no session) a signed CSRF token for the form they are about to post; nothing is stored. */
export async function ensureSession(db: Kysely<DB>, req: Request, res: Response): Promise<void> {
  if (req.session || req.csrfToken) return;
  const visitorId = newToken();
  req.csrfToken = await visitorCsrfToken(db, visitorId);
  res.cookie(VISITOR_COOKIE, visitorId, cookieOptions(req));
  expose(req, res);
}

/** Replaces the current session by a new one (new id, new CSRF token): no fixation across sign-in. */
export async function startSession(
  db: Kysely<DB>,
  req: Request,
  res: Response,
  s: { kind: SessionKind; personId: string; meetingId: string | null; notice?: SessionNotice | null },
): Promise<void> {
  if (req.session) await closeSession(db, req.session.token);
  if (req.session) await sessionsEnded(req, { sessionId: sha256(req.session.token) });
  req.session = await openSession(db, s);
  req.csrfToken = req.session.csrfToken;
  setCookie(req, res, req.session.token);
  if (readCookie(req.headers.cookie, VISITOR_COOKIE)) res.clearCookie(VISITOR_COOKIE, cookieOptions(req));
}

export async function endSession(db: Kysely<DB>, req: Request, res: Response): Promise<void> {
  if (req.session) await closeSession(db, req.session.token);
  if (req.session) await sessionsEnded(req, { sessionId: sha256(req.session.token) });
  req.session = null;
  req.csrfToken = null;
  req.actor = ANONYMOUS;
  res.clearCookie(SESSION_COOKIE, cookieOptions(req));
}
