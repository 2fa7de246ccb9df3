/**
 * Whether a decision's chain verifies, as its record shows it: the same verification as
 * `npm run verify-log` (src/ledger/verify.ts), on that proposal's chain only; and the sentence
 * that says where a chain breaks, in the reader's language (verify-log prints its own, in French).
 */
import type { Kysely } from 'kysely';
import type { TFunction } from 'i18next';
import type { DB } from '../db/schema.ts';
import { verifyLog, type ChainBreak } from '../ledger/verify.ts';

export interface ChainStatus {
  ok: boolean;
  events: number;
  lastHash: string | null;
  verifiedAt: Date;
  /** The first break found: which event, and what is wrong with it. */
  broken: { seq: number; eventId: number | null; message: string } | null;
}

export async function chainStatus(db: Kysely<DB>, proposalId: string, t: TFunction, now: Date = new Date()): Promise<ChainStatus> {
  const report = await verifyLog(db, [proposalId]);
  const first = report.breaks[0];
  const head = report.heads[0];
  return {
    ok: !first,
    events: report.events,
    lastHash: head?.lastHash ?? null,
    verifiedAt: now,
    broken: first ? { seq: first.seq, eventId: first.eventId, message: breakSentence(first, t) } : null,
  };
}

/** A head written `count hash` (or `0`) in a break. */
function head(value: string | undefined): { events: number; hash: string } {
  const [events, hash] = (value ?? '0').split(' ');
  return { events: Number(events), hash: hash ?? '' };
}

/** « Proposition …, événement n° 5 : l’empreinte ne correspond plus au contenu de l’événement. » */
export function breakSentence(b: ChainBreak, t: TFunction): string {
  const stored = head(b.stored);
  const expected = head(b.expected);
  const reasons: Record<ChainBreak['reason'], () => [string, Record<string, unknown>]> = {
    hash_mismatch: () => ['hash_mismatch', {}],
    broken_link: () => ['broken_link', {}],
    sequence_gap: () => ['sequence_gap', { next: b.stored }],
    column_mismatch: () => ['column_mismatch', { column: b.column, stored: b.stored, expected: b.expected }],
    head_truncated: () =>
      expected.events ? ['head_truncated', { recorded: stored.events, last: expected.events }] : ['head_truncated_empty', { recorded: stored.events }],
    head_mismatch: () =>
      expected.events !== stored.events
        ? ['head_mismatch_count', { logged: expected.events, recorded: stored.events }]
        : ['head_mismatch_hash', { stored: stored.hash, expected: expected.hash }],
    no_proposal: () => ['no_proposal', {}],
    witness_missing: () => ['witness_missing', { attested: expected.events, hash: expected.hash }],
    witness_truncated: () => ['witness_truncated', { attested: expected.events, hash: expected.hash, last: stored.events }],
    witness_rewritten: () => ['witness_rewritten', { stored: stored.hash, expected: expected.hash }],
  };
  const [key, params] = reasons[b.reason]();
  return t('register.integrity.break_sentence', {
    proposal: b.streamId,
    seq: b.seq,
    reason: t(`register.integrity.reasons.${key}`, { ...params, seq: b.seq }),
  });
}
