/** Sessions (accounts and guests, stored by the hash of their token): the only SQL about them. */
import { sql } from 'kysely';
import type { Executor } from '../db/schema.ts';
import type { AccountRole, SessionKind, SessionNotice } from '../db/schema-accounts.ts';
import { PREPARED, preparedQuery } from '../db/prepared.ts';

export interface SessionRow {
  idHash: string;
  kind: SessionKind;
  personId: string | null;
  meetingId: string | null;
  csrfToken: string;
  lastSeenAt: Date;
  notice: SessionNotice | null;
}

export async function insertSession(db: Executor, s: Omit<SessionRow, 'lastSeenAt' | 'notice'> & { notice?: SessionNotice | null }): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: s.idHash,
      kind: s.kind,
      person_id: s.personId,
      meeting_id: s.meetingId,
      csrf_token: s.csrfToken,
      notice: s.notice ? JSON.stringify(s.notice) : null,
    })
    .execute();
}

/** The notice is shown once: taken off the session when read. */
export async function clearSessionNotice(db: Executor, idHash: string): Promise<void> {
  await db.updateTable('sessions').set({ notice: null }).where('id_hash', '=', idHash).execute();
}

/** A live session and who it speaks for, read in one query (it runs on every request). */
export interface LiveSessionActorRow extends SessionRow {
  /** The person's display name (null: no person, or it is gone). */
  displayName: string | null;
  /** For an account session: its role, and whether the account is disabled (null: no account). */
  accountRole: AccountRole | null;
  accountDisabled: boolean;
  /** For a guest session: whether the guest is still a member of its meeting (not removed). */
  guestMember: boolean;
}

/** The live session of a token's hash and who it speaks for (a query to run, or to read alongside another: see toLiveSessionActor). */
export function liveSessionActorQuery(db: Executor, idHash: string, idleMinutes: number) {
  return db
    .selectFrom('sessions')
    .leftJoin('persons', 'persons.id', 'sessions.person_id')
    .leftJoin('accounts', 'accounts.person_id', 'sessions.person_id')
    .leftJoin('meeting_members', (join) =>
      join
        .onRef('meeting_members.meeting_id', '=', 'sessions.meeting_id')
        .onRef('meeting_members.person_id', '=', 'sessions.person_id')
        .on('meeting_members.removed_at', 'is', null),
    )
    .select([
      'sessions.id_hash',
      'sessions.kind',
      'sessions.person_id',
      'sessions.meeting_id',
      'sessions.csrf_token',
      'sessions.last_seen_at',
      'sessions.notice',
      'persons.display_name',
      'accounts.role',
      'accounts.disabled_at',
      'meeting_members.person_id as member_id',
    ])
    .where('sessions.id_hash', '=', idHash)
    .where('sessions.last_seen_at', '>', sql<Date>`now() - make_interval(mins => ${idleMinutes})`);
}

/** Run on every request, so prepared (preparedQuery). */
const liveSessionActor = preparedQuery((db: Executor, idHash: string, idleMinutes: number) =>
  liveSessionActorQuery(db, idHash, idleMinutes).modifyEnd(PREPARED),
);

export async function findLiveSessionActor(db: Executor, idHash: string, idleMinutes: number): Promise<LiveSessionActorRow | null> {
  const [r] = await liveSessionActor(db, idHash, idleMinutes);
  return r ? toLiveSessionActor(r) : null;
}

type LiveSessionActorSelect = Awaited<ReturnType<ReturnType<typeof liveSessionActorQuery>['executeTakeFirstOrThrow']>>;

export function toLiveSessionActor(r: LiveSessionActorSelect): LiveSessionActorRow {
  return {
    idHash: r.id_hash,
    kind: r.kind,
    personId: r.person_id,
    meetingId: r.meeting_id,
    csrfToken: r.csrf_token,
    lastSeenAt: r.last_seen_at,
    notice: r.notice,
    displayName: r.display_name ?? null,
    accountRole: r.role ?? null,
    accountDisabled: r.disabled_at !== null && r.disabled_at !== undefined,
    guestMember: r.member_id !== null && r.member_id !== undefined,
  };
}

export async function touchSession(db: Executor, idHash: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: sql`now()` })
    .where('id_hash', '=', idHash)
    .execute();
}

export async function deleteSession(db: Executor, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteSessionsOf(db: Executor, personId: string): Promise<void> {
  await db.deleteFrom('sessions').where('person_id', '=', personId).execute();
}

/** Whether the person has a session seen within the idle window (on any device, any instance). */
export async function hasLiveSession(db: Executor, personId: string, idleMinutes: number): Promise<boolean> {
  const r = await db
    .selectFrom('sessions')
    .select('id_hash')
    .where('person_id', '=', personId)
    .where('last_seen_at', '>', sql<Date>`now() - make_interval(mins => ${idleMinutes})`)
    .executeTakeFirst();
  return r !== undefined;
}

/** Of these sessions, the ones still live (seen within the idle window). */
export async function liveSessionIds(db: Executor, idHashes: readonly string[], idleMinutes: number): Promise<Set<string>> {
  if (idHashes.length === 0) return new Set();
  const rows = await db
    .selectFrom('sessions')
    .select('id_hash')
    .where('id_hash', 'in', [...idHashes])
    .where('last_seen_at', '>', sql<Date>`now() - make_interval(mins => ${idleMinutes})`)
    .execute();
  return new Set(rows.map((r) => r.id_hash));
}

export async function deleteIdleSessions(db: Executor, idleMinutes: number): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where('last_seen_at', '<', sql<Date>`now() - make_interval(mins => ${idleMinutes})`)
    .execute();
}
