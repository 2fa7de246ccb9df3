/**
 * Prepares the databases test files start from: creating and migrating a database for every file
 * was most of `npm test`'s time (an embedded initdb is seconds of WebAssembly).
 * Embedded: two PGlite folders, empty and migrated, that test/helpers/database.ts copies per file.
 * They are kept between runs in the system's temporary folder, under a digest of what makes them
 * (the migrations, src/db/, PGlite's version): a run after a change to any of these builds them anew.
 * Server (DATABASE_URL): one migrated database that each file's database is created from, every run.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
  project.provide('databaseTemplates', await pgliteTemplates());
  return async () => {};
}

const repository = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where the embedded templates are kept between runs (and between worktrees with the same migrations). */
export const TEMPLATES_CACHE = path.join(os.tmpdir(), 'sans-objection-test-templates');
const UNUSED_FOR = 7 * 24 * 3600 * 1000;

/** A digest of everything the migrated folder depends on: any change to one of these makes new templates. */
async function templatesKey(): Promise<string> {
  const digest = createHash('sha256');
  const pglite = JSON.parse(await fs.readFile(path.join(repository, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string };
  digest.update(`pglite ${pglite.version}\n`);
  digest.update('the migrated folder without template0 and template1\n');
  for (const folder of ['migrations', 'src/db']) {
    for (const name of (await fs.readdir(path.join(repository, folder))).sort()) {
      digest.update(`${folder}/${name}\n`);
      digest.update(await fs.readFile(path.join(repository, folder, name)));
    }
  }
  return digest.digest('hex').slice(0, 16);
}

/** The empty and the migrated PGlite folders for this digest: built once, then reused. */
async function pgliteTemplates(): Promise<DatabaseTemplates> {
  await fs.mkdir(TEMPLATES_CACHE, { recursive: true });
  const kept = path.join(TEMPLATES_CACHE, await templatesKey());
  const templates = { kind: 'pglite' as const, empty: path.join(kept, 'empty'), migrated: path.join(kept, 'migrated') };
  const now = new Date();
  try {
    await fs.utimes(kept, now, now); // marks it used: only templates unused for a week are removed
    await pruneUnused(kept);
    return templates;
  } catch {
    // not built yet
  }
  // built aside, then renamed into place: a run never sees half a template, and two runs may race
  const building = await fs.mkdtemp(path.join(TEMPLATES_CACHE, 'building-'));
  try {
    const empty = path.join(building, 'empty');
    const migrated = path.join(building, 'migrated');
    const database = await openDatabase({ databaseUrl: null, pgliteDir: migrated });
    await database.close();
    await fs.cp(migrated, empty, { recursive: true });
    const again = await openDatabase({ databaseUrl: null, pgliteDir: migrated });
    try {
      await migrateToLatest(again.db);
      // every test file copies this folder: without the two template databases nothing uses
      // (an embedded database is never copied from them), it is 26 MB instead of 40, and copying
      // it takes 1 s instead of 2 to 3
      for (const name of ['template0', 'template1']) {
        await again.pglite!.exec(`alter database ${name} is_template false`);
        await again.pglite!.exec(`drop database ${name}`);
      }
      await again.pglite!.exec('checkpoint');
    } finally {
      await again.close();
    }
    await fs.rename(building, kept).catch(async (error: NodeJS.ErrnoException) => {
      // another run has just put the same templates in place: use theirs
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await fs.rm(building, { recursive: true, force: true });
  }
  await pruneUnused(kept);
  return templates;
}

/** Removes the templates of other digests not used for a week (older migrations, other worktrees). */
async function pruneUnused(current: string): Promise<void> {
  for (const entry of await fs.readdir(TEMPLATES_CACHE)) {
    const folder = path.join(TEMPLATES_CACHE, entry);
    if (folder === current) continue;
    const { mtimeMs } = await fs.stat(folder).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs > UNUSED_FOR) await fs.rm(folder, { recursive: true, force: true });
  }
}
