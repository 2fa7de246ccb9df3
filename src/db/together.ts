/**
 * Several writes sent as one statement (data-modifying WITH queries): one round trip, where one
 * per write made both the app and PostgreSQL pay for a socket write, a wake-up and a plan each.
 * The writes must touch different tables: within one statement every part sees the database as
 * it was before it, not the others' rows (canRunTogether says whether they may).
 */
import { sql, type InsertQueryNode, type OperationNode, type RawBuilder, type UpdateQueryNode } from 'kysely';
import type { Executor } from './schema.ts';
import { PREPARED_SHAPE } from './prepared.ts';

/** An INSERT or an UPDATE built with Kysely, not yet run. */
export interface Write {
  toOperationNode(): OperationNode;
  execute(): Promise<unknown>;
}

function tableOf(node: OperationNode): string | null {
  if (node.kind === 'InsertQueryNode') return (node as InsertQueryNode).into?.table.identifier.name ?? null;
  if (node.kind === 'UpdateQueryNode') {
    const table = (node as UpdateQueryNode).table;
    return table?.kind === 'TableNode' ? (table as unknown as { table: { identifier: { name: string } } }).table.identifier.name : null;
  }
  return null;
}

/** Whether the writes are inserts and updates of different tables, so that none needs to see another's rows. */
export function canRunTogether(writes: readonly Write[]): boolean {
  const tables = writes.map((w) => tableOf(w.toOperationNode()));
  return tables.every((t) => t !== null) && new Set(tables).size === tables.length;
}

/**
 * Runs the writes as one statement, then evaluates `also` once (pg_notify, say), in the caller's
 * transaction. Returns, for each write, how many rows its RETURNING gave (0 without RETURNING).
 */
export async function writeTogether(db: Executor, writes: readonly Write[], also: readonly RawBuilder<unknown>[] = []): Promise<number[]> {
  if (!canRunTogether(writes)) throw new TypeError('writeTogether: the writes must touch different tables');
  const returning = writes.map((w) => Boolean((w.toOperationNode() as InsertQueryNode | UpdateQueryNode).returning));
  // Kysely types each WITH query by its output; these are only run, never selected from by column
  let query = db as unknown as {
    with(name: string, w: () => Write): typeof query;
    selectNoFrom(s: unknown[]): { modifyEnd(m: unknown): { executeTakeFirstOrThrow(): Promise<Record<string, number>> } };
  };
  writes.forEach((w, i) => {
    query = query.with(`w${i}`, () => w);
  });
  const columns = [
    ...writes.flatMap((_, i) => (returning[i] ? [sql<number>`(select count(*)::int from ${sql.table(`w${i}`)})`.as(`n${i}`)] : [])),
    ...also.map((expression, i) => expression.as(`a${i}`)),
  ];
  // its text varies with the rows written: prepared once a text is common (PREPARED_SHAPE)
  const row = await query
    .selectNoFrom(columns.length ? columns : [sql<number>`1`.as('one')])
    .modifyEnd(PREPARED_SHAPE)
    .executeTakeFirstOrThrow();
  return writes.map((_, i) => (returning[i] ? Number(row[`n${i}`]) : 0));
}
