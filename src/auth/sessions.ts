/** Sessions in the database: opened, resolved to an actor, closed. The cookie carries a token whose hash is the key. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { SessionKind } from '../db/schema-accounts.ts';
import * as repo from '../repositories/accounts.repository.ts';
import { findMembership } from '../repositories/meetings.repository.ts';
import { newToken, sha256 } from './crypto.ts';
import { ANONYMOUS, type Actor } from './policy.ts';

export interface OpenSession {
  /** The cookie value (never stored). */
  token: string;
  kind: SessionKind;
  csrfToken: string;
}

export async function openSession(db: Kysely<DB>, s: { kind: SessionKind; personId: string | null; meetingId: string | null }): Promise<OpenSession> {
  const token = newToken();
  const csrfToken = newToken();
  await repo.insertSession(db, { idHash: sha256(token), kind: s.kind, personId: s.personId, meetingId: s.meetingId, csrfToken });
  return { token, kind: s.kind, csrfToken };
}

export async function closeSession(db: Kysely<DB>, token: string): Promise<void> {
  await repo.deleteSession(db, sha256(token));
}

/** The live session behind a cookie and who it speaks for; a session whose account was disabled or whose guest was removed is closed. */
export async function resolveSession(db: Kysely<DB>, token: string, idleMinutes: number): Promise<{ session: OpenSession; actor: Actor } | null> {
  const idHash = sha256(token);
  const row = await repo.findLiveSession(db, idHash, idleMinutes);
  if (!row) return null;
  let actor: Actor | null = null;
  if (row.kind === 'anonymous') actor = ANONYMOUS;
  else if (row.kind === 'account' && row.personId) {
    const account = await repo.findAccount(db, row.personId);
    if (account && !account.disabled) actor = { kind: 'account', personId: account.personId, role: account.role, displayName: account.displayName };
  } else if (row.kind === 'guest' && row.personId && row.meetingId) {
    const membership = await findMembership(db, row.meetingId, row.personId);
    const name = membership ? await repo.findPersonName(db, row.personId) : null;
    if (membership && name !== null) actor = { kind: 'guest', personId: row.personId, meetingId: row.meetingId, displayName: name };
  }
  if (!actor) {
    await repo.deleteSession(db, idHash);
    return null;
  }
  // one write a minute at most per session, not one per request
  if (Date.now() - new Date(row.lastSeenAt).getTime() > 60_000) await repo.touchSession(db, idHash);
  return { session: { token, kind: row.kind, csrfToken: row.csrfToken }, actor };
}

/** Housekeeping at each sign-in: idle sessions and failures older than the throttle window go. */
export async function pruneExpired(db: Kysely<DB>, idleMinutes: number, failureWindowMinutes: number): Promise<void> {
  await repo.deleteIdleSessions(db, idleMinutes);
  await repo.deleteOldFailures(db, failureWindowMinutes);
}
