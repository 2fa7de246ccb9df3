/** Row types of the database, as Kysely sees them. Timestamps travel as ISO strings or Date. */
import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { EventTables } from './schema-events.ts';
import type { AccountTables } from './schema-accounts.ts';
import type { TrainingTables } from './schema-training.ts';
import type { AgendaTables } from './schema-agenda.ts';

export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface PersonsTable {
  id: Generated<string>;
  display_name: string;
  pseudonymised_at: Timestamp | null;
  created_at: Timestamp;
}

export interface DB extends EventTables, AccountTables, TrainingTables, AgendaTables {
  persons: PersonsTable;
}

/** What a repository function runs on: the database, or the caller's transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;
