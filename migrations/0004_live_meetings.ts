import { sql, type Kysely } from 'kysely';

// Live meetings: a double click must store one contribution (idempotency keys, written in the
// same transaction as the events), and people in the room without a device are members too.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('command_keys')
    .addColumn('key', 'uuid', (c) => c.primaryKey())
    .addColumn('proposal_id', 'uuid', (c) => c.notNull())
    .addColumn('person_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .alterTable('meeting_members')
    .addColumn('has_device', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('meeting_members').dropColumn('has_device').execute();
  await db.schema.dropTable('command_keys').execute();
}
