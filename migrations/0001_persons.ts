import { sql, type Kysely } from 'kysely';

// People are kept apart from what they said, so a person can be pseudonymised
// without touching the hash-chained event log that refers to them by id.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('persons')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('display_name', 'text', (c) => c.notNull().check(sql`char_length(display_name) between 1 and 120`))
    .addColumn('pseudonymised_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('persons').execute();
}
