import { sql, type Kysely } from 'kysely';

// Two entries of a séance that are one person (a guest who joined twice, or a guest who is also a
// member) are merged by the facilitator. The hash-chained log is never rewritten: the removed entry
// stays in it under its own id, and this audited row makes it an alias of the person kept, through
// which names and presence are read. One row per removed entry (a guest belongs to one séance).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('meeting_merges')
    .addColumn('merged_person_id', 'uuid', (c) => c.primaryKey().references('persons.id'))
    .addColumn('meeting_id', 'uuid', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
    .addColumn('kept_person_id', 'uuid', (c) => c.notNull().references('persons.id'))
    /** the removed entry's name as it was shown, for the relevé */
    .addColumn('merged_name', 'text', (c) => c.notNull())
    .addColumn('merged_by', 'uuid', (c) => c.notNull().references('persons.id'))
    .addColumn('merged_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('meeting_merges_two_entries', sql`merged_person_id <> kept_person_id`)
    .execute();
  await db.schema.createIndex('meeting_merges_meeting').on('meeting_merges').column('meeting_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('meeting_merges').execute();
}
