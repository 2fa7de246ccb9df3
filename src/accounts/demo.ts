/** Demo accounts and a circle for trying the app on the embedded database: never in production (see config SEED_DEMO). */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AccountRole } from '../db/schema-accounts.ts';
import { countAccounts } from './accounts.repository.ts';
import { findCircleByName, insertCircle } from '../meetings/meetings.repository.ts';
import { createAccount } from './account.service.ts';

export const DEMO_PASSWORD = 'demo-consentement';

export const DEMO_ACCOUNTS: readonly { email: string; displayName: string; role: AccountRole }[] = [
  { email: 'admin@demo.local', displayName: 'Alix Administratrice', role: 'admin' },
  { email: 'facilitation@demo.local', displayName: 'Farid Facilitateur', role: 'facilitator' },
  { email: 'membre@demo.local', displayName: 'Maëlle Membre', role: 'member' },
  { email: 'elue@demo.local', displayName: 'Élise Élue', role: 'observer' },
];

/** Seeds only an installation that has no account yet; returns whether it did. */
export async function seedDemo(db: Kysely<DB>): Promise<boolean> {
  if ((await countAccounts(db)) > 0) return false;
  for (const account of DEMO_ACCOUNTS) await createAccount(db, 'system', { ...account, password: DEMO_PASSWORD });
  if (!(await findCircleByName(db, 'Direction générale'))) await insertCircle(db, { name: 'Direction générale', description: 'Cercle de démonstration.' });
  return true;
}
