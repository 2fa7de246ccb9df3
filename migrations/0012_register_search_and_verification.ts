import { sql, type Kysely } from 'kysely';

// The register's search index without a pending list. With fastupdate (GIN's default), new
// entries wait in an unsorted list that every search reads in full until a VACUUM merges it; the
// embedded database never vacuums by itself, so the list only grew, and with it every search
// (40 ms of 50 on 2 000 decisions). A decision is added once, at the end of its séance: writing it
// straight into the index costs nothing noticeable there.
//
// « Registre vérifié »: each verification of the whole log (npm run verify-log, or an admin's
// « Vérifier maintenant » on the register) is kept with when, by whom, what it read and the first
// break it found; the register shows the latest.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter index register_documents_search_idx set (fastupdate = off)`.execute(db);
  // what is already pending goes into the index now
  await sql`select gin_clean_pending_list('register_documents_search_idx'::regclass)`.execute(db);

  await sql`
    create table register_verifications (
      id bigint generated always as identity primary key,
      verified_at timestamptz not null,
      -- null: the command line (npm run verify-log)
      verified_by uuid references persons(id),
      chains integer not null,
      events bigint not null,
      breaks integer not null,
      -- the first break found, as verify-log describes it (src/ledger/verify.ts ChainBreak)
      first_break jsonb
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table register_verifications`.execute(db);
  await sql`alter index register_documents_search_idx reset (fastupdate)`.execute(db);
}
