import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import { buildApp } from '../helpers/app.ts';
import { newPgliteFolder } from '../helpers/database.ts';

// Runs on the embedded database whatever DATABASE_URL says: durability of its folder is the point.
// The folder starts as a copy of an empty initialised one (an initdb takes seconds); migrations run here.
const { dir } = await newPgliteFolder({ migrate: false });
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('the embedded database', () => {
  it('when the app is restarted on the same folder, then the data written before is still there', async () => {
    const first = await openDatabase({ databaseUrl: null, pgliteDir: dir });
    await migrateToLatest(first.db);
    await request(buildApp(first)).get('/healthz').expect(200);
    await first.db.insertInto('persons').values({ display_name: 'Élue de Saint-Flour' }).execute();
    await first.close();

    const second = await openDatabase({ databaseUrl: null, pgliteDir: dir });
    try {
      expect(await migrateToLatest(second.db)).toEqual([]);
      await request(buildApp(second)).get('/healthz').expect(200);
      const names = await second.db.selectFrom('persons').select('display_name').execute();
      expect(names.map((n) => n.display_name)).toEqual(['Élue de Saint-Flour']);
    } finally {
      await second.close();
    }
  });

  it('when the folder does not exist yet, then it is created', async () => {
    const nested = path.join(dir, 'a', 'b');
    const db = await openDatabase({ databaseUrl: null, pgliteDir: nested });
    await db.close();
    expect((await fs.stat(path.join(nested, 'PG_VERSION'))).isFile()).toBe(true);
  }, 120_000); // a real initdb: tens of seconds when the machine is busy
});
