/** Row type of the register's search documents (migration 0005), kept apart from the shared schema files. */
import type { ColumnType, Generated } from 'kysely';

export interface RegisterDocumentsTable {
  proposal_id: string;
  title: string;
  body: string;
  /** generated from title and body with the french_unaccent configuration */
  search: ColumnType<string, never, never>;
  updated_at: Generated<Date>;
}

export type RegisterTables = {
  register_documents: RegisterDocumentsTable;
};
