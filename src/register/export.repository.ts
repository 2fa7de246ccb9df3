/** What the exports read besides the register's pages: each decision's objections, final texts and pseudonyms. */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { keptPersons } from '../meetings/merge.repository.ts';

export interface ObjectionExportRow {
  proposal_id: string;
  proposal_title: string;
  id: string;
  objector_id: string;
  recorded_by: string | null;
  reasoning: string;
  raised_at: Date;
  version_number: number;
  test_answers: Record<string, boolean> | null;
  ruling: string | null;
  ruled_by: string | null;
  ruled_at: Date | null;
  outcome: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  follow_up_date: string | null;
}

/** The objections of the given decisions (one page of them at a time). */
export async function objectionsOf(db: Kysely<DB>, proposalIds: readonly string[]): Promise<ObjectionExportRow[]> {
  if (proposalIds.length === 0) return [];
  return (await db
    .selectFrom('objections as o')
    .innerJoin('proposals as p', 'p.id', 'o.proposal_id')
    .select([
      'o.proposal_id',
      'p.title as proposal_title',
      'o.id',
      'o.objector_id',
      'o.recorded_by',
      'o.reasoning',
      'o.raised_at',
      'o.version_number',
      'o.test_answers',
      'o.ruling',
      'o.ruled_by',
      'o.ruled_at',
      'o.outcome',
      'o.decided_by',
      'o.decided_at',
      'o.follow_up_date',
    ])
    .where('o.proposal_id', 'in', [...proposalIds])
    .orderBy('o.proposal_id')
    .orderBy('o.raised_at')
    .execute()) as ObjectionExportRow[];
}

/** The final text of each given decision. */
export async function finalTexts(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('proposal_versions as v')
    .innerJoin('proposals as p', (j) => j.onRef('p.id', '=', 'v.proposal_id').onRef('p.current_version', '=', 'v.number'))
    .select(['v.proposal_id', 'v.text'])
    .where('v.proposal_id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.proposal_id, r.text]));
}

/**
 * A stable number for every person, in the order they were created: the open data's pseudonyms.
 * An entry merged into another person (migration 0016) is that person: it has the kept one's number.
 */
export async function pseudonymNumbers(db: Kysely<DB>): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('persons')
    .select(['id', sql<number>`row_number() over (order by created_at, id)::int`.as('n')])
    .execute();
  const numbers = new Map(rows.map((r) => [r.id, r.n]));
  for (const [merged, kept] of await keptPersons(db)) {
    const n = numbers.get(kept);
    if (n !== undefined) numbers.set(merged, n);
  }
  return numbers;
}
