/** Gives each test file its own database: embedded PGlite by default, a fresh database on the server with DATABASE_URL. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';

export const serverUrl = process.env.DATABASE_URL || null;

export interface TestDatabase extends Database {
  /** Environment that points a child process (a CLI) at this same database. */
  env: Record<string, string>;
  /** Drops the per-file database (server) or removes its folder (embedded). */
  dispose(): Promise<void>;
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl! });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A migrated, empty database for one test file. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  let database: Database;
  let cleanup: () => Promise<void>;
  let env: Record<string, string>;
  if (serverUrl) {
    const name = `so_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(`create database ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    database = await openDatabase({ databaseUrl: url.toString(), pgliteDir: '', poolSize: 5 });
    cleanup = () => adminQuery(`drop database if exists ${name} with (force)`);
    env = { DATABASE_URL: url.toString() };
  } else {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'so-pglite-'));
    database = await openDatabase({ databaseUrl: null, pgliteDir: dir });
    cleanup = () => fs.rm(dir, { recursive: true, force: true });
    env = { DATABASE_URL: '', PGLITE_DIR: dir };
  }
  if (options.migrate !== false) await migrateToLatest(database.db);
  return {
    ...database,
    env,
    async dispose() {
      await database.close();
      await cleanup();
    },
  };
}
