import { sql, type Kysely } from 'kysely';

// The dot vote (« C’est mon choix ») on a real séance's agenda: the facilitator opens it, each
// participant spreads a few dots over the items still to be taken up, and closing it stores the
// order the agenda then follows (the items' rank; an item added later comes after the ranked ones).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('agenda_dot_votes')
    .addColumn('meeting_id', 'uuid', (c) => c.primaryKey().references('meetings.id').onDelete('cascade'))
    .addColumn('votes_per_person', 'smallint', (c) =>
      c
        .notNull()
        .defaultTo(2)
        .check(sql`votes_per_person between 1 and 10`),
    )
    .addColumn('opened_by', 'uuid', (c) => c.notNull().references('persons.id'))
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('closed_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('agenda_dots')
    .addColumn('meeting_id', 'uuid', (c) => c.notNull().references('agenda_dot_votes.meeting_id').onDelete('cascade'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('persons.id'))
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id'))
    .addColumn('dots', 'smallint', (c) => c.notNull().check(sql`dots > 0`))
    .addPrimaryKeyConstraint('agenda_dots_pk', ['meeting_id', 'person_id', 'proposal_id'])
    .execute();
  await db.schema
    .createTable('agenda_order')
    .addColumn('meeting_id', 'uuid', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id'))
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('agenda_order_pk', ['meeting_id', 'proposal_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('agenda_order').execute();
  await db.schema.dropTable('agenda_dots').execute();
  await db.schema.dropTable('agenda_dot_votes').execute();
}
