/** The consent log: the only SQL that writes or reads the events table. */
import type { Executor } from '../db/schema.ts';
import type { Write } from '../db/together.ts';

export interface NewLogEntry {
  streamId: string;
  seq: number;
  type: string;
  data: Record<string, unknown>;
  actorId: string | null;
  occurredAt: string;
  prevHash: string;
  hash: string;
}

export interface LogEntry extends NewLogEntry {
  id: number;
  recordedAt: Date;
}

/** Appends entries; a (stream, seq) already taken raises the unique violation the service retries on. */
export async function appendEntries(db: Executor, entries: readonly NewLogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await appendWrite(db, entries).execute();
}

/** The INSERT of appendEntries, built but not run (at least one entry). */
export function appendWrite(db: Executor, entries: readonly NewLogEntry[]): Write {
  return db.insertInto('events').values(
    entries.map((e) => ({
      stream_id: e.streamId,
      seq: e.seq,
      type: e.type,
      data: JSON.stringify(e.data),
      actor_id: e.actorId,
      occurred_at: e.occurredAt,
      prev_hash: e.prevHash,
      hash: e.hash,
    })),
  );
}

/** One stream's entries in sequence order. */
export async function loadStream(db: Executor, streamId: string): Promise<LogEntry[]> {
  const rows = await db.selectFrom('events').selectAll().where('stream_id', '=', streamId).orderBy('seq').execute();
  return rows.map(toEntry);
}

/** Several streams' entries in one query, each in sequence order (a stream with no event is absent). */
export async function loadStreams(db: Executor, streamIds: readonly string[]): Promise<Map<string, LogEntry[]>> {
  const streams = new Map<string, LogEntry[]>();
  if (streamIds.length === 0) return streams;
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('stream_id', 'in', [...streamIds])
    .orderBy('stream_id')
    .orderBy('seq')
    .execute();
  for (const row of rows) {
    const entry = toEntry(row);
    const list = streams.get(entry.streamId);
    if (list) list.push(entry);
    else streams.set(entry.streamId, [entry]);
  }
  return streams;
}

/** Every stream id, for verification of the whole log. */
export async function listStreams(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('events').select('stream_id').distinct().orderBy('stream_id').execute();
  return rows.map((r) => r.stream_id);
}

/** The last event of a stream (its number and hash), or null when the stream has none. */
export async function lastEntry(db: Executor, streamId: string): Promise<{ seq: number; hash: string } | null> {
  const row = await db.selectFrom('events').select(['seq', 'hash']).where('stream_id', '=', streamId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ? { seq: row.seq, hash: row.hash } : null;
}

function toEntry(row: {
  id: number;
  stream_id: string;
  seq: number;
  type: string;
  data: Record<string, unknown>;
  actor_id: string | null;
  occurred_at: Date;
  recorded_at: Date;
  prev_hash: string;
  hash: string;
}): LogEntry {
  return {
    id: row.id,
    streamId: row.stream_id,
    seq: row.seq,
    type: row.type,
    data: row.data,
    actorId: row.actor_id,
    occurredAt: row.occurred_at.toISOString(),
    recordedAt: row.recorded_at,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** A submission key this person already used on this proposal, with the fingerprint of what was sent (null for keys stored before migration 0005). */
export async function findKey(db: Executor, key: string, proposalId: string, personId: string): Promise<{ fingerprint: string | null } | null> {
  const r = await db
    .selectFrom('command_keys')
    .select('fingerprint')
    .where('key', '=', key)
    .where('proposal_id', '=', proposalId)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  return r ?? null;
}

/**
 * Records a submission key in the transaction of its events, unless this person already used it
 * on this proposal: returns false then (a concurrent twin waits for the first to commit, then
 * finds it taken). One statement for the usual case, a new key.
 */
export async function claimKey(db: Executor, key: string, proposalId: string, personId: string, fingerprint: string): Promise<boolean> {
  const rows = await claimKeyWrite(db, key, proposalId, personId, fingerprint).execute();
  return rows.length > 0;
}

/**
 * The INSERT of claimKey, built but not run: it returns one row when the key was free, and none
 * when it was taken; with `orFail`, a taken key fails the statement instead (unique violation on
 * command_keys_pkey), for a statement that must write all or nothing.
 */
export function claimKeyWrite(db: Executor, key: string, proposalId: string, personId: string, fingerprint: string, { orFail = false } = {}) {
  return db
    .insertInto('command_keys')
    .values({ key, proposal_id: proposalId, person_id: personId, fingerprint })
    .$if(!orFail, (q) => q.onConflict((oc) => oc.columns(['person_id', 'proposal_id', 'key']).doNothing()))
    .returning('key');
}

/** True when a database error is a concurrent append: the (stream, seq) or a new proposal id already taken. */
export function isSequenceConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string };
  return (
    e?.code === '23505' &&
    (e.constraint === undefined || e.constraint === 'events_stream_seq_unique' || e.constraint === 'proposals_pkey' || e.constraint === 'command_keys_pkey')
  );
}
