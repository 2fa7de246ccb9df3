import { sql, type Kysely } from 'kysely';

// The register's search index without a pending list. With fastupdate (GIN's default), new
// entries wait in an unsorted list that every search reads in full until a VACUUM merges it; the
// embedded database never vacuums by itself, so the list only grew, and with it every search
// (40 ms of 50 on 2 000 decisions). A decision is added once, at the end of its séance: writing it
// straight into the index costs nothing noticeable there.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter index register_documents_search_idx set (fastupdate = off)`.execute(db);
  // what is already pending goes into the index now
  await sql`select gin_clean_pending_list('register_documents_search_idx'::regclass)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter index register_documents_search_idx reset (fastupdate)`.execute(db);
}
