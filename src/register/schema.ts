/** Row type of the register's search documents (migration 0005), kept apart from the shared schema files. */
import type { ColumnType, Generated } from 'kysely';

export interface RegisterDocumentsTable {
  proposal_id: string;
  title: string;
  body: string;
  /** generated from title and body with the french_unaccent configuration */
  search: ColumnType<string, never, never>;
  updated_at: Generated<Date>;
  /** Copied from the proposal and its séance by the same trigger (migration 0014): what the filters and the order read. */
  closed_at: ColumnType<Date, never, never>;
  stage: ColumnType<string, never, never>;
  is_training: ColumnType<boolean, never, never>;
  meeting_id: ColumnType<string | null, never, never>;
  circle_id: ColumnType<string | null, never, never>;
  published_at: ColumnType<Date | null, never, never>;
  review_date: ColumnType<string | null, never, never>;
  objection_count: ColumnType<number, never, never>;
}

/** One verification of the whole log (migration 0012). */
export interface RegisterVerificationsTable {
  id: Generated<number>;
  verified_at: Date | string;
  verified_by: string | null;
  chains: number;
  events: number;
  breaks: number;
  /** the first ChainBreak found, as JSON */
  first_break: ColumnType<unknown, string | null, string | null>;
}

export type RegisterTables = {
  register_documents: RegisterDocumentsTable;
  register_verifications: RegisterVerificationsTable;
};
