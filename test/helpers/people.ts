/** Creates persons in the test database and returns their ids by role name. */
import type { Database } from '../../src/db/database.ts';

export async function createPeople<K extends string>(database: Database, names: Record<K, string>): Promise<Record<K, string>> {
  const entries = Object.entries(names) as [K, string][];
  const rows = await database.db
    .insertInto('persons')
    .values(entries.map(([, displayName]) => ({ display_name: displayName })))
    .returning(['id', 'display_name'])
    .execute();
  return Object.fromEntries(entries.map(([key], i) => [key, rows[i]!.id])) as Record<K, string>;
}
