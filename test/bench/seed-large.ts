/**
 * `npm run seed:large [-- --decisions N]`: fills the database the app uses (DATABASE_URL, or the
 * embedded one in PGLITE_DIR) with N generated decisions (100 000 by default), valid chains that
 * verify-log accepts. For benchmarks and trying the register at scale; never in production.
 */
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import { seedLarge } from './large.ts';

const config = loadConfig(process.env);
if (config.env === 'production') {
  console.error('seed:large refuse de remplir une base de production.');
  process.exit(2);
}
const flag = process.argv.indexOf('--decisions');
const count = flag >= 0 ? Number(process.argv[flag + 1]) : 100_000;
if (!Number.isInteger(count) || count < 1) {
  console.error('--decisions attend un nombre entier positif, par exemple --decisions 100000.');
  process.exit(2);
}
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir });
try {
  await migrateToLatest(database.db);
  const started = performance.now();
  const events = await seedLarge(database.db, count, {
    seed: Date.now() % 100_000,
    // on a server, the next chunk is generated while the previous one is written
    parallel: database.kind === 'postgres' ? 2 : 1,
    onProgress: (done) => process.stdout.write(`\r${done} / ${count} décisions`),
  });
  console.log(`\n${count} décisions (${events} événements) écrites en ${((performance.now() - started) / 1000).toFixed(0)} s.`);
} finally {
  await database.close();
}
