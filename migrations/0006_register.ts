import { sql, type Kysely } from 'kysely';

// The decision register: one search document per decided proposal (adopted, withdrawn or
// postponed), searched in French without regard to accents. The document is rebuilt by a
// deferred trigger at the end of the very transaction that brings a proposal to a terminal
// stage, so it always reads the projection complete (versions, contributions, objections).
export async function up(db: Kysely<any>): Promise<void> {
  // unaccent is a trusted extension: the database owner may create it (PostgreSQL 13+, and PGlite
  // when the extension is passed to its constructor, see src/db/database.ts).
  await sql`create extension if not exists unaccent`.execute(db);
  await sql`
    do $$ begin
      if not exists (select 1 from pg_ts_config where cfgname = 'french_unaccent') then
        create text search configuration french_unaccent (copy = french);
        alter text search configuration french_unaccent
          alter mapping for hword, hword_part, word with unaccent, french_stem;
      end if;
    end $$`.execute(db);

  await sql`
    create table register_documents (
      proposal_id uuid primary key references proposals(id),
      title text not null,
      body text not null,
      search tsvector generated always as (
        setweight(to_tsvector('french_unaccent'::regconfig, title), 'A') ||
        setweight(to_tsvector('french_unaccent'::regconfig, body), 'B')
      ) stored,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index register_documents_search_idx on register_documents using gin (search)`.execute(db);
  // The register lists decisions newest first: keyset pages walk this index.
  await sql`create index proposals_register_idx on proposals (closed_at desc, id desc) where stage in ('adopted', 'withdrawn', 'postponed')`.execute(db);

  await sql`
    create function register_refresh_document(target uuid) returns void language sql as $$
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
    create function register_documents_refresh() returns trigger language plpgsql as $$
    begin
      perform register_refresh_document(new.id);
      return null;
    end $$`.execute(db);
  await sql`
    create constraint trigger register_documents_on_decision
      after insert or update on proposals
      deferrable initially deferred
      for each row when (new.stage in ('adopted', 'withdrawn', 'postponed'))
      execute function register_documents_refresh()`.execute(db);

  await sql`select register_refresh_document(id) from proposals where stage in ('adopted', 'withdrawn', 'postponed')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger register_documents_on_decision on proposals`.execute(db);
  await sql`drop function register_documents_refresh()`.execute(db);
  await sql`drop function register_refresh_document(uuid)`.execute(db);
  await sql`drop index proposals_register_idx`.execute(db);
  await sql`drop table register_documents`.execute(db);
}
