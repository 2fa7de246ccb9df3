/**
 * `npm run create-admin`: creates the first administrator (or makes an account admin with a new password).
 * Values come from --email/--name/--password, then ADMIN_EMAIL/ADMIN_NAME/ADMIN_PASSWORD, then a prompt.
 */
import { parseArgs } from 'node:util';
import readline from 'node:readline/promises';
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrator.ts';
import { upsertAdmin } from '../accounts/account.service.ts';
import { LIMITS } from '../http/limits.ts';
import { isEntryPoint, terminal, type Output } from './entry.ts';

async function ask(question: string, hidden = false): Promise<string> {
  if (!process.stdin.isTTY) throw new Error(`${question} manquant : passez-le en argument ou dans l'environnement.`);
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  if (hidden) {
    // echo nothing while the password is typed
    const output = rl as unknown as { _writeToOutput: (s: string) => void };
    const original = output._writeToOutput.bind(rl);
    output._writeToOutput = (s: string) => (s.startsWith(question) ? original(s) : undefined);
  }
  const answer = await rl.question(question);
  rl.close();
  if (hidden) process.stdout.write('\n');
  return answer;
}

const schema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(LIMITS.email)
    .pipe(z.email({ message: 'adresse électronique invalide' })),
  name: z.string().trim().min(1, 'nom obligatoire').max(LIMITS.name, `nom de ${LIMITS.name} caractères au plus`),
  password: z.string().min(LIMITS.passwordMin, `mot de passe de ${LIMITS.passwordMin} caractères au moins`).max(LIMITS.passwordMax),
});

/** Creates or promotes the administrator; returns the exit code (0 done, 1 refused). */
export async function createAdminCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env, io: Output = terminal): Promise<number> {
  try {
    const { values } = parseArgs({
      args: [...args],
      options: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } },
      strict: true,
    });
    const email = values.email ?? env.ADMIN_EMAIL ?? (await ask('Adresse électronique : '));
    const name = values.name ?? env.ADMIN_NAME ?? (await ask('Nom affiché : '));
    const password = values.password ?? env.ADMIN_PASSWORD ?? (await ask('Mot de passe (12 caractères au moins) : ', true));
    const parsed = schema.safeParse({ email, name, password });
    if (!parsed.success) throw new Error(`Valeur invalide : ${parsed.error.issues.map((i) => i.message).join(' ; ')}`);
    const config = loadConfig(env);
    const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir, poolSize: 2 });
    try {
      await migrateToLatest(database.db);
      const outcome = await upsertAdmin(database.db, { email: parsed.data.email, displayName: parsed.data.name, password: parsed.data.password });
      io.out(
        outcome === 'created'
          ? `Compte administrateur créé : ${parsed.data.email}`
          : `Compte ${parsed.data.email} : rôle administrateur et nouveau mot de passe.`,
      );
    } finally {
      await database.close();
    }
    return 0;
  } catch (error) {
    io.err(String(error instanceof Error ? error.message : error));
    return 1;
  }
}

if (isEntryPoint(import.meta.url)) process.exitCode = await createAdminCommand(process.argv.slice(2));
