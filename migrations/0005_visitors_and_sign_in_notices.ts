import { sql, type Kysely } from 'kysely';

// Visitors no longer get a row in sessions: their CSRF token is signed with a secret that every
// app instance reads from app_secrets (created once, by whichever instance asks first).
// The sign-in throttle no longer locks an account: its owner is told, at the next sign-in, how
// many attempts failed since the last one (accounts.failed_sign_ins), through a one-time notice
// on the new session (sessions.notice).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('app_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .alterTable('accounts')
    .addColumn('failed_sign_ins', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('sessions').addColumn('notice', 'jsonb').execute();
  // pairs of (account, address) are counted together by the throttle
  await db.schema.createIndex('sign_in_failures_email_address_idx').on('sign_in_failures').columns(['email', 'address', 'failed_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sign_in_failures_email_address_idx').execute();
  await db.schema.alterTable('sessions').dropColumn('notice').execute();
  await db.schema.alterTable('accounts').dropColumn('failed_sign_ins').execute();
  await db.schema.dropTable('app_secrets').execute();
}
