/**
 * Verifies the consent log: recomputes every hash chain, checks every column of each event
 * against the hashed event, compares each chain's head with the head its proposal records, and,
 * given a saved list of heads (a witness kept outside the database), checks that the log still
 * holds them. Reports the first broken event of each chain and every head that disagrees.
 */
import { eventHash, GENESIS_HASH } from './hash.ts';
import type { ChainHead } from './head.ts';
import type { Executor } from '../db/schema.ts';
import { listStreams, loadStream, loadStreams, type LogEntry } from '../proposals/events.repository.ts';
import { listRecordedHeads } from '../proposals/proposals.repository.ts';

export type BreakReason =
  /** the chain itself */
  | 'hash_mismatch'
  | 'broken_link'
  | 'sequence_gap'
  | 'column_mismatch'
  /** the chain against the head its proposal records */
  | 'head_truncated'
  | 'head_mismatch'
  | 'no_proposal'
  /** the chain against a saved head (--against) */
  | 'witness_missing'
  | 'witness_truncated'
  | 'witness_rewritten';

export interface ChainBreak {
  streamId: string;
  /** The event concerned: the altered one, or the first missing one. */
  seq: number;
  /** Its row id, when it still exists. */
  eventId: number | null;
  reason: BreakReason;
  /** For column_mismatch: the column that disagrees with the hashed event. */
  column?: string;
  /** What the database holds, and what the chain (or the saved head) says it should be. */
  stored?: string;
  expected?: string;
}

export interface VerifyReport {
  streams: number;
  events: number;
  breaks: ChainBreak[];
  /** The current head of every chain, as read from the log. */
  heads: ChainHead[];
  /** How many saved heads were checked (--against). */
  witnessed: number;
}

/** Checks one stream's entries; returns the first break or null. */
export function verifyEntries(entries: readonly LogEntry[]): ChainBreak | null {
  let previous = GENESIS_HASH;
  for (const [index, entry] of entries.entries()) {
    const at = (reason: BreakReason, more: Partial<ChainBreak> = {}): ChainBreak => ({
      streamId: entry.streamId,
      seq: entry.seq,
      eventId: entry.id,
      reason,
      ...more,
    });
    if (entry.seq !== index + 1) return at('sequence_gap', { seq: index + 1, eventId: null, stored: `n° ${entry.seq}` });
    if (entry.prevHash !== previous) return at('broken_link');
    const column = columnMismatch(entry);
    if (column) return at('column_mismatch', column);
    if (eventHash(previous, { streamId: entry.streamId, seq: entry.seq, event: entry.data }) !== entry.hash) return at('hash_mismatch');
    previous = entry.hash;
  }
  return null;
}

/** The first column of the row that says something else than the hashed event. */
function columnMismatch(entry: LogEntry): Pick<ChainBreak, 'column' | 'stored' | 'expected'> | null {
  const data = entry.data as { type?: unknown; at?: unknown; actorId?: unknown };
  if (data.type !== entry.type) return { column: 'type', stored: entry.type, expected: String(data.type) };
  if (typeof data.at !== 'string' || new Date(data.at).getTime() !== new Date(entry.occurredAt).getTime()) {
    return { column: 'occurred_at', stored: entry.occurredAt, expected: String(data.at) };
  }
  if ((data.actorId ?? null) !== entry.actorId) return { column: 'actor_id', stored: String(entry.actorId), expected: String(data.actorId ?? null) };
  return null;
}

/** The chain's head against the head its proposal records in `proposals` (last_seq, last_hash). */
function compareRecorded(streamId: string, entries: readonly LogEntry[], recorded: { lastSeq: number; lastHash: string } | undefined): ChainBreak | null {
  const last = entries[entries.length - 1];
  if (!recorded) return last ? { streamId, seq: last.seq, eventId: last.id, reason: 'no_proposal' } : null;
  const stored = `${recorded.lastSeq} ${recorded.lastHash}`;
  const expected = last ? `${last.seq} ${last.hash}` : '0';
  if (!last || last.seq < recorded.lastSeq) return { streamId, seq: (last?.seq ?? 0) + 1, eventId: null, reason: 'head_truncated', stored, expected };
  if (last.seq !== recorded.lastSeq || last.hash !== recorded.lastHash)
    return { streamId, seq: last.seq, eventId: last.id, reason: 'head_mismatch', stored, expected };
  return null;
}

/** The chain against a head saved earlier: it must still hold that event, with that hash. */
function compareWitness(entries: readonly LogEntry[], witness: ChainHead): ChainBreak | null {
  const base = { streamId: witness.proposalId, expected: `${witness.events} ${witness.lastHash}` };
  const last = entries[entries.length - 1];
  if (!last) return { ...base, seq: 1, eventId: null, reason: 'witness_missing', stored: '0' };
  if (last.seq < witness.events) return { ...base, seq: last.seq + 1, eventId: null, reason: 'witness_truncated', stored: `${last.seq} ${last.hash}` };
  const event = entries.find((e) => e.seq === witness.events);
  if (!event) return { ...base, seq: witness.events, eventId: null, reason: 'witness_truncated', stored: `${last.seq} ${last.hash}` };
  if (event.hash !== witness.lastHash) return { ...base, seq: event.seq, eventId: event.id, reason: 'witness_rewritten', stored: `${event.seq} ${event.hash}` };
  return null;
}

export async function verifyLog(db: Executor, streamIds?: readonly string[], options: { against?: readonly ChainHead[] } = {}): Promise<VerifyReport> {
  // Verifying some chains reads only their recorded heads (a record's « Vérifier maintenant » stays cheap on a large log).
  const recorded = new Map((await listRecordedHeads(db, streamIds)).map((h) => [h.proposalId, h]));
  // A proposal whose every event was deleted has no stream left: its recorded head still names it.
  const streams = streamIds ?? [...new Set([...(await listStreams(db)), ...recorded.keys()])].sort();
  const witnesses = new Map<string, ChainHead[]>();
  for (const w of options.against ?? []) witnesses.set(w.proposalId, [...(witnesses.get(w.proposalId) ?? []), w]);
  const report: VerifyReport = { streams: streams.length, events: 0, breaks: [], heads: [], witnessed: 0 };
  const check = (found: ChainBreak | null): void => {
    if (found) report.breaks.push(found);
  };
  // some chains (a batch of the register's verification): their events in one query
  const preloaded = streamIds && streamIds.length > 1 ? await loadStreams(db, streamIds) : null;
  for (const streamId of streams) {
    const entries = preloaded ? (preloaded.get(streamId) ?? []) : await loadStream(db, streamId);
    report.events += entries.length;
    check(verifyEntries(entries));
    check(compareRecorded(streamId, entries, recorded.get(streamId)));
    const last = entries[entries.length - 1];
    if (last) report.heads.push({ proposalId: streamId, events: last.seq, lastHash: last.hash });
    for (const witness of witnesses.get(streamId) ?? []) check(compareWitness(entries, witness));
    witnesses.delete(streamId);
  }
  // Saved heads of proposals the log no longer knows at all (when the whole log is verified).
  if (!streamIds) for (const list of witnesses.values()) for (const witness of list) check(compareWitness([], witness));
  report.witnessed = options.against?.length ?? 0;
  return report;
}
