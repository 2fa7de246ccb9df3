/**
 * Whether a decision's chain verifies, as its record shows it: the same verification as
 * `npm run verify-log` (src/ledger/verify.ts), on that proposal's chain only.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { verifyLog } from '../ledger/verify.ts';
import { describeBreak } from '../ledger/messages.ts';

export interface ChainStatus {
  ok: boolean;
  events: number;
  lastHash: string | null;
  verifiedAt: Date;
  /** The first break found: which event, and what is wrong with it (verify-log's own sentence). */
  broken: { seq: number; eventId: number | null; message: string } | null;
}

export async function chainStatus(db: Kysely<DB>, proposalId: string, now: Date = new Date()): Promise<ChainStatus> {
  const report = await verifyLog(db, [proposalId]);
  const first = report.breaks[0];
  const head = report.heads[0];
  return {
    ok: !first,
    events: report.events,
    lastHash: head?.lastHash ?? null,
    verifiedAt: now,
    broken: first ? { seq: first.seq, eventId: first.eventId, message: describeBreak(first) } : null,
  };
}
