import { sql, type Kysely } from 'kysely';

// Trainer mode: a training session is a real meeting flagged as such (so people join it by code
// and follow its live stream), with its scenario, the personas' positions and the dot vote.
// Nothing here is a decision: the register filters meetings.is_training out.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('meetings')
    .addColumn('is_training', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema
    .createTable('training_sessions')
    .addColumn('meeting_id', 'uuid', (c) => c.primaryKey().references('meetings.id').onDelete('cascade'))
    .addColumn('scenario_id', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) =>
      c
        .notNull()
        .defaultTo('secret')
        .check(sql`phase in ('secret', 'revealed')`),
    )
    .addColumn('votes_per_person', 'smallint', (c) =>
      c
        .notNull()
        .defaultTo(2)
        .check(sql`votes_per_person between 1 and 10`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('training_personas')
    .addColumn('meeting_id', 'uuid', (c) => c.notNull().references('training_sessions.meeting_id').onDelete('cascade'))
    .addColumn('persona_id', 'text', (c) => c.notNull())
    .addColumn('ordinal', 'smallint', (c) => c.notNull())
    .addColumn('position', 'smallint', (c) => c.check(sql`position between 1 and 5`))
    .addColumn('taken_by', 'uuid', (c) => c.references('persons.id'))
    .addPrimaryKeyConstraint('training_personas_pk', ['meeting_id', 'persona_id'])
    .execute();
  // a trainee plays one persona at a time
  await sql`create unique index training_personas_one_each on training_personas (meeting_id, taken_by) where taken_by is not null`.execute(db);
  await db.schema
    .createTable('training_votes')
    .addColumn('meeting_id', 'uuid', (c) => c.notNull().references('training_sessions.meeting_id').onDelete('cascade'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('persons.id'))
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('dots', 'smallint', (c) => c.notNull().check(sql`dots > 0`))
    .addPrimaryKeyConstraint('training_votes_pk', ['meeting_id', 'person_id', 'project_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('training_votes').execute();
  await db.schema.dropTable('training_personas').execute();
  await db.schema.dropTable('training_sessions').execute();
  await db.schema.alterTable('meetings').dropColumn('is_training').execute();
}
