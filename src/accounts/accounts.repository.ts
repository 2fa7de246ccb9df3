/** Accounts and people: the only SQL about them (sessions: sessions.repository.ts; the throttle and resets: throttle.repository.ts). */
import { sql } from 'kysely';
import type { Executor } from '../db/schema.ts';
import type { AccountRole } from '../db/schema-accounts.ts';
import { keptPersons } from '../meetings/merge.repository.ts';

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

// --- sign-in throttle -----------------------------------------------------------------

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

// --- password resets ------------------------------------------------------------------

export async function findPersonName(db: Executor, personId: string): Promise<string | null> {
  const r = await db.selectFrom('persons').select('display_name').where('id', '=', personId).executeTakeFirst();
  return r?.display_name ?? null;
}

/** Display names of the given people; an entry merged into another person (migration 0016) is named as the person kept. */
export async function personNames(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const kept = await keptPersons(db, ids);
  const final = (id: string) => kept.get(id) ?? id;
  const rows = await db
    .selectFrom('persons')
    .select(['id', 'display_name'])
    .where('id', 'in', [...new Set(ids.map(final))])
    .execute();
  const names = new Map(rows.map((r) => [r.id, r.display_name]));
  return new Map(ids.filter((id) => names.has(final(id))).map((id) => [id, names.get(final(id))!]));
}
