/** Accounts, sessions, the sign-in throttle and password resets: the only SQL about them. */
import { sql } from 'kysely';
import type { Executor } from '../db/schema.ts';
import type { AccountRole, SessionKind, SessionNotice } from '../db/schema-accounts.ts';

export interface AccountRow {
  personId: string;
  email: string;
  role: AccountRole;
  displayName: string;
  passwordHash: string | null;
  disabled: boolean;
}

const accountColumns = [
  'accounts.person_id',
  'accounts.email',
  'accounts.role',
  'accounts.password_hash',
  'accounts.disabled_at',
  'persons.display_name',
] as const;

function toAccount(r: {
  person_id: string;
  email: string;
  role: AccountRole;
  password_hash: string | null;
  disabled_at: Date | null;
  display_name: string;
}): AccountRow {
  return { personId: r.person_id, email: r.email, role: r.role, displayName: r.display_name, passwordHash: r.password_hash, disabled: r.disabled_at !== null };
}

export async function findAccountByEmail(db: Executor, email: string): Promise<AccountRow | null> {
  const r = await db
    .selectFrom('accounts')
    .innerJoin('persons', 'persons.id', 'accounts.person_id')
    .select(accountColumns)
    .where('accounts.email', '=', email)
    .executeTakeFirst();
  return r ? toAccount(r) : null;
}

export async function findAccount(db: Executor, personId: string): Promise<AccountRow | null> {
  const r = await db
    .selectFrom('accounts')
    .innerJoin('persons', 'persons.id', 'accounts.person_id')
    .select(accountColumns)
    .where('accounts.person_id', '=', personId)
    .executeTakeFirst();
  return r ? toAccount(r) : null;
}

export async function listAccounts(db: Executor): Promise<AccountRow[]> {
  const rows = await db
    .selectFrom('accounts')
    .innerJoin('persons', 'persons.id', 'accounts.person_id')
    .select(accountColumns)
    .orderBy('persons.display_name')
    .execute();
  return rows.map(toAccount);
}

