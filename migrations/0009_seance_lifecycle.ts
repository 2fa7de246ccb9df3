import { sql, type Kysely } from 'kysely';

// A séance has a beginning and an end: when and by whom it was opened and closed, and where it is
// held (for its relevé). A facilitator who rules an objection against the answers of the validity
// test must give a reason: it is kept with the ruling.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('meetings')
    .addColumn('place', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('opened_at', 'timestamptz')
    .addColumn('opened_by', 'uuid', (c) => c.references('persons.id'))
    .addColumn('closed_at', 'timestamptz')
    .addColumn('closed_by', 'uuid', (c) => c.references('persons.id'))
    .execute();
  // the status says what the times say: open means opened, closed means opened and closed
  await sql`update meetings set opened_at = created_at where status in ('open', 'closed') and opened_at is null`.execute(db);
  await sql`update meetings set closed_at = created_at where status = 'closed' and closed_at is null`.execute(db);
  await sql`alter table meetings add constraint meetings_status_times check (
    (status = 'planned' and opened_at is null and closed_at is null)
    or (status = 'open' and opened_at is not null and closed_at is null)
    or (status = 'closed' and opened_at is not null and closed_at is not null))`.execute(db);
  await db.schema.alterTable('objections').addColumn('ruling_reason', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('objections').dropColumn('ruling_reason').execute();
  await sql`alter table meetings drop constraint meetings_status_times`.execute(db);
  await db.schema
    .alterTable('meetings')
    .dropColumn('closed_by')
    .dropColumn('closed_at')
    .dropColumn('opened_by')
    .dropColumn('opened_at')
    .dropColumn('place')
    .execute();
}
