/** Applies the Kysely migrations of `migrations/`, in name order. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';

// Run from the TypeScript sources (tsx, vitest), the migrations are the .ts files of migrations/;
// run from the build (node dist/server.js), they are their compiled copies in dist/migrations/.
const compiled = import.meta.url.endsWith('.js');
const EXTENSION = compiled ? '.js' : '.ts';
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), compiled ? '../migrations' : '../../migrations');

// Kysely's FileMigrationProvider resolves import() from inside node_modules, which vitest
// cannot transform; importing here keeps one provider for the app, the CLI and the tests.
class FolderMigrationProvider implements MigrationProvider {
  constructor(private readonly folder: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const names = (await fs.readdir(this.folder)).filter((f) => /^\d/.test(f) && f.endsWith(EXTENSION) && !f.endsWith('.d.ts')).sort();
    const migrations: Record<string, Migration> = {};
    for (const name of names) {
      const mod = (await import(pathToFileURL(path.join(this.folder, name)).href)) as Migration;
      // the name recorded in the database has no extension: both ways of running see the same history
      migrations[name.slice(0, -EXTENSION.length)] = mod;
    }
    return migrations;
  }
}

export class MigrationError extends Error {
  constructor(
    readonly migration: string | undefined,
    override readonly cause: unknown,
  ) {
    super(`La migration ${migration ?? '(inconnue)'} a échoué : ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'MigrationError';
  }
}

/** Brings the schema up to date; returns the names of the migrations applied now. */
export async function migrateToLatest(db: Kysely<any>, folder = MIGRATIONS_DIR): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new FolderMigrationProvider(folder) });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new MigrationError(failed?.migrationName, error);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
