/** Row type of the register's search documents (migration 0005), kept apart from the shared schema files. */
import type { ColumnType, Generated } from 'kysely';

/**
 * What a search walks: the vector and what the filters and the order read, one narrow row per decision.
 * Written only by register_refresh_document (migrations 0006, 0014, 0017).
 */
export interface RegisterDocumentsTable {
  proposal_id: string;
  /** title (weight A) and body (weight B) of register_texts with the french_unaccent configuration */
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

/** The text a document's vector was made of (migration 0017): only the excerpts read it. */
export interface RegisterTextsTable {
  proposal_id: string;
  title: ColumnType<string, never, never>;
  body: ColumnType<string, never, never>;
}

/** One verification of the whole log (migration 0012), a background run since migration 0014. */
export interface RegisterVerificationsTable {
  id: Generated<number>;
  /** when it ended; null while it runs or when it failed */
  verified_at: Date | string | null;
  verified_by: string | null;
  chains: number;
  events: number;
  breaks: number;
  /** the first ChainBreak found, as JSON */
  first_break: ColumnType<unknown, string | null, string | null>;
  state: Generated<string>;
  scope: Generated<string>;
  started_at: Date | string | null;
  heartbeat_at: ColumnType<Date | null, Date | string | null | undefined, unknown>;
  chains_done: Generated<number>;
  chains_total: number | null;
  error: string | null;
}

/** The last verified head of each chain (migration 0014): where a verification of the new events starts. */
export interface RegisterChainCheckpointsTable {
  stream_id: string;
  seq: number;
  hash: string;
  verified_at: Date | string;
}

export type RegisterTables = {
  register_documents: RegisterDocumentsTable;
  register_texts: RegisterTextsTable;
  register_verifications: RegisterVerificationsTable;
  register_chain_checkpoints: RegisterChainCheckpointsTable;
};
