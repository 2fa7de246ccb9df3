/**
 * « Registre vérifié »: verifies the whole log (the checks of npm run verify-log) and keeps when,
 * by whom and what it found; the register home shows the latest. On a large log this takes
 * minutes, so an admin's « Vérifier maintenant » starts a run in the background and answers at
 * once: the run is a row (en cours, terminée, en échec) with its progress, one at a time. It
 * verifies the chains a batch at a time, each batch in one snapshot, and remembers the head of
 * every chain found intact; a run of the new events only (« Vérifier les nouveaux événements »)
 * re-verifies the chains that changed since and checks that the others still end on their
 * remembered head. Only a full run re-reads every event.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { authorize, type Actor } from '../accounts/policy.ts';
import { badRequest } from '../http/errors.ts';
import { verifyLog, type ChainBreak, type VerifyReport } from '../ledger/verify.ts';
import {
  allChains,
  failInterrupted,
  failRun,
  finishRun,
  insertRunning,
  insertVerification,
  latestVerification,
  saveCheckpoints,
  unchangedChains,
  unfinishedRun,
  updateProgress,
  type VerificationJob,
  type VerificationRow,
  type VerificationScope,
} from './verification.repository.ts';

/** Chains verified per snapshot, between two progress updates. */
const BATCH = 500;
/** A run with no sign of life for this long belongs to a process that stopped. */
export const STALE_AFTER_MS = 60_000;

/** Keeps the result of a verification of the whole log; `by` is null from the command line. */
export async function recordVerification(db: Kysely<DB>, report: VerifyReport, by: string | null, at: Date = new Date()): Promise<void> {
  await insertVerification(db, {
    verifiedAt: at,
    verifiedBy: by,
    chains: report.streams,
    events: report.events,
    // the register counts broken chains (a chain may break in two ways: its event and its recorded head)
    breaks: new Set(report.breaks.map((b) => b.streamId)).size,
    firstBreak: report.breaks[0] ?? null,
    scope: 'full',
  });
}

const running = new Set<Promise<void>>();

/** Waits for the runs this process started (tests; a graceful stop). */
export async function settleVerifications(): Promise<void> {
  while (running.size) await Promise.allSettled([...running]);
}

/**
 * « Vérifier maintenant » on the register (admins only): starts a run in the background.
 * `started` is false when one is already running: nothing is written then.
 */
export async function verifyRegister(
  db: Kysely<DB>,
  actor: Actor,
  /** undefined: a scope the form does not offer (400) */
  scope: VerificationScope | undefined,
  options: { now?: Date; onError?: (error: unknown) => void } = {},
): Promise<{ started: boolean }> {
  authorize(actor, { type: 'register.verify' });
  if (!scope) throw badRequest();
  await failInterrupted(db, STALE_AFTER_MS);
  const id = await insertRunning(db, { by: actor.kind === 'account' ? actor.personId : null, scope, at: options.now ?? new Date() });
  if (id === null) return { started: false };
  const run = verifyInBatches(db, id, scope).catch(async (error: unknown) => {
    options.onError?.(error);
    await failRun(db, id, error instanceof Error ? error.message.slice(0, 500) : String(error)).catch(() => {});
  });
  running.add(run);
  void run.finally(() => running.delete(run));
  return { started: true };
}

async function verifyInBatches(db: Kysely<DB>, id: number, scope: VerificationScope): Promise<void> {
  const chains = await allChains(db);
  const unchanged = scope === 'new' ? await unchangedChains(db) : new Map<string, number>();
  let events = 0;
  for (const count of unchanged.values()) events += count;
  const toVerify = chains.filter((c) => !unchanged.has(c));
  let done = chains.length - toVerify.length;
  /** broken chains */
  let breaks = 0;
  let firstBreak: ChainBreak | null = null;
  await updateProgress(db, id, done, chains.length);
  for (let i = 0; i < toVerify.length; i += BATCH) {
    const batch = toVerify.slice(i, i + BATCH);
    // one snapshot per batch: each chain is read with the head its proposal records at the same instant
    const report = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute((trx) => verifyLog(trx, batch));
    const broken = [...new Set(report.breaks.map((b) => b.streamId))];
    const at = new Date();
    await saveCheckpoints(
      db,
      report.heads.filter((h) => !broken.includes(h.proposalId)),
      broken,
      at,
    );
    events += report.events;
    breaks += broken.length;
    firstBreak ??= report.breaks[0] ?? null;
    done += batch.length;
    await updateProgress(db, id, done, chains.length);
  }
  await finishRun(db, id, { chains: chains.length, events, breaks, firstBreak, at: new Date() });
}

/** At start: the runs of a process that stopped mid-way are marked en échec. */
export async function failInterruptedVerifications(db: Kysely<DB>, staleAfterMs = STALE_AFTER_MS): Promise<number> {
  return failInterrupted(db, staleAfterMs);
}

/** The latest verification of the whole log, and the run under way or failed since, for whoever reads the register. */
export async function registerVerification(db: Kysely<DB>, actor: Actor): Promise<{ latest: VerificationRow | null; run: VerificationJob | null }> {
  authorize(actor, { type: 'register.read' });
  const [latest, run] = await Promise.all([latestVerification(db), unfinishedRun(db, STALE_AFTER_MS)]);
  return { latest, run };
}
