/** `npm run db:migrate`: applies pending migrations to the configured database. */
import { loadConfig } from '../config.ts';
import { openDatabase } from './database.ts';
import { migrateToLatest } from './migrator.ts';

const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir, poolSize: config.databasePoolSize });
try {
  const applied = await migrateToLatest(database.db);
  const where = database.kind === 'pglite' ? `base embarquée ${config.pgliteDir}` : 'serveur PostgreSQL';
  console.log(applied.length ? `Migrations appliquées (${where}) : ${applied.join(', ')}` : `Base à jour (${where}).`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await database.close();
}
