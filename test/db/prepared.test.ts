/**
 * The queries that run on every request are prepared once per connection (src/db/prepared.ts):
 * marked ones become named statements PostgreSQL keeps, anything else stays unnamed. On the
 * embedded database and on a server alike (the same pg client class).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { PREPARED, PREPARED_SHAPE, preparedQuery } from '../../src/db/prepared.ts';
import type { Executor } from '../../src/db/schema.ts';
import { findLiveSessionActor } from '../../src/accounts/sessions.repository.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});

/** The statements prepared on this connection, with their text. */
const prepared = async (trx: Executor) =>
  (await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(trx)).rows;

describe('prepared statements', () => {
  it('when a marked query runs twice and an unmarked one runs, then only the marked one is kept, once, and both answer as before', async () => {
    await database.db.transaction().execute(async (trx) => {
      const before = (await prepared(trx)).length;
      const marked = () => trx.selectFrom('persons').select('id').where('display_name', '=', 'Alix').modifyEnd(PREPARED).execute();
      expect(await marked()).toEqual([]);
      await trx.insertInto('persons').values({ display_name: 'Alix' }).execute();
      expect(await marked()).toHaveLength(1);
      await trx.selectFrom('persons').select('id').where('display_name', '=', 'Bastien').execute();
      const kept = await prepared(trx);
      expect(kept).toHaveLength(before + 1);
      expect(kept.filter((s) => s.statement.includes('/* prepared */'))).toHaveLength(1);
    });
  });

  it('when a session is looked up, then its query is one of them', async () => {
    await database.db.transaction().execute(async (trx) => {
      expect(await findLiveSessionActor(trx, 'no-such-session', 120)).toBeNull();
      expect((await prepared(trx)).some((s) => s.statement.includes('from "sessions"'))).toBe(true);
    });
  });

  it('when a prepared query is called again with other values, then it answers for those values, from the SQL compiled at its first call', async () => {
    let builds = 0;
    const named = preparedQuery((db: Executor, name: string, longer: number) => {
      builds++;
      return db
        .selectFrom('persons')
        .select(['display_name', sql<number>`${longer}::int + 1`.as('next')])
        .where('display_name', '=', name)
        .where('display_name', '!=', 'jamais')
        .modifyEnd(PREPARED);
    });
    await database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('persons')
        .values([{ display_name: 'Élise' }, { display_name: 'Ilan' }])
        .execute();
      expect(await named(trx, 'Élise', 1)).toEqual([{ display_name: 'Élise', next: 2 }]);
      expect(await named(trx, 'Ilan', 41)).toEqual([{ display_name: 'Ilan', next: 42 }]);
      expect(await named(trx, 'Personne', 0)).toEqual([]);
    });
    expect(builds).toBe(1);
  });

  it('when a query would not bind its values as its own parameters, then it is refused at its first call', async () => {
    const refused = [
      // a value written into the SQL text
      preparedQuery((db: Executor, column: string) => db.selectFrom('persons').select(sql.ref(column).as('c')).modifyEnd(PREPARED)),
      // a value transformed before it became a parameter
      preparedQuery((db: Executor, name: string) => db.selectFrom('persons').select('id').where('display_name', '=', name.toUpperCase()).modifyEnd(PREPARED)),
      // a value not used at all
      preparedQuery((db: Executor, _name: string) => db.selectFrom('persons').select('id').modifyEnd(PREPARED)),
      // not marked as prepared
      preparedQuery((db: Executor, name: string) => db.selectFrom('persons').select('id').where('display_name', '=', name)),
    ];
    for (const query of refused) await expect(query(database.db, 'display_name')).rejects.toThrow(TypeError);
  });

  it('when a statement whose text varies with its data comes a first and a second time, then it is not kept; from the third, it is, once', async () => {
    await database.db.transaction().execute(async (trx) => {
      // a text of its own: an alias no other test uses
      const alias = `shape_${Date.now()}`;
      const shaped = () =>
        trx
          .selectFrom('persons')
          .select(sql<number>`count(*)::int`.as(alias))
          .modifyEnd(PREPARED_SHAPE)
          .execute();
      const kept = async () => (await prepared(trx)).filter((s) => s.statement.includes(alias)).length;
      await shaped();
      await shaped();
      expect(await kept()).toBe(0);
      await shaped();
      await shaped();
      expect(await kept()).toBe(1);
      expect(await shaped()).toEqual([{ [alias]: expect.any(Number) }]);
    });
  });

  it('when more texts of varying shape become common than a connection keeps, then it keeps 32 of them and runs the others unprepared', async () => {
    await database.db.transaction().execute(async (trx) => {
      const shapesOn = async () => (await prepared(trx)).filter((s) => s.statement.endsWith('/* prepared shape */')).length;
      const before = await shapesOn();
      const stamp = Date.now();
      for (let i = 0; i < 40; i++) {
        const alias = `many_${stamp}_${i}`;
        for (let use = 0; use < 3; use++)
          expect(
            await trx
              .selectFrom('persons')
              .select(sql<number>`1`.as(alias))
              .limit(1)
              .modifyEnd(PREPARED_SHAPE)
              .execute(),
          ).toHaveLength(1);
      }
      expect(await shapesOn()).toBe(32);
      expect(before).toBeLessThan(32);
    });
  });
});
