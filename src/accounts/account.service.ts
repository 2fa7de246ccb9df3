/** Account services: sign-in with its throttle, the admin's account and circle management, password resets. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AccountRole } from '../db/schema-accounts.ts';
import * as repo from './accounts.repository.ts';
import * as sessionsRepo from './sessions.repository.ts';
import * as throttleRepo from './throttle.repository.ts';
import * as circles from '../meetings/circles.repository.ts';
import { hashPassword, newToken, sha256, verifyPassword } from './crypto.ts';
import { authorize, type Actor } from './policy.ts';
import { signInThrottled } from './throttle.ts';

export const ACCOUNT_ROLES: readonly AccountRole[] = ['admin', 'facilitator', 'member', 'observer'];
export const RESET_VALID_HOURS = 72;

export type SignInResult = { ok: true; personId: string; failedSinceLast: number } | { ok: false; reason: 'invalid' | 'throttled' };

/**
 * Checks the throttle first (per account and address, and per address, in the database), then
 * the password. A success says how many attempts failed on the account since its last sign-in.
 */
export async function signIn(db: Kysely<DB>, input: { email: string; password: string; address: string }): Promise<SignInResult> {
  const email = input.email.toLowerCase();
  if (await signInThrottled(db, email, input.address)) return { ok: false, reason: 'throttled' };
  const account = await repo.findAccountByEmail(db, email);
  const matches = await verifyPassword(account && !account.disabled ? account.passwordHash : null, input.password);
  if (!account || account.disabled || !matches) {
    await throttleRepo.recordSignInFailure(db, email, input.address);
    await throttleRepo.countFailedSignIn(db, email);
    return { ok: false, reason: 'invalid' };
  }
  // failures from elsewhere still count against their own addresses
  await throttleRepo.clearFailures(db, email, input.address);
  return { ok: true, personId: account.personId, failedSinceLast: await throttleRepo.takeFailedSignIns(db, account.personId) };
}

export async function listAccounts(db: Kysely<DB>, actor: Actor): Promise<repo.AccountRow[]> {
  authorize(actor, { type: 'accounts.manage' });
  return repo.listAccounts(db);
}

export type CreateAccountResult = { ok: true; personId: string } | { ok: false; field: 'email'; key: string };

/** Creates an account; with no password, the person sets one through a reset link. */
export async function createAccount(
  db: Kysely<DB>,
  actor: Actor | 'system',
  input: { email: string; displayName: string; role: AccountRole; password?: string | null },
): Promise<CreateAccountResult> {
  if (actor !== 'system') authorize(actor, { type: 'accounts.manage' });
  const email = input.email.toLowerCase();
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return db.transaction().execute(async (tx) => {
    if (await repo.findAccountByEmail(tx, email)) return { ok: false, field: 'email', key: 'validation.email_taken' } as const;
    const personId = await repo.insertPerson(tx, input.displayName);
    await repo.insertAccount(tx, { personId, email, role: input.role, passwordHash });
    return { ok: true, personId } as const;
  });
}

export async function changeRole(db: Kysely<DB>, actor: Actor, personId: string, role: AccountRole): Promise<boolean> {
  authorize(actor, { type: 'accounts.manage' });
  const account = await repo.findAccount(db, personId);
  if (!account) return false;
  await repo.updateAccount(db, personId, { role });
  return true;
}

/** Issues a one-time reset link token (shown once, stored hashed); earlier links of the account stop working. */
export async function issuePasswordReset(db: Kysely<DB>, actor: Actor, personId: string): Promise<{ token: string; account: repo.AccountRow } | null> {
  authorize(actor, { type: 'accounts.manage' });
  if (actor.kind !== 'account') return null;
  const account = await repo.findAccount(db, personId);
  if (!account) return null;
  const token = newToken();
  await db.transaction().execute(async (tx) => {
    await throttleRepo.invalidateResetsOf(tx, personId);
    await throttleRepo.insertPasswordReset(tx, { tokenHash: sha256(token), personId, createdBy: actor.personId, validHours: RESET_VALID_HOURS });
  });
  return { token, account };
}

export async function findReset(db: Kysely<DB>, token: string): Promise<repo.AccountRow | null> {
  const reset = await throttleRepo.findValidReset(db, sha256(token));
  return reset ? repo.findAccount(db, reset.personId) : null;
}

/** Sets the new password, burns the token and closes every session of the account. */
export async function resetPassword(db: Kysely<DB>, token: string, password: string): Promise<boolean> {
  const reset = await throttleRepo.findValidReset(db, sha256(token));
  if (!reset) return false;
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (tx) => {
    if (!(await throttleRepo.consumeReset(tx, sha256(token)))) return false;
    await repo.updateAccount(tx, reset.personId, { passwordHash });
    await sessionsRepo.deleteSessionsOf(tx, reset.personId);
    await throttleRepo.clearFailures(tx, (await repo.findAccount(tx, reset.personId))!.email);
    return true;
  });
}

/** For `npm run create-admin`: creates the admin, or makes an existing account admin with the new password. */
export async function upsertAdmin(db: Kysely<DB>, input: { email: string; displayName: string; password: string }): Promise<'created' | 'updated'> {
  const email = input.email.toLowerCase();
  const existing = await repo.findAccountByEmail(db, email);
  if (existing) {
    await repo.updateAccount(db, existing.personId, { role: 'admin', passwordHash: await hashPassword(input.password), disabled: false });
    await repo.renamePerson(db, existing.personId, input.displayName);
    return 'updated';
  }
  await createAccount(db, 'system', { email, displayName: input.displayName, role: 'admin', password: input.password });
  return 'created';
}

// --- circles --------------------------------------------------------------------------

export async function listCirclesForAdmin(db: Kysely<DB>, actor: Actor): Promise<circles.Circle[]> {
  authorize(actor, { type: 'circles.manage' });
  return circles.listCircles(db);
}

export async function createCircle(
  db: Kysely<DB>,
  actor: Actor,
  input: { name: string; description: string },
): Promise<{ ok: true; id: string } | { ok: false; field: 'name'; key: string }> {
  authorize(actor, { type: 'circles.manage' });
  if (await circles.findCircleByName(db, input.name)) return { ok: false, field: 'name', key: 'validation.circle_taken' };
  return { ok: true, id: await circles.insertCircle(db, input) };
}
