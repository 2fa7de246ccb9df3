import { sql, type Kysely } from 'kysely';

// The register ranks and pages on its documents alone. Until now each page joined every decided
// proposal to its meeting (the training flag, the circle) and counted objections row by row before
// it could sort: at 100 000 decisions a search paid for every match three times. The document now
// carries what the filters and the order read: when and how the decision ended, its séance and
// circle, the training flag, publication, review date and objection count. The same deferred
// trigger that writes the document (migration 0006) writes them, from the proposal's projection at
// the end of the transaction; a séance that changes circle or becomes a training one updates its
// documents. Indexes match the queries: one per way of walking the register, newest first.
//
// The verification of the whole log becomes a background job: a row per run (en cours, terminée,
// échec) with its progress, at most one running at a time (a unique partial index), and for the
// incremental check the last verified head of each chain.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table register_documents
      add column closed_at timestamptz,
      add column stage text,
      add column is_training boolean not null default false,
      add column meeting_id uuid,
      add column circle_id uuid,
      add column published_at timestamptz,
      add column review_date date,
      add column objection_count integer not null default 0`.execute(db);

  await sql`
    create or replace function register_refresh_document(target uuid) returns void language sql as $$
      insert into register_documents (proposal_id, title, body, updated_at, closed_at, stage, is_training, meeting_id, circle_id,
                                      published_at, review_date, objection_count)
      select p.id, p.title,
        concat_ws(E'\n',
          p.tension,
          p.criteria,
          (select string_agg(concat_ws(E'\n', v.text, v.change_note), E'\n' order by v.number desc)
             from proposal_versions v where v.proposal_id = p.id),
          (select string_agg(c.body, E'\n' order by c.event_seq)
             from contributions c
            where c.proposal_id = p.id and c.body is not null
              and c.kind in ('question', 'answer', 'declined', 'reaction', 'objection', 'concern'))),
        now(),
        p.closed_at, p.stage, coalesce(m.is_training, false), p.meeting_id, m.circle_id,
        p.published_at, p.review_date,
        (select count(*)::int from objections o where o.proposal_id = p.id)
      from proposals p left join meetings m on m.id = p.meeting_id
      where p.id = target
      on conflict (proposal_id) do update set
        title = excluded.title, body = excluded.body, updated_at = excluded.updated_at,
        closed_at = excluded.closed_at, stage = excluded.stage, is_training = excluded.is_training,
        meeting_id = excluded.meeting_id, circle_id = excluded.circle_id, published_at = excluded.published_at,
        review_date = excluded.review_date, objection_count = excluded.objection_count
    $$`.execute(db);

  // the backfill: the same columns for the documents already there
  await sql`
    update register_documents d set
      closed_at = p.closed_at, stage = p.stage, is_training = coalesce(m.is_training, false),
      meeting_id = p.meeting_id, circle_id = m.circle_id, published_at = p.published_at, review_date = p.review_date,
      objection_count = (select count(*)::int from objections o where o.proposal_id = p.id)
    from proposals p left join meetings m on m.id = p.meeting_id
    where p.id = d.proposal_id`.execute(db);
  // a decided proposal always has an end: the document says when, and how
  await sql`update register_documents set closed_at = updated_at where closed_at is null`.execute(db);
  await sql`alter table register_documents alter column closed_at set not null, alter column stage set not null`.execute(db);

  // a séance moved to another circle, or turned into a training one, moves its documents with it
  await sql`
    create function register_documents_follow_meeting() returns trigger language plpgsql as $$
    begin
      update register_documents set is_training = new.is_training, circle_id = new.circle_id where meeting_id = new.id;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger register_documents_on_meeting after update of is_training, circle_id on meetings
      for each row when (old.is_training is distinct from new.is_training or old.circle_id is distinct from new.circle_id)
      execute function register_documents_follow_meeting()`.execute(db);

  // the pages: newest first, with or without each filter (a training séance's outcomes are never listed)
  await sql`create index register_documents_recent_idx on register_documents (closed_at desc, proposal_id desc) where not is_training`.execute(db);
  await sql`create index register_documents_stage_idx on register_documents (stage, closed_at desc, proposal_id desc) where not is_training`.execute(db);
  await sql`create index register_documents_circle_idx on register_documents (circle_id, closed_at desc, proposal_id desc) where not is_training`.execute(db);
  await sql`create index register_documents_published_idx on register_documents (closed_at desc, proposal_id desc) where not is_training and published_at is not null`.execute(
    db,
  );
  await sql`create index register_documents_objected_idx on register_documents (closed_at desc, proposal_id desc) where not is_training and objection_count > 0`.execute(
    db,
  );
  await sql`create index register_documents_meeting_idx on register_documents (meeting_id) where meeting_id is not null`.execute(db);

  // the verification job
  await sql`
    alter table register_verifications
      alter column verified_at drop not null,
      add column state text not null default 'done' check (state in ('running', 'done', 'failed')),
      add column scope text not null default 'full' check (scope in ('full', 'new')),
      add column started_at timestamptz,
      add column heartbeat_at timestamptz,
      add column chains_done integer not null default 0,
      add column chains_total integer,
      add column error text`.execute(db);
  await sql`update register_verifications set started_at = verified_at`.execute(db);
  await sql`alter table register_verifications add constraint register_verifications_done_has_date check (state <> 'done' or verified_at is not null)`.execute(
    db,
  );
  await sql`create unique index register_verifications_one_running on register_verifications ((true)) where state = 'running'`.execute(db);
  await sql`
    create table register_chain_checkpoints (
      stream_id uuid primary key,
      seq integer not null,
      hash char(64) not null,
      verified_at timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table register_chain_checkpoints`.execute(db);
  await sql`drop index register_verifications_one_running`.execute(db);
  await sql`delete from register_verifications where state <> 'done'`.execute(db);
  await sql`
    alter table register_verifications
      drop constraint register_verifications_done_has_date,
      drop column state, drop column scope, drop column started_at, drop column heartbeat_at,
      drop column chains_done, drop column chains_total, drop column error,
      alter column verified_at set not null`.execute(db);
  await sql`drop trigger register_documents_on_meeting on meetings`.execute(db);
  await sql`drop function register_documents_follow_meeting()`.execute(db);
  for (const index of ['recent', 'stage', 'circle', 'published', 'objected', 'meeting'])
    await sql`drop index ${sql.raw(`register_documents_${index}_idx`)}`.execute(db);
  await sql`
    create or replace function register_refresh_document(target uuid) returns void language sql as $$
      insert into register_documents (proposal_id, title, body, updated_at)
      select p.id, p.title,
        concat_ws(E'\n',
          p.tension,
          p.criteria,
          (select string_agg(concat_ws(E'\n', v.text, v.change_note), E'\n' order by v.number desc)
             from proposal_versions v where v.proposal_id = p.id),
          (select string_agg(c.body, E'\n' order by c.event_seq)
             from contributions c
            where c.proposal_id = p.id and c.body is not null
              and c.kind in ('question', 'answer', 'declined', 'reaction', 'objection', 'concern'))),
        now()
      from proposals p where p.id = target
      on conflict (proposal_id) do update set title = excluded.title, body = excluded.body, updated_at = excluded.updated_at
    $$`.execute(db);
  await sql`
    alter table register_documents
      drop column closed_at, drop column stage, drop column is_training, drop column meeting_id, drop column circle_id,
      drop column published_at, drop column review_date, drop column objection_count`.execute(db);
}
