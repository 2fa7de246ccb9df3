import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import { sql } from 'kysely';
import { createTestDatabase, serverUrl, type TestDatabase } from '../helpers/database.ts';
import { migrateToLatest, MIGRATIONS_DIR } from '../../src/db/migrator.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  await database.dispose();
});

describe(`migrations on ${serverUrl ? 'the PostgreSQL server' : 'the embedded database'}`, () => {
  it('when the schema is empty, then every migration of migrations/ is applied in order', async () => {
    const files = (await fs.readdir(MIGRATIONS_DIR))
      .filter((f) => /^\d+.*\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    const applied = await migrateToLatest(database.db);
    expect(applied).toEqual(files);
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db);
    expect(rows.rows.map((r) => r.name)).toEqual(files);
  });

  it('when migrations run again, then nothing is applied twice', async () => {
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it('when the schema is up to date, then the tables accept data', async () => {
    const person = await database.db.insertInto('persons').values({ display_name: 'Marie Pradel' }).returning(['id', 'display_name']).executeTakeFirstOrThrow();
    expect(person.display_name).toBe('Marie Pradel');
    expect(person.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
