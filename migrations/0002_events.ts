import { sql, type Kysely } from 'kysely';

// The consent log: an append-only, hash-chained table of events per proposal, and the read
// models projected from it in the same transaction. The database itself refuses to change the log.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('stream_id', 'uuid', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull().check(sql`seq >= 1`))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('actor_id', 'uuid')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('prev_hash', 'char(64)', (c) => c.notNull())
    .addColumn('hash', 'char(64)', (c) => c.notNull())
    .addUniqueConstraint('events_stream_seq_unique', ['stream_id', 'seq'])
    .execute();

  await sql`
    create function events_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'the consent log is append-only: % on events is refused', tg_op
        using errcode = 'restrict_violation';
    end $$`.execute(db);
  await sql`create trigger events_append_only before update or delete on events
    for each row execute function events_refuse_change()`.execute(db);
  await sql`create trigger events_no_truncate before truncate on events
    for each statement execute function events_refuse_change()`.execute(db);

  await db.schema
    .createTable('proposals')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('meeting_id', 'uuid')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('tension', 'text', (c) => c.notNull())
    .addColumn('criteria', 'text', (c) => c.notNull())
    .addColumn('review_date', 'date')
    .addColumn('validity_set', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('proposer_id', 'uuid', (c) => c.notNull())
    .addColumn('facilitator_id', 'uuid', (c) => c.notNull())
    .addColumn('acting_facilitator_id', 'uuid', (c) => c.notNull())
    .addColumn('secretary_id', 'uuid')
    .addColumn('current_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz')
    // The folded state and the head of the chain, so a command needs one read, not a replay.
    .addColumn('state', 'jsonb', (c) => c.notNull())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .addColumn('last_hash', 'char(64)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('proposals_meeting_idx').on('proposals').column('meeting_id').execute();

  await db.schema
    .createTable('proposal_versions')
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id'))
    .addColumn('number', 'integer', (c) => c.notNull().check(sql`number >= 1`))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('change_note', 'text')
    .addColumn('motivated_by', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('author_id', 'uuid', (c) => c.notNull())
    .addColumn('recorded_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('proposal_versions_pk', ['proposal_id', 'number'])
    .execute();

  await db.schema
    .createTable('rounds')
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('clarification', 'reaction', 'objection')`))
    .addColumn('version_number', 'integer', (c) => c.notNull())
    .addColumn('turn_order', 'jsonb', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('started_by', 'uuid', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz')
    .addPrimaryKeyConstraint('rounds_pk', ['proposal_id', 'kind', 'number'])
    .execute();

  await db.schema
    .createTable('contributions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id'))
    .addColumn('round_kind', 'text')
    .addColumn('round_number', 'integer')
    .addColumn('event_seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref_id', 'text')
    .addColumn('person_id', 'uuid', (c) => c.notNull())
    .addColumn('recorded_by', 'uuid')
    .addColumn('body', 'text')
    .addColumn('in_reply_to', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contributions_proposal_idx').on('contributions').columns(['proposal_id', 'event_seq']).execute();

  await db.schema
    .createTable('objections')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('proposal_id', 'uuid', (c) => c.notNull().references('proposals.id'))
    .addColumn('round_number', 'integer', (c) => c.notNull())
    .addColumn('version_number', 'integer', (c) => c.notNull())
    .addColumn('objector_id', 'uuid', (c) => c.notNull())
    .addColumn('recorded_by', 'uuid')
    .addColumn('reasoning', 'text', (c) => c.notNull())
    .addColumn('raised_at', 'timestamptz', (c) => c.notNull())
    .addColumn('test_answers', 'jsonb')
    .addColumn('ruling', 'text', (c) => c.check(sql`ruling in ('valid', 'not_valid')`))
    .addColumn('ruled_by', 'uuid')
    .addColumn('ruled_at', 'timestamptz')
    .addColumn('outcome', 'text', (c) =>
      c.check(sql`outcome in ('integrated', 'withdrawn', 'not_valid', 'deferred', 'proposal_withdrawn', 'proposal_postponed')`),
    )
    .addColumn('decided_by', 'uuid')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('follow_up_date', 'date')
    .addPrimaryKeyConstraint('objections_pk', ['proposal_id', 'id'])
    .addCheckConstraint('objections_outcome_has_decider', sql`(outcome is null) = (decided_at is null)`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['objections', 'contributions', 'rounds', 'proposal_versions', 'proposals', 'events']) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function events_refuse_change()`.execute(db);
}
