import { sql, type Kysely } from 'kysely';

// The folded state of a proposal is no longer rewritten on every event: it is a snapshot taken at
// the first event and every SNAPSHOT_EVERY events (src/proposals/snapshots.ts), and a command or a
// view folds the few events since. `state_seq` says which event the snapshot stands at; the
// states stored so far are the fold of every event, so they stand at `last_seq`.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('proposals').addColumn('state_seq', 'integer').execute();
  await sql`update proposals set state_seq = last_seq`.execute(db);
  await sql`alter table proposals alter column state_seq set not null`.execute(db);
  await sql`alter table proposals add constraint proposals_state_seq_check check (state_seq between 1 and last_seq)`.execute(db);
}

// Going back needs every state to be the fold of every event again, which SQL cannot compute:
// refused while a snapshot stands before its proposal's last event.
export async function down(db: Kysely<any>): Promise<void> {
  const behind = await sql<{ n: number }>`select count(*)::int as n from proposals where state_seq < last_seq`.execute(db);
  if ((behind.rows[0]?.n ?? 0) > 0) throw new Error('0015 down: some proposal states are snapshots older than their last event');
  await db.schema.alterTable('proposals').dropColumn('state_seq').execute();
}
