/**
 * `npm run verify-log`: recomputes every hash chain and checks each chain's head against its
 * proposal; prints OK with the count, or each finding, and exits 1.
 *   -- --heads          prints the current head of every chain (the format --against reads)
 *   -- --against FILE   also checks heads saved earlier (a printed relevé, a --heads file)
 *   -- --read-models    also rebuilds the read models from the log and compares them
 */
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { formatHeads, parseHeads, type ChainHead } from '../ledger/head.ts';
import { count, describeBreak, describeDifference, describeReplayFailure } from '../ledger/messages.ts';
import { verifyReadModels } from '../ledger/read-models.ts';
import { verifyLog } from '../ledger/verify.ts';
import { recordVerification } from '../register/verification.service.ts';
import { isEntryPoint, terminal, type Output } from './entry.ts';

const USAGE = 'Usage : npm run verify-log [-- --heads | --against FICHIER | --read-models]';

function parseArguments(args: readonly string[]): { heads: boolean; against: string | null; readModels: boolean } {
  const options = { heads: false, against: null as string | null, readModels: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--heads') options.heads = true;
    else if (arg === '--read-models') options.readModels = true;
    else if (arg === '--against' && args[i + 1]) options.against = args[++i]!;
    else if (arg.startsWith('--against=') && arg.length > 10) options.against = arg.slice(10);
    else throw new Error(`Option inconnue ou incomplète : « ${arg} ». ${USAGE}`);
  }
  return options;
}

/** Runs the verification; returns the exit code (0 intact, 1 findings, 2 unusable arguments or database). */
export async function verifyLogCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env, io: Output = terminal): Promise<number> {
  let database: Awaited<ReturnType<typeof openDatabase>> | null = null;
  let exitCode = 0;
  try {
    const options = parseArguments(args);
    let against: ChainHead[] | undefined;
    if (options.against) {
      const text = await readFile(options.against, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new Error(`Impossible de lire le relevé « ${options.against} » (${error.code ?? error.message}). Vérifiez le chemin du fichier.`);
      });
      against = parseHeads(text);
    }
    const config = loadConfig(env);
    database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir, poolSize: 2 });
    // One snapshot: a command committed meanwhile must not look like a head out of step with its chain.
    const report = await database.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute((trx) => verifyLog(trx, undefined, { against }));
    // the register shows the latest verification of the whole log (« Registre vérifié »)
    await recordVerification(database.db, report, null);
    const failed = new Set(report.breaks.map((b) => b.streamId));
    for (const b of report.breaks) io.err(describeBreak(b));
    if (options.heads) {
      io.out(formatHeads(report.heads).replace(/\n$/, ''));
    } else if (report.breaks.length === 0) {
      io.out(
        `OK : ${count(report.events, 'événement vérifié', 'événements vérifiés')} dans ${count(report.streams, 'proposition', 'propositions')}, chaînes intactes.`,
      );
      if (against) io.out(`OK : ${count(report.witnessed, 'tête de chaîne du relevé retrouvée', 'têtes de chaîne du relevé retrouvées')} dans le journal.`);
    }
    if (report.breaks.length > 0) {
      io.err(
        `${count(failed.size, 'proposition en défaut', 'propositions en défaut')} sur ${report.streams} ; ${count(report.events, 'événement lu', 'événements lus')}.`,
      );
      exitCode = 1;
    }
    if (options.readModels) {
      const models = await verifyReadModels(database.db);
      for (const f of models.replayFailures) io.err(describeReplayFailure(f));
      const firstOfEach = new Map<string, (typeof models.differences)[number]>();
      for (const d of models.differences) if (!firstOfEach.has(d.table)) firstOfEach.set(d.table, d);
      for (const d of firstOfEach.values()) io.err(describeDifference(d));
      if (models.differences.length + models.replayFailures.length === 0) {
        io.out(`OK : ${count(models.rows, 'ligne', 'lignes')} des ${models.tables} tables de lecture conformes au journal rejoué.`);
      } else {
        io.err(
          `Tables de lecture : ${count(models.differences.length, 'différence', 'différences')} avec le journal rejoué (la première de chaque table est citée).`,
        );
        exitCode = 1;
      }
    }
  } catch (error) {
    io.err(String(error instanceof Error ? error.message : error));
    exitCode = 2;
  } finally {
    await database?.close();
  }
  return exitCode;
}

if (isEntryPoint(import.meta.url)) process.exitCode = await verifyLogCommand(process.argv.slice(2));
