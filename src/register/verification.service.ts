/**
 * « Registre vérifié »: verifies the whole log (the checks of npm run verify-log) and keeps when,
 * by whom and what it found; the register home shows the latest. An admin runs it from the
 * register, the command line after each run of verify-log.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { authorize, type Actor } from '../accounts/policy.ts';
import { verifyLog, type VerifyReport } from '../ledger/verify.ts';
import { insertVerification, latestVerification, type VerificationRow } from './verification.repository.ts';

/** Keeps the result of a verification of the whole log; `by` is null from the command line. */
export async function recordVerification(db: Kysely<DB>, report: VerifyReport, by: string | null, at: Date = new Date()): Promise<void> {
  await insertVerification(db, {
    verifiedAt: at,
    verifiedBy: by,
    chains: report.streams,
    events: report.events,
    breaks: report.breaks.length,
    firstBreak: report.breaks[0] ?? null,
  });
}

/** « Vérifier maintenant » on the register: admins only; verifies every chain in one snapshot, then keeps the result. */
export async function verifyRegister(db: Kysely<DB>, actor: Actor, now: Date = new Date()): Promise<VerificationRow> {
  authorize(actor, { type: 'register.verify' });
  const report = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute((trx) => verifyLog(trx));
  await recordVerification(db, report, actor.kind === 'account' ? actor.personId : null, now);
  return (await latestVerification(db))!;
}

/** The latest verification of the whole log, for whoever reads the register. */
export async function registerVerification(db: Kysely<DB>, actor: Actor): Promise<VerificationRow | null> {
  authorize(actor, { type: 'register.read' });
  return latestVerification(db);
}
