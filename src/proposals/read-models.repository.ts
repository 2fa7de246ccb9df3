/**
 * The read models as plain rows, and scratch copies of them, for verify-log --read-models: the
 * log is replayed into the copies (temporary tables, gone with the transaction) and compared.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Executor } from '../db/schema.ts';

/** Every read model and the columns that identify a row in it. */
export const READ_MODELS = {
  proposals: ['id'],
  proposal_versions: ['proposal_id', 'number'],
  rounds: ['proposal_id', 'kind', 'number'],
  contributions: ['proposal_id', 'event_seq'],
  objections: ['proposal_id', 'id'],
} as const satisfies Record<string, readonly string[]>;

export type ReadModel = keyof typeof READ_MODELS;

/**
 * Columns not compared with a replay: the database's own numbering, and the snapshot of a
 * proposal's state (checked instead against the fold of the log up to the event it stands at, so
 * snapshots taken under another rule, or before migration 0015, still verify).
 */
export const BOOKKEEPING_COLUMNS: Partial<Record<ReadModel, readonly string[]>> = { contributions: ['id'], proposals: ['state', 'state_seq'] };

export type Row = Record<string, unknown>;

/** Every row of one read model. */
export async function readModelRows(db: Executor, table: ReadModel): Promise<Row[]> {
  return (db as unknown as Kysely<Record<string, Row>>).selectFrom(table).selectAll().execute();
}

/**
 * Creates, in the transaction, empty temporary copies of the read models (same columns, no
 * constraint but NOT NULL, dropped at its end) and returns an executor that writes to them.
 * Read the stored rows first: once the copies exist, unqualified names resolve to them.
 */
export async function createScratchReadModels(trx: Transaction<DB>): Promise<Transaction<DB>> {
  for (const table of Object.keys(READ_MODELS)) {
    await sql`create temporary table ${sql.id(table)} (like ${sql.id(table)}) on commit drop`.execute(trx);
  }
  await sql`alter table pg_temp.contributions alter column id drop not null`.execute(trx);
  return trx.withSchema('pg_temp');
}