export async function countAccounts(db: Executor): Promise<number> {
  const r = await db
    .selectFrom('accounts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertPerson(db: Executor, displayName: string): Promise<string> {
  const r = await db.insertInto('persons').values({ display_name: displayName }).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function insertAccount(db: Executor, a: { personId: string; email: string; role: AccountRole; passwordHash: string | null }): Promise<void> {
  await db.insertInto('accounts').values({ person_id: a.personId, email: a.email, role: a.role, password_hash: a.passwordHash }).execute();
}

export async function updateAccount(db: Executor, personId: string, patch: { role?: AccountRole; passwordHash?: string; disabled?: boolean }): Promise<void> {
  const values: Record<string, unknown> = {};
  if (patch.role) values.role = patch.role;
  if (patch.passwordHash) values.password_hash = patch.passwordHash;
  if (patch.disabled !== undefined) values.disabled_at = patch.disabled ? sql`now()` : null;
  await db.updateTable('accounts').set(values).where('person_id', '=', personId).execute();
}

export async function renamePerson(db: Executor, personId: string, displayName: string): Promise<void> {
  await db.updateTable('persons').set({ display_name: displayName }).where('id', '=', personId).execute();
}

// --- sessions -------------------------------------------------------------------------

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

/** The session, if it was seen within the idle window. */
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

export async function findLiveSessionActor(db: Executor, idHash: string, idleMinutes: number): Promise<LiveSessionActorRow | null> {
  const r = await db
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
    .where('sessions.last_seen_at', '>', sql<Date>`now() - make_interval(mins => ${idleMinutes})`)
    .executeTakeFirst();
  if (!r) return null;
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

// --- sign-in throttle -----------------------------------------------------------------

export async function recordSignInFailure(db: Executor, email: string, address: string): Promise<void> {
  await db.insertInto('sign_in_failures').values({ email, address }).execute();
}

/** Failures within the window (of an email, an address, or both together) and when the last one happened. */
export async function recentFailures(
  db: Executor,
  by: { email?: string; address?: string },
  windowMinutes: number,
): Promise<{ count: number; last: Date | null }> {
  let q = db
    .selectFrom('sign_in_failures')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('failed_at').as('last')])
    .where('failed_at', '>', sql<Date>`now() - make_interval(mins => ${windowMinutes})`);
  if (by.email !== undefined) q = q.where('email', '=', by.email);
  if (by.address !== undefined) q = q.where('address', '=', by.address);
  const r = await q.executeTakeFirstOrThrow();
  return { count: Number(r.n), last: r.last ? new Date(r.last) : null };
}

/** Counts a failed sign-in on the account (if it exists), to tell its owner at the next sign-in. */
export async function countFailedSignIn(db: Executor, email: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set((eb) => ({ failed_sign_ins: eb('failed_sign_ins', '+', 1) }))
    .where('email', '=', email)
    .execute();
}

/** The failed sign-ins counted since the last successful one, and the count back to zero. */
export async function takeFailedSignIns(db: Executor, personId: string): Promise<number> {
  const r = await sql<{ n: number }>`
    update accounts a set failed_sign_ins = 0 from accounts before
    where a.person_id = ${personId} and before.person_id = a.person_id
    returning before.failed_sign_ins as n`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** A secret shared by every app instance: the first one to ask stores `fresh`, every one reads the stored value. */
export async function sharedSecret(db: Executor, name: string, fresh: string): Promise<string> {
  await db
    .insertInto('app_secrets')
    .values({ name, value: fresh })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const r = await db.selectFrom('app_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return r.value;
}

/** Forgets the failures of an email (from one address, or from all). */
export async function clearFailures(db: Executor, email: string, address?: string): Promise<void> {
  let q = db.deleteFrom('sign_in_failures').where('email', '=', email);
  if (address !== undefined) q = q.where('address', '=', address);
  await q.execute();
}

// --- password resets ------------------------------------------------------------------

export async function insertPasswordReset(db: Executor, r: { tokenHash: string; personId: string; createdBy: string; validHours: number }): Promise<void> {
  await db
    .insertInto('password_resets')
    .values({ token_hash: r.tokenHash, person_id: r.personId, created_by: r.createdBy, expires_at: sql<Date>`now() + make_interval(hours => ${r.validHours})` })
    .execute();
}

/** The account a reset token is for, if unused and not expired. */
export async function findValidReset(db: Executor, tokenHash: string): Promise<{ personId: string } | null> {
  const r = await db
    .selectFrom('password_resets')
    .select('person_id')
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return r ? { personId: r.person_id } : null;
}

/** Marks the token used; false when someone used it first. */
export async function consumeReset(db: Executor, tokenHash: string): Promise<boolean> {
  const r = await db
    .updateTable('password_resets')
    .set({ used_at: sql`now()` })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function invalidateResetsOf(db: Executor, personId: string): Promise<void> {
  await db
    .updateTable('password_resets')
    .set({ used_at: sql`now()` })
    .where('person_id', '=', personId)
    .where('used_at', 'is', null)
    .execute();
}

export async function findPersonName(db: Executor, personId: string): Promise<string | null> {
  const r = await db.selectFrom('persons').select('display_name').where('id', '=', personId).executeTakeFirst();
  return r?.display_name ?? null;
}

/** Display names of these persons, by id (unknown ids are left out). */
export async function findPersonNames(db: Executor, ids: readonly string[]): Promise<Record<string, string>> {
  if (ids.length === 0) return {};
  const rows = await db
    .selectFrom('persons')
    // an entry merged into another person (migration 0016) is named as that person
    .leftJoin('meeting_merges', 'meeting_merges.merged_person_id', 'persons.id')
    .leftJoin('persons as kept', 'kept.id', 'meeting_merges.kept_person_id')
    .select(['persons.id', sql<string>`coalesce(kept.display_name, persons.display_name)`.as('display_name')])
    .where('persons.id', 'in', [...ids])
    .execute();
  return Object.fromEntries(rows.map((r) => [r.id, r.display_name]));
}

export async function deleteOldFailures(db: Executor, windowMinutes: number): Promise<void> {
  await db
    .deleteFrom('sign_in_failures')
    .where('failed_at', '<', sql<Date>`now() - make_interval(mins => ${windowMinutes})`)
    .execute();
}
