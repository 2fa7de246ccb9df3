import { sql, type Kysely } from 'kysely';

// Submission keys were global: a key already used by one person on one proposal made another
// person's submission with the same key answer "saved" while nothing was stored. A key now
// belongs to (person, proposal), and keeps a fingerprint of what was sent, so that a reused key
// with a different body is refused rather than taken for a double click.
export async function up(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('command_keys').where('person_id', 'is', null).execute();
  await db.schema.alterTable('command_keys').dropConstraint('command_keys_pkey').execute();
  await db.schema
    .alterTable('command_keys')
    .alterColumn('person_id', (c) => c.setNotNull())
    .execute();
  await db.schema.alterTable('command_keys').addColumn('fingerprint', 'text').execute();
  // Same constraint name as before: a concurrent twin still hits it and is retried as a double click.
  await db.schema.alterTable('command_keys').addPrimaryKeyConstraint('command_keys_pkey', ['person_id', 'proposal_id', 'key']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('command_keys').dropConstraint('command_keys_pkey').execute();
  // keep one row per key, the oldest, so the global key can be the primary key again
  await sql`delete from command_keys a using command_keys b where a.key = b.key and (a.created_at, a.person_id, a.proposal_id) > (b.created_at, b.person_id, b.proposal_id)`.execute(
    db,
  );
  await db.schema.alterTable('command_keys').dropColumn('fingerprint').execute();
  await db.schema
    .alterTable('command_keys')
    .alterColumn('person_id', (c) => c.dropNotNull())
    .execute();
  await db.schema.alterTable('command_keys').addPrimaryKeyConstraint('command_keys_pkey', ['key']).execute();
}
