/**
 * Bulk writes for the benchmark seeder: the read models are written by the very projection the
 * service uses (project() through projectBatch), but into a Kysely that runs nothing and notes each
 * write; the inserts of a whole chunk are then sent as a few multi-row inserts per table (one round
 * trip per thousand rows instead of one per row group), and anything else as it was compiled.
 */
import {
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type InsertQueryNode,
  type QueryResult,
} from 'kysely';
import type { DB, Executor } from '../../src/db/schema.ts';

/** A Kysely whose queries are noted, never run; every query answers no row. */
export function recordingDb(): { db: Kysely<DB>; take(): CompiledQuery[] } {
  let noted: CompiledQuery[] = [];
  const connection: DatabaseConnection = {
    async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
      noted.push(compiled);
      return { rows: [] };
    },
    // eslint-disable-next-line require-yield
    async *streamQuery() {
      throw new Error('recordingDb: nothing to stream');
    },
  };
  const driver: Driver = {
    init: async () => {},
    acquireConnection: async () => connection,
    beginTransaction: async () => {},
    commitTransaction: async () => {},
    rollbackTransaction: async () => {},
    releaseConnection: async () => {},
    destroy: async () => {},
  };
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return {
    db,
    take() {
      const taken = noted;
      noted = [];
      return taken;
    },
  };
}

/** The table, columns and rows of an insert whose every value is a parameter; null for anything else. */
function insertRows(compiled: CompiledQuery): { table: string; columns: string[]; rows: unknown[][] } | null {
  const node = compiled.query as InsertQueryNode;
  if (node.kind !== 'InsertQueryNode' || !node.columns || node.values?.kind !== 'ValuesNode' || node.returning || node.onConflict) return null;
  const columns = node.columns.map((c) => c.column.name);
  const count = (node.values as unknown as { values: readonly unknown[] }).values.length;
  if (columns.length * count !== compiled.parameters.length) return null;
  const rows: unknown[][] = [];
  for (let i = 0; i < compiled.parameters.length; i += columns.length) rows.push(compiled.parameters.slice(i, i + columns.length));
  return { table: node.into!.table.identifier.name, columns, rows };
}

/**
 * Sends the noted writes: the inserts grouped by table and columns, in the order the tables first
 * appear (so a proposal is written before its versions), at most `rowsPerQuery` rows a query;
 * then every other statement, in its order.
 */
export async function flush(db: Executor, noted: readonly CompiledQuery[], rowsPerQuery = 1000): Promise<void> {
  const groups = new Map<string, { table: string; columns: string[]; rows: unknown[][] }>();
  const others: CompiledQuery[] = [];
  for (const compiled of noted) {
    const insert = insertRows(compiled);
    if (!insert) {
      others.push(compiled);
      continue;
    }
    const key = `${insert.table}(${insert.columns.join(',')})`;
    const group = groups.get(key) ?? groups.set(key, { table: insert.table, columns: insert.columns, rows: [] }).get(key)!;
    group.rows.push(...insert.rows);
  }
  const any = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
  for (const { table, columns, rows } of groups.values()) {
    for (let i = 0; i < rows.length; i += rowsPerQuery) {
      const values = rows.slice(i, i + rowsPerQuery).map((row) => Object.fromEntries(columns.map((c, j) => [c, row[j]])));
      await any.insertInto(table).values(values).execute();
    }
  }
  for (const compiled of others) await db.executeQuery(compiled);
}
