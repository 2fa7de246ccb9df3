/**
 * Gives each test file its own database, copied from the templates test/global-setup.ts prepared
 * once: an embedded PGlite folder by default, a database created from a template with DATABASE_URL.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';

export const serverUrl = process.env.DATABASE_URL || null;

/** What test/global-setup.ts prepared: PGlite folders, or the name of a migrated database on the server. */
export type DatabaseTemplates = { kind: 'pglite'; empty: string; migrated: string } | { kind: 'postgres'; migrated: string };

export interface TestDatabase extends Database {
  /** Environment that points a child process (a CLI) at this same database. */
  env: Record<string, string>;
  /** Drops the per-file database (server) or removes its folder (embedded). */
  dispose(): Promise<void>;
}

export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** The server's URL with another database name. */
export function databaseUrlFor(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

function templates(): DatabaseTemplates | undefined {
  return inject('databaseTemplates');
}

/**
 * A new embedded database folder for this file: a copy of the template, migrated or not.
 * Without the global setup (another vitest config), an empty folder that PGlite initialises itself.
 */
export async function newPgliteFolder(options: { migrate?: boolean } = {}): Promise<{ dir: string; migrated: boolean }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'so-pglite-'));
  const prepared = templates();
  if (prepared?.kind !== 'pglite') return { dir, migrated: false };
  await fs.cp(options.migrate === false ? prepared.empty : prepared.migrated, dir, { recursive: true });
  return { dir, migrated: options.migrate !== false };
}

/** A migrated, empty database for one test file (or unmigrated with `migrate: false`). */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrate = options.migrate !== false;
  let database: Database;
  let cleanup: () => Promise<void>;
  let env: Record<string, string>;
  let migrated: boolean;
  if (serverUrl) {
    const name = `so_test_${randomBytes(6).toString('hex')}`;
    const prepared = templates();
    const template = migrate && prepared?.kind === 'postgres' ? prepared.migrated : null;
    await adminQuery(serverUrl, template ? `create database ${name} template ${template}` : `create database ${name}`);
    migrated = template !== null;
    const url = databaseUrlFor(serverUrl, name);
    database = await openDatabase({ databaseUrl: url, pgliteDir: '', poolSize: 5 });
    cleanup = () => adminQuery(serverUrl, `drop database if exists ${name} with (force)`);
    env = { DATABASE_URL: url };
  } else {
    const folder = await newPgliteFolder({ migrate });
    migrated = folder.migrated;
    database = await openDatabase({ databaseUrl: null, pgliteDir: folder.dir });
    cleanup = () => fs.rm(folder.dir, { recursive: true, force: true });
    env = { DATABASE_URL: '', PGLITE_DIR: folder.dir };
  }
  if (migrate && !migrated) await migrateToLatest(database.db);
  return {
    ...database,
    env,
    async dispose() {
      await database.close();
      await cleanup();
    },
  };
}
