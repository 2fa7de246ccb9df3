/**
 * Prepares the databases test files start from, once per run: creating and migrating a database
 * for every file was most of `npm test`'s time (an embedded initdb is seconds of WebAssembly).
 * Embedded: two PGlite folders, empty and migrated, that test/helpers/database.ts copies per file.
 * Server (DATABASE_URL): one migrated database that each file's database is created from.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrator.ts';
import { adminQuery, databaseUrlFor, type DatabaseTemplates } from './helpers/database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseTemplates: DatabaseTemplates;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env.DATABASE_URL || null;
  if (serverUrl) {
    const name = `so_template_${randomBytes(6).toString('hex')}`;
    await adminQuery(serverUrl, `create database ${name}`);
    const database = await openDatabase({ databaseUrl: databaseUrlFor(serverUrl, name), pgliteDir: '', poolSize: 1 });
    try {
      await migrateToLatest(database.db);
    } finally {
      // No connection may stay open on a template, or `create database … template` refuses it.
      await database.close();
    }
    project.provide('databaseTemplates', { kind: 'postgres', migrated: name });
    return () => adminQuery(serverUrl, `drop database if exists ${name} with (force)`);
  }
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'so-pglite-templates-'));
  const empty = path.join(root, 'empty');
  const migrated = path.join(root, 'migrated');
  const database = await openDatabase({ databaseUrl: null, pgliteDir: migrated });
  await database.close();
  await fs.cp(migrated, empty, { recursive: true });
  const again = await openDatabase({ databaseUrl: null, pgliteDir: migrated });
  try {
    await migrateToLatest(again.db);
  } finally {
    await again.close();
  }
  project.provide('databaseTemplates', { kind: 'pglite', empty, migrated });
  return () => fs.rm(root, { recursive: true, force: true });
}
