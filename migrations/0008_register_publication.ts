import { sql, type Kysely } from 'kysely';

// The register, second part: what its events add to a decision, as plain columns of the
// proposals read model (written by the projection, like every other column, and compared by
// verify-log --read-models): when it was published, and which decision a proposal revises.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('proposals').addColumn('published_at', 'timestamptz').addColumn('revises_id', 'uuid').execute();
  // Projected from the states of decisions published before this column existed (none yet, but the state is the truth).
  await sql`
    update proposals set
      published_at = (state->'publication'->>'at')::timestamptz,
      revises_id = (state->>'revises')::uuid
    where state ? 'publication' or state ? 'revises'`.execute(db);
  // /decisions-publiques walks the published decisions newest first.
  await sql`create index proposals_published_idx on proposals (closed_at desc, id desc) where published_at is not null and stage in ('adopted', 'withdrawn', 'postponed')`.execute(
    db,
  );
  await sql`create index proposals_revises_idx on proposals (revises_id) where revises_id is not null`.execute(db);
  // « Révisions » lists adopted decisions by review date.
  await sql`create index proposals_review_idx on proposals (review_date, id) where stage = 'adopted' and review_date is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index proposals_review_idx`.execute(db);
  await sql`drop index proposals_revises_idx`.execute(db);
  await sql`drop index proposals_published_idx`.execute(db);
  await db.schema.alterTable('proposals').dropColumn('revises_id').dropColumn('published_at').execute();
}
