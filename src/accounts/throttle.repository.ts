/** The sign-in throttle (failures by email and address) and password resets: the only SQL about them. */
import { sql } from 'kysely';
import type { Executor } from '../db/schema.ts';

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

/** Forgets the failures of an email (from one address, or from all). */
export async function clearFailures(db: Executor, email: string, address?: string): Promise<void> {
  let q = db.deleteFrom('sign_in_failures').where('email', '=', email);
  if (address !== undefined) q = q.where('address', '=', address);
  await q.execute();
}

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

export async function deleteOldFailures(db: Executor, windowMinutes: number): Promise<void> {
  await db
    .deleteFrom('sign_in_failures')
    .where('failed_at', '<', sql<Date>`now() - make_interval(mins => ${windowMinutes})`)
    .execute();
}
