/** `npm run verify-log`: recomputes every hash chain; prints OK with the count, or each first broken event, and exits non-zero. */
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { verifyLog } from '../ledger/verify.ts';

const REASONS = {
  hash_mismatch: "l'empreinte ne correspond plus au contenu de l'événement",
  broken_link: "l'empreinte précédente ne correspond pas à l'événement d'avant",
  sequence_gap: 'la numérotation présente un trou',
  column_mismatch: "les colonnes de l'événement ne correspondent pas à son contenu",
} as const;

// French plural: 0 and 1 take the singular.
const count = (n: number, one: string, many: string): string => `${n} ${n > 1 ? many : one}`;

const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir, poolSize: 2 });
try {
  const report = await verifyLog(database.db);
  if (report.breaks.length === 0) {
    console.log(`OK : ${count(report.events, 'événement vérifié', 'événements vérifiés')} dans ${count(report.streams, 'proposition', 'propositions')}, chaînes intactes.`);
  } else {
    for (const b of report.breaks) {
      console.error(`ALTÉRÉ : proposition ${b.streamId}, événement n° ${b.seq} (id ${b.eventId}) : ${REASONS[b.reason]}.`);
    }
    console.error(`${count(report.breaks.length, 'chaîne rompue', 'chaînes rompues')} sur ${report.streams} ; ${count(report.events, 'événement lu', 'événements lus')}.`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
} finally {
  await database.close();
}
