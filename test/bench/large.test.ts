import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { seedLarge } from './large.ts';
import { toPrefixQuery } from '../../src/register/search.ts';
import { verifyLog } from '../../src/ledger/verify.ts';
import { verifyReadModels } from '../../src/ledger/read-models.ts';

const DECISIONS = 40;
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedLarge(database.db, DECISIONS, { chunk: 15, parallel: 2 });
}, 300_000);
afterAll(async () => {
  await database.dispose();
});

const matches = async (q: string): Promise<number> => {
  const tsquery = toPrefixQuery(q)!;
  const { rows } = await sql<{
    n: number;
  }>`select count(*)::int as n from register_documents where search @@ to_tsquery('french_unaccent', ${tsquery})`.execute(database.db);
  return rows[0]!.n;
};

describe('the generated register of the benchmarks (npm run seed:large)', () => {
  it('when generated, then every chain verifies and the read models are what the log projects', async () => {
    const chains = await verifyLog(database.db);
    expect(chains.streams).toBe(DECISIONS);
    expect(chains.breaks).toEqual([]);
    const models = await verifyReadModels(database.db);
    expect(models.differences).toEqual([]);
    expect(models.replayFailures).toEqual([]);
  });

  it('when searched for a theme word, then it matches a part of the register, not all of it (so the measured search means something)', async () => {
    const documents = (await sql<{ n: number }>`select count(*)::int as n from register_documents`.execute(database.db)).rows[0]!.n;
    expect(documents).toBe(DECISIONS);
    for (const word of ['cantine', 'déchets collecte', 'vélo']) {
      const n = await matches(word);
      expect(n, word).toBeGreaterThan(0);
      expect(n, word).toBeLessThan(documents * 0.25);
    }
    // the words of objections and concerns are there too
    expect(await matches('préoccupation')).toBeGreaterThan(0);
  });
});
