/** Entry point: read the configuration, open and migrate the database, listen, shut down gracefully. */
import type { Server } from 'node:http';
import { ConfigError, loadConfig } from './config.ts';
import { createApp } from './app.ts';
import { SignalBus } from './realtime/bus.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrator.ts';
import { createLogger } from './http/logger.ts';
import { DEMO_PASSWORD, seedDemo } from './accounts/demo.ts';
import { schedulePruning } from './accounts/sessions.ts';
import { SIGN_IN_THROTTLE } from './accounts/throttle.ts';
import { failInterruptedVerifications } from './register/verification.service.ts';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const logger = createLogger(config.logLevel);
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir, poolSize: config.databasePoolSize });
try {
  const applied = await migrateToLatest(database.db);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  // a verification of the register whose process stopped mid-way is marked en échec
  if (await failInterruptedVerifications(database.db)) logger.warn('an interrupted verification of the register was marked as failed');
  if (config.seedDemo && (await seedDemo(database.db)))
    logger.warn(`demo accounts created (admin@demo.local…, password ${DEMO_PASSWORD}): never use them in production`);
} catch (error) {
  logger.fatal({ err: error }, 'migration failed');
  await database.close();
  process.exit(1);
}

const bus = new SignalBus(database, logger);
await bus.start();
const app = createApp({ config, database, logger, bus });
// idle sessions and old sign-in failures go every 10 minutes, whether or not anyone signs in
const stopPruning = schedulePruning(database.db, {
  idleMinutes: config.sessionIdleMinutes,
  failureWindowMinutes: SIGN_IN_THROTTLE.windowMinutes,
  everyMs: 10 * 60_000,
  onError: (error) => logger.error({ err: error }, 'pruning sessions failed'),
});
const server: Server = app.listen(config.port, config.host, () => {
  const where = database.kind === 'pglite' ? `embedded database in ${config.pgliteDir}` : 'PostgreSQL server';
  logger.info({ port: config.port, database: database.kind }, `Sans Objection listening on http://localhost:${config.port} (${where})`);
});
server.on('error', async (error) => {
  logger.fatal({ err: error }, 'cannot listen');
  await database.close();
  process.exit(1);
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  // Stop accepting, end keep-alive and streaming connections, then close the database last
  // so that requests in flight finish and the embedded folder is checkpointed cleanly.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  app.emit('shutdown');
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), 5000);
  force.unref();
  stopPruning();
  await closed;
  await bus.close();
  await database.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
