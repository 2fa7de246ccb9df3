/** Sessions in the database: opened, resolved to an actor, closed. The cookie carries a token whose hash is the key. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { SessionKind, SessionNotice } from '../db/schema-accounts.ts';
import * as repo from './accounts.repository.ts';
import * as sessionsRepo from './sessions.repository.ts';
import * as throttleRepo from './throttle.repository.ts';
import { newToken, sha256, signToken } from './crypto.ts';
import { ANONYMOUS, type Actor } from './policy.ts';

export interface OpenSession {
  /** The cookie value (never stored). */
  token: string;
  kind: SessionKind;
  csrfToken: string;
  /** A message to show once, on the next page (then cleared). */
  notice?: SessionNotice | null;
}

export async function openSession(
  db: Kysely<DB>,
  s: { kind: SessionKind; personId: string | null; meetingId: string | null; notice?: SessionNotice | null },
): Promise<OpenSession> {
  const token = newToken();
  const csrfToken = newToken();
  await sessionsRepo.insertSession(db, {
    idHash: sha256(token),
    kind: s.kind,
    personId: s.personId,
    meetingId: s.meetingId,
    csrfToken,
    notice: s.notice ?? null,
  });
  return { token, kind: s.kind, csrfToken };
}

export async function clearNotice(db: Kysely<DB>, token: string): Promise<void> {
  await sessionsRepo.clearSessionNotice(db, sha256(token));
}

// --- visitors -------------------------------------------------------------------------
// A visitor (no session yet) holds a random id in a cookie; the CSRF token of their forms is
// that id signed with a secret shared by every instance through the database. Nothing is
// stored per visitor: opening the sign-in or join page a thousand times writes nothing.

const visitorSecrets = new WeakMap<Kysely<DB>, Promise<string>>();

function visitorSecret(db: Kysely<DB>): Promise<string> {
  let secret = visitorSecrets.get(db);
  if (!secret) {
    secret = repo.sharedSecret(db, 'visitor csrf', newToken());
    secret.catch(() => visitorSecrets.delete(db));
    visitorSecrets.set(db, secret);
  }
  return secret;
}

/** The CSRF token of a visitor's forms, computed from the id in their cookie. */
export async function visitorCsrfToken(db: Kysely<DB>, visitorId: string): Promise<string> {
  return signToken(await visitorSecret(db), `visitor:${visitorId}`);
}

export async function closeSession(db: Kysely<DB>, token: string): Promise<void> {
  await sessionsRepo.deleteSession(db, sha256(token));
}

/** The live session behind a cookie and who it speaks for; a session whose account was disabled or whose guest was removed is closed. */
export async function resolveSession(db: Kysely<DB>, token: string, idleMinutes: number): Promise<ResolvedSession | null> {
  // one query for the session, its account or its guest membership, and the name: it runs on every request
  const row = await sessionsRepo.findLiveSessionActor(db, sha256(token), idleMinutes);
  return row ? sessionOf(db, token, row) : null;
}

export interface ResolvedSession {
  session: OpenSession;
  actor: Actor;
}

/**
 * The session a live row speaks for (read by resolveSession, or alongside a command's first read):
 * a session whose account is disabled, or whose guest was removed, speaks for no one and is deleted.
 */
export async function sessionOf(db: Kysely<DB>, token: string, row: sessionsRepo.LiveSessionActorRow): Promise<ResolvedSession | null> {
  let actor: Actor | null = null;
  if (row.kind === 'anonymous') actor = ANONYMOUS;
  else if (row.kind === 'account' && row.personId) {
    if (row.accountRole && !row.accountDisabled && row.displayName !== null)
      actor = { kind: 'account', personId: row.personId, role: row.accountRole, displayName: row.displayName };
  } else if (row.kind === 'guest' && row.personId && row.meetingId) {
    if (row.guestMember && row.displayName !== null) actor = { kind: 'guest', personId: row.personId, meetingId: row.meetingId, displayName: row.displayName };
  }
  if (!actor) {
    await sessionsRepo.deleteSession(db, row.idHash);
    return null;
  }
  // one write a minute at most per session, not one per request
  if (Date.now() - new Date(row.lastSeenAt).getTime() > 60_000) await sessionsRepo.touchSession(db, row.idHash);
  return { session: { token, kind: row.kind, csrfToken: row.csrfToken, notice: row.notice }, actor };
}

/** Housekeeping: idle sessions and failures older than the throttle window go. */
export async function pruneExpired(db: Kysely<DB>, idleMinutes: number, failureWindowMinutes: number): Promise<void> {
  await sessionsRepo.deleteIdleSessions(db, idleMinutes);
  await throttleRepo.deleteOldFailures(db, failureWindowMinutes);
}

/**
 * Prunes now and then every `everyMs` (server.ts starts it; the timer never keeps the process
 * alive). Several instances may prune at once: deleting what is already gone is harmless.
 * Returns the function that stops it.
 */
export function schedulePruning(
  db: Kysely<DB>,
  options: { idleMinutes: number; failureWindowMinutes: number; everyMs: number; onError: (error: unknown) => void },
): () => void {
  const run = () => pruneExpired(db, options.idleMinutes, options.failureWindowMinutes).catch(options.onError);
  void run();
  const timer = setInterval(run, options.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
