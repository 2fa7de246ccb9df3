/** Recomputes every hash chain of the consent log and reports the first broken event of each stream. */
import { eventHash, GENESIS_HASH } from './hash.ts';
import { listStreams, loadStream, type Executor, type LogEntry } from '../repositories/events.repository.ts';

export interface ChainBreak {
  streamId: string;
  seq: number;
  eventId: number;
  reason: 'hash_mismatch' | 'broken_link' | 'sequence_gap' | 'column_mismatch';
}

export interface VerifyReport {
  streams: number;
  events: number;
  breaks: ChainBreak[];
}

/** Checks one stream's entries; returns the first break or null. */
export function verifyEntries(entries: readonly LogEntry[]): ChainBreak | null {
  let previous = GENESIS_HASH;
  for (const [index, entry] of entries.entries()) {
    const at = (reason: ChainBreak['reason']): ChainBreak => ({ streamId: entry.streamId, seq: entry.seq, eventId: entry.id, reason });
    if (entry.seq !== index + 1) return at('sequence_gap');
    if (entry.prevHash !== previous) return at('broken_link');
    const data = entry.data as { type?: unknown; at?: unknown };
    if (data.type !== entry.type || typeof data.at !== 'string' || new Date(data.at).getTime() !== new Date(entry.occurredAt).getTime()) {
      return at('column_mismatch');
    }
    if (eventHash(previous, { streamId: entry.streamId, seq: entry.seq, event: entry.data }) !== entry.hash) return at('hash_mismatch');
    previous = entry.hash;
  }
  return null;
}

export async function verifyLog(db: Executor, streamIds?: readonly string[]): Promise<VerifyReport> {
  const streams = streamIds ?? (await listStreams(db));
  const report: VerifyReport = { streams: streams.length, events: 0, breaks: [] };
  for (const streamId of streams) {
    const entries = await loadStream(db, streamId);
    report.events += entries.length;
    const broken = verifyEntries(entries);
    if (broken) report.breaks.push(broken);
  }
  return report;
}
