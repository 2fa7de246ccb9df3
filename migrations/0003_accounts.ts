import { sql, type Kysely } from 'kysely';

// One installation serves one organisation: accounts, circles, sessions and the sign-in
// throttle live in the database, so several app instances share them. An account or a
// guest is a person (persons.id), which is what the event log refers to.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('circles')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) =>
      c
        .notNull()
        .unique()
        .check(sql`char_length(name) between 1 and 120`),
    )
    .addColumn('description', 'text', (c) =>
      c
        .notNull()
        .defaultTo('')
        .check(sql`char_length(description) <= 2000`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('person_id', 'uuid', (c) => c.primaryKey().references('persons.id').onDelete('restrict'))
    .addColumn('email', 'text', (c) =>
      c
        .notNull()
        .unique()
        .check(sql`email = lower(email) and char_length(email) between 3 and 254`),
    )
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'facilitator', 'member', 'observer')`))
    // null until the person sets a password through a one-time link
    .addColumn('password_hash', 'text')
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('sessions')
    // sha-256 of the cookie value: a copy of the table does not give working sessions
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('anonymous', 'account', 'guest')`))
    .addColumn('person_id', 'uuid', (c) => c.references('persons.id').onDelete('cascade'))
    .addColumn('meeting_id', 'uuid')
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'sessions_kind_shape',
      sql`(kind = 'anonymous' and person_id is null and meeting_id is null) or (kind = 'account' and person_id is not null and meeting_id is null) or (kind = 'guest' and person_id is not null and meeting_id is not null)`,
    )
    .execute();
  await db.schema.createIndex('sessions_last_seen_idx').on('sessions').column('last_seen_at').execute();
  await db.schema.createIndex('sessions_person_idx').on('sessions').column('person_id').execute();

  await db.schema
    .createTable('sign_in_failures')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('failed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('sign_in_failures_email_idx').on('sign_in_failures').columns(['email', 'failed_at']).execute();
  await db.schema.createIndex('sign_in_failures_address_idx').on('sign_in_failures').columns(['address', 'failed_at']).execute();

  await db.schema
    .createTable('password_resets')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('accounts.person_id').onDelete('cascade'))
    .addColumn('created_by', 'uuid', (c) => c.notNull().references('persons.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('meetings')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('circle_id', 'uuid', (c) => c.notNull().references('circles.id'))
    .addColumn('title', 'text', (c) => c.notNull().check(sql`char_length(title) between 1 and 200`))
    .addColumn('scheduled_for', 'timestamptz', (c) => c.notNull())
    .addColumn('join_code', 'text', (c) =>
      c
        .notNull()
        .unique()
        .check(sql`join_code ~ '^[A-HJKMNP-Z2-9]{6,12}$'`),
    )
    .addColumn('facilitator_person_id', 'uuid', (c) => c.notNull().references('persons.id'))
    .addColumn('secretary_person_id', 'uuid', (c) => c.references('persons.id'))
    .addColumn('created_by', 'uuid', (c) => c.notNull().references('persons.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('planned')
        .check(sql`status in ('planned', 'open', 'closed')`),
    )
    .execute();

  await db.schema
    .createTable('meeting_members')
    .addColumn('meeting_id', 'uuid', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('persons.id'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('facilitator', 'secretary', 'proposer', 'participant', 'observer')`))
    .addColumn('is_guest', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('present', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('joined_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('removed_at', 'timestamptz')
    .addPrimaryKeyConstraint('meeting_members_pk', ['meeting_id', 'person_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['meeting_members', 'meetings', 'password_resets', 'sign_in_failures', 'sessions', 'accounts', 'circles']) {
    await db.schema.dropTable(table).execute();
  }
}
