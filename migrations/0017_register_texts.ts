import { sql, type Kysely } from 'kysely';

// The register's search reads narrow rows. A search finds its matches in the GIN index, then
// visits each match's row for what the filters and the order read (closed_at, the training flag…)
// before it ranks the newest ones. Each row carried the decision's whole text next to its vector
// (about 2 KB): at 100 000 decisions the 4 700 matches of a common word were 4 300 heap pages,
// most of them outside shared_buffers. The text (title and body) now lives in a side table,
// register_texts, that only the excerpts read (ts_headline, on the rows of the page shown); the
// documents keep the vector, the filter columns and the order, about half as wide.
//
// The vector is no longer a generated column (it was computed from the title and body of the same
// row): the same function that writes both tables computes it (register_refresh_document, called
// by the deferred trigger of migration 0006 and by the seeder), from the same text, with the same
// weights (title A, body B).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table register_texts (
      proposal_id uuid primary key references proposals(id),
      title text not null,
      body text not null
    )`.execute(db);
  await sql`insert into register_texts (proposal_id, title, body) select proposal_id, title, body from register_documents`.execute(db);
  // the vector keeps its values and becomes a plain column
  await sql`alter table register_documents alter column search drop expression`.execute(db);
  await sql`alter table register_documents drop column title, drop column body`.execute(db);
  // A dropped column stays in every row until the row is written again: this rewrites the table
  // (keeping its physical order, newest last) and its indexes, without the text.
  await sql`alter table register_documents alter column updated_at type timestamptz using updated_at + interval '0'`.execute(db);
  // The planner weighs the new width now. The rewritten pages are not yet marked all-visible: a
  // `vacuum register_documents` after the migration (it cannot run inside one) makes searches about
  // a third faster at once, instead of after autovacuum's next pass.
  await sql`analyze register_documents`.execute(db);

  await sql`
    create or replace function register_refresh_document(target uuid) returns void language sql as $$
      with source as (
        select p.id, p.title,
          concat_ws(E'\n',
            p.tension,
            p.criteria,
            (select string_agg(concat_ws(E'\n', v.text, v.change_note), E'\n' order by v.number desc)
               from proposal_versions v where v.proposal_id = p.id),
            (select string_agg(c.body, E'\n' order by c.event_seq)
               from contributions c
              where c.proposal_id = p.id and c.body is not null
                and c.kind in ('question', 'answer', 'declined', 'reaction', 'objection', 'concern'))) as body,
          p.closed_at, p.stage, coalesce(m.is_training, false) as is_training, p.meeting_id, m.circle_id,
          p.published_at, p.review_date,
          (select count(*)::int from objections o where o.proposal_id = p.id) as objection_count
        from proposals p left join meetings m on m.id = p.meeting_id
        where p.id = target
      ),
      texts as (
        insert into register_texts (proposal_id, title, body)
        select id, title, body from source
        on conflict (proposal_id) do update set title = excluded.title, body = excluded.body
      )
      insert into register_documents (proposal_id, search, updated_at, closed_at, stage, is_training, meeting_id, circle_id,
                                      published_at, review_date, objection_count)
      select id,
        setweight(to_tsvector('french_unaccent'::regconfig, title), 'A') || setweight(to_tsvector('french_unaccent'::regconfig, body), 'B'),
        now(), closed_at, stage, is_training, meeting_id, circle_id, published_at, review_date, objection_count
      from source
      on conflict (proposal_id) do update set
        search = excluded.search, updated_at = excluded.updated_at,
        closed_at = excluded.closed_at, stage = excluded.stage, is_training = excluded.is_training,
        meeting_id = excluded.meeting_id, circle_id = excluded.circle_id, published_at = excluded.published_at,
        review_date = excluded.review_date, objection_count = excluded.objection_count
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table register_documents add column title text, add column body text`.execute(db);
  await sql`update register_documents d set title = t.title, body = t.body from register_texts t where t.proposal_id = d.proposal_id`.execute(db);
  await sql`alter table register_documents alter column title set not null, alter column body set not null`.execute(db);
  await sql`alter table register_documents drop column search`.execute(db);
  await sql`
    alter table register_documents add column search tsvector generated always as (
      setweight(to_tsvector('french_unaccent'::regconfig, title), 'A') ||
      setweight(to_tsvector('french_unaccent'::regconfig, body), 'B')
    ) stored`.execute(db);
  await sql`create index register_documents_search_idx on register_documents using gin (search) with (fastupdate = off)`.execute(db);
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
  await sql`drop table register_texts`.execute(db);
}
