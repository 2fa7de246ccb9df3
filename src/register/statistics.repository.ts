/** The register's figures for its charts: never a training séance's. */
import { sql, type Kysely, type SqlBool } from 'kysely';
import type { DB } from '../db/schema.ts';

/** Decisions per month (Paris time) and outcome, from `from` (a month's first day, 'YYYY-MM-DD'). */
export async function decisionsPerMonth(db: Kysely<DB>, from: string): Promise<{ month: string; stage: string; n: number }[]> {
  return db
    .selectFrom('proposals as p')
    .leftJoin('meetings as m', 'm.id', 'p.meeting_id')
    .where('p.stage', 'in', ['adopted', 'withdrawn', 'postponed'])
    .where(sql<SqlBool>`coalesce(m.is_training, false) = false`)
    .where(sql<SqlBool>`p.closed_at >= (${from}::date)::timestamp at time zone 'Europe/Paris'`)
    .select([sql<string>`to_char(p.closed_at at time zone 'Europe/Paris', 'YYYY-MM')`.as('month'), 'p.stage', sql<number>`count(*)::int`.as('n')])
    .groupBy([sql`1`, 'p.stage'])
    .execute();
}

/** How the objections of decisions ended, counted by outcome. */
export async function objectionOutcomes(db: Kysely<DB>): Promise<{ outcome: string | null; n: number }[]> {
  return db
    .selectFrom('objections as o')
    .innerJoin('proposals as p', 'p.id', 'o.proposal_id')
    .leftJoin('meetings as m', 'm.id', 'p.meeting_id')
    .where('p.stage', 'in', ['adopted', 'withdrawn', 'postponed'])
    .where(sql<SqlBool>`coalesce(m.is_training, false) = false`)
    .select(['o.outcome', sql<number>`count(*)::int`.as('n')])
    .groupBy('o.outcome')
    .execute();
}
