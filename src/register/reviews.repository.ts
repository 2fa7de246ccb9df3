/** The register's reviews: decisions whose review date is near or past, and the proposals that revise them. */
import { sql, type Kysely, type SqlBool } from 'kysely';
import type { DB } from '../db/schema.ts';

export interface ReviewRow {
  id: string;
  title: string;
  review_date: string;
  closed_at: Date;
  criteria: string;
  circle_name: string | null;
  revision_id: string | null;
  revision_title: string | null;
  revision_stage: string | null;
}

/** Adopted decisions (never a training séance's) whose review date is before `until`, the most overdue first. */
export async function reviewsDue(db: Kysely<DB>, until: string, limit: number): Promise<ReviewRow[]> {
  return (await db
    .selectFrom('proposals as p')
    .leftJoin('meetings as m', 'm.id', 'p.meeting_id')
    .leftJoin('circles as c', 'c.id', 'm.circle_id')
    .where('p.stage', '=', 'adopted')
    .where('p.review_date', 'is not', null)
    .where(sql<SqlBool>`p.review_date <= ${until}::date`)
    .where(sql<SqlBool>`coalesce(m.is_training, false) = false`)
    .select([
      'p.id',
      'p.title',
      sql<string>`p.review_date::text`.as('review_date'),
      'p.closed_at',
      'p.criteria',
      'c.name as circle_name',
      // the latest proposal that revises it, if one was opened
      sql<string | null>`(select r.id from proposals r where r.revises_id = p.id order by r.created_at desc limit 1)`.as('revision_id'),
      sql<string | null>`(select r.title from proposals r where r.revises_id = p.id order by r.created_at desc limit 1)`.as('revision_title'),
      sql<string | null>`(select r.stage from proposals r where r.revises_id = p.id order by r.created_at desc limit 1)`.as('revision_stage'),
    ])
    .orderBy('p.review_date')
    .orderBy('p.id')
    .limit(limit)
    .execute()) as ReviewRow[];
}

export interface LinkedProposal {
  id: string;
  title: string;
  stage: string;
  meeting_id: string | null;
}

/** The proposals opened to revise a decision, oldest first. */
export async function revisionsOf(db: Kysely<DB>, id: string): Promise<LinkedProposal[]> {
  return db.selectFrom('proposals').select(['id', 'title', 'stage', 'meeting_id']).where('revises_id', '=', id).orderBy('created_at').execute();
}

/** The decision a proposal revises, if any. */
export async function revisedDecision(db: Kysely<DB>, proposalId: string): Promise<LinkedProposal | null> {
  const row = await db
    .selectFrom('proposals as p')
    .innerJoin('proposals as d', 'd.id', 'p.revises_id')
    .select(['d.id', 'd.title', 'd.stage', 'd.meeting_id'])
    .where('p.id', '=', proposalId)
    .executeTakeFirst();
  return row ?? null;
}

/** Séances where the person may table a proposal (facilitator, secretary or member; any for an admin), newest first; never a training one. */
export async function meetingsForDraft(db: Kysely<DB>, personId: string, isAdmin: boolean): Promise<{ id: string; title: string; scheduled_for: Date }[]> {
  let q = db.selectFrom('meetings as m').select(['m.id', 'm.title', 'm.scheduled_for']).where('m.is_training', '=', false).where('m.status', '!=', 'closed');
  if (!isAdmin) {
    q = q.where((eb) =>
      eb.or([
        eb('m.facilitator_person_id', '=', personId),
        eb('m.secretary_person_id', '=', personId),
        eb.exists(
          eb
            .selectFrom('meeting_members as mm')
            .select('mm.person_id')
            .whereRef('mm.meeting_id', '=', 'm.id')
            .where('mm.person_id', '=', personId)
            .where('mm.removed_at', 'is', null)
            .where('mm.role', '!=', 'observer'),
        ),
      ]),
    );
  }
  return q.orderBy('m.scheduled_for', 'desc').limit(100).execute();
}
