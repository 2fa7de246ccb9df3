import type { Kysely } from 'kysely';

// Trainer mode plays a real proposal: each persona is a person of the training séance (so the
// consent core sees its turns), the trainer may hold a persona (the app stops playing it), and
// the session knows its proposal and its auto-play speed.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('training_sessions')
    // no foreign key: the proposal row is the projection of its first event, written just after
    .addColumn('proposal_id', 'uuid')
    .addColumn('autoplay_seconds', 'smallint')
    .execute();
  await db.schema
    .alterTable('training_personas')
    .addColumn('person_id', 'uuid', (c) => c.references('persons.id'))
    .addColumn('held', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('training_personas').dropColumn('held').dropColumn('person_id').execute();
  await db.schema.alterTable('training_sessions').dropColumn('autoplay_seconds').dropColumn('proposal_id').execute();
}
