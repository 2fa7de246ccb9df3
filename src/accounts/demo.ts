/** Demo accounts and a circle for trying the app on the embedded database: never in production (see config SEED_DEMO). */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AccountRole } from '../db/schema-accounts.ts';
import { countAccounts } from './accounts.repository.ts';
import { findCircleByName, insertCircle } from '../meetings/circles.repository.ts';
import { createAccount } from './account.service.ts';
import { seedDemoHistory } from './demo-history.ts';

export const DEMO_PASSWORD = 'demo-consentement';

export const DEMO_ACCOUNTS: readonly { email: string; displayName: string; role: AccountRole }[] = [
  { email: 'admin@demo.local', displayName: 'Alix Administratrice', role: 'admin' },
  { email: 'facilitation@demo.local', displayName: 'Farid Facilitateur', role: 'facilitator' },
  { email: 'membre@demo.local', displayName: 'Maëlle Membre', role: 'member' },
  { email: 'elue@demo.local', displayName: 'Élise Élue', role: 'observer' },
];

/**
 * Seeds only an installation that has no account yet; returns whether it did. With the accounts
 * comes a year of the circle's register (demo-history.ts), so the élue has something to read.
 */
export async function seedDemo(db: Kysely<DB>, now: Date = new Date()): Promise<boolean> {
  if ((await countAccounts(db)) > 0) return false;
  const people = new Map<AccountRole, string>();
  for (const account of DEMO_ACCOUNTS) {
    const created = await createAccount(db, 'system', { ...account, password: DEMO_PASSWORD });
    if (created.ok) people.set(account.role, created.personId);
  }
  const circleId =
    (await findCircleByName(db, 'Direction générale'))?.id ?? (await insertCircle(db, { name: 'Direction générale', description: 'Cercle de démonstration.' }));
  const facilitator = DEMO_ACCOUNTS.find((a) => a.role === 'facilitator')!;
  const [farid, maelle, alix] = [people.get('facilitator'), people.get('member'), people.get('admin')];
  if (farid && maelle && alix)
    await seedDemoHistory(
      db,
      { facilitator: { kind: 'account', personId: farid, role: 'facilitator', displayName: facilitator.displayName }, member: maelle, admin: alix, circleId },
      now,
    );
  return true;
}
