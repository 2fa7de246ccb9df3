/** The verifications of the whole log the register shows (« Registre vérifié »): record one, read the latest. */
import type { Kysely } from 'kysely';
import type { DB, Executor } from '../db/schema.ts';
import type { ChainBreak } from '../ledger/verify.ts';
import type { RegisterTables } from './schema.ts';

export interface VerificationRow {
  verifiedAt: Date;
  verifiedBy: string | null;
  /** the name of who ran it; null from the command line */
  verifiedByName: string | null;
  chains: number;
  events: number;
  breaks: number;
  firstBreak: ChainBreak | null;
}

const withRegister = (db: Executor) => (db as Kysely<DB>).withTables<RegisterTables>();

export async function insertVerification(db: Executor, row: Omit<VerificationRow, 'verifiedByName'>): Promise<void> {
  await withRegister(db)
    .insertInto('register_verifications')
    .values({
      verified_at: row.verifiedAt,
      verified_by: row.verifiedBy,
      chains: row.chains,
      events: row.events,
      breaks: row.breaks,
      first_break: row.firstBreak ? JSON.stringify(row.firstBreak) : null,
    })
    .execute();
}

export async function latestVerification(db: Executor): Promise<VerificationRow | null> {
  const row = await withRegister(db)
    .selectFrom('register_verifications as v')
    .leftJoin('persons as p', 'p.id', 'v.verified_by')
    .select(['v.verified_at', 'v.verified_by', 'p.display_name', 'v.chains', 'v.events', 'v.breaks', 'v.first_break'])
    .orderBy('v.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return {
    verifiedAt: new Date(row.verified_at),
    verifiedBy: row.verified_by,
    verifiedByName: row.display_name ?? null,
    chains: row.chains,
    events: Number(row.events),
    breaks: row.breaks,
    firstBreak: (row.first_break as ChainBreak | null) ?? null,
  };
}
