/**
 * verify-log --read-models: replays the log through the one projection code path
 * (proposals/proposal.projection.ts) into temporary copies of the read models, compares them with the
 * stored tables, and rolls everything back. Names each difference: table, row, column, stored
 * value, value the log gives.
 */
import type { Kysely } from 'kysely';
import { fold, type Event, type State } from '../consent/index.ts';
import type { DB } from '../db/schema.ts';
import { canonicalJson } from './hash.ts';
import { listStreams, loadStream, type LogEntry } from '../proposals/events.repository.ts';
import { BOOKKEEPING_COLUMNS, createScratchReadModels, READ_MODELS, readModelRows, type ReadModel, type Row } from '../proposals/read-models.repository.ts';
import { projectBatch } from '../proposals/proposal.projection.ts';

export interface ReadModelDifference {
  table: ReadModel;
  /** The row, as `column=value` of its key columns. */
  key: string;
  /** The column that differs, or null when the whole row is missing on one side. */
  column: string | null;
  /** As shown: JSON for strings and structures, ISO 8601 for times; null when the row is missing. */
  stored: string | null;
  expected: string | null;
}

export interface ReplayFailure {
  streamId: string;
  seq: number;
  message: string;
}

export interface ReadModelReport {
  tables: number;
  rows: number;
  differences: ReadModelDifference[];
  replayFailures: ReplayFailure[];
}

/** Events of one command share their time and actor: the service projected them together. */
function commands(entries: readonly LogEntry[]): LogEntry[][] {
  const batches: LogEntry[][] = [];
  for (const entry of entries) {
    const batch = batches[batches.length - 1];
    const first = batch?.[0]?.data as { at?: unknown; actorId?: unknown } | undefined;
    const data = entry.data as { at?: unknown; actorId?: unknown };
    if (batch && first && first.at === data.at && first.actorId === data.actorId) batch.push(entry);
    else batches.push([entry]);
  }
  return batches;
}

class Rollback extends Error {
  constructor(readonly report: ReadModelReport) {
    super('rollback');
  }
}

export async function verifyReadModels(db: Kysely<DB>): Promise<ReadModelReport> {
  try {
    // One snapshot, so that the stored rows and the log are read at the same moment.
    await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const tables = Object.keys(READ_MODELS) as ReadModel[];
        const stored = new Map<ReadModel, Row[]>();
        for (const table of tables) stored.set(table, await readModelRows(trx, table));
        // Which meeting a proposal belongs to is not an event: it is taken as stored.
        const meetings = new Map(stored.get('proposals')!.map((r) => [r.id as string, (r.meeting_id as string | null) ?? null]));
        const streams = await listStreams(trx);
        const logs = new Map<string, LogEntry[]>();
        for (const streamId of streams) logs.set(streamId, await loadStream(trx, streamId));

        const scratch = await createScratchReadModels(trx);
        const replayFailures: ReplayFailure[] = [];
        for (const [streamId, entries] of logs) {
          let state: State = null;
          for (const batch of commands(entries)) {
            const last = batch[batch.length - 1]!;
            try {
              state = await projectBatch(scratch, {
                before: state,
                events: batch.map((e) => ({ seq: e.seq, event: e.data as unknown as Event })),
                meetingId: meetings.get(streamId) ?? null,
                lastSeq: last.seq,
                lastHash: last.hash,
              });
            } catch (error) {
              replayFailures.push({ streamId, seq: batch[0]!.seq, message: error instanceof Error ? error.message : String(error) });
              break;
            }
          }
        }
        const report: ReadModelReport = { tables: tables.length, rows: 0, differences: [], replayFailures };
        for (const table of tables) {
          const rows = stored.get(table)!;
          report.rows += rows.length;
          report.differences.push(...compareTable(table, rows, await readModelRows(scratch, table)));
        }
        report.differences.push(...compareSnapshots(stored.get('proposals')!, logs));
        throw new Rollback(report);
      });
  } catch (error) {
    if (error instanceof Rollback) return error.report;
    throw error;
  }
  throw new Error('unreachable');
}

/** Each stored snapshot must be the fold of its proposal's log up to the event it stands at. */
function compareSnapshots(proposals: readonly Row[], logs: ReadonlyMap<string, LogEntry[]>): ReadModelDifference[] {
  const differences: ReadModelDifference[] = [];
  for (const row of proposals) {
    const entries = logs.get(row.id as string) ?? [];
    const at = row.state_seq as number;
    const key = keyOf('proposals', row);
    if (!entries.some((e) => e.seq === at)) {
      differences.push({ table: 'proposals', key, column: 'state_seq', stored: show(at), expected: `1…${entries.length}` });
      continue;
    }
    let expected: string;
    try {
      expected = show(fold(entries.filter((e) => e.seq <= at).map((e) => e.data as unknown as Event)));
    } catch {
      continue; // the replay already names the event that does not fold
    }
    const actual = show(row.state);
    if (actual !== expected) differences.push({ table: 'proposals', key, column: 'state', stored: actual, expected });
  }
  return differences;
}

/** A value as it is shown and compared. */
export function show(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') return canonicalJson(value);
  return JSON.stringify(value) ?? 'null';
}

function keyOf(table: ReadModel, row: Row): string {
  return READ_MODELS[table].map((c) => `${c}=${row[c] instanceof Date ? show(row[c]) : String(row[c])}`).join(', ');
}

function compareTable(table: ReadModel, stored: readonly Row[], rebuilt: readonly Row[]): ReadModelDifference[] {
  const skip = new Set(BOOKKEEPING_COLUMNS[table] ?? []);
  const byKey = (rows: readonly Row[]) => new Map(rows.map((r) => [keyOf(table, r), r]));
  const have = byKey(stored);
  const want = byKey(rebuilt);
  const keys = [...new Set([...have.keys(), ...want.keys()])].sort();
  const differences: ReadModelDifference[] = [];
  for (const key of keys) {
    const s = have.get(key);
    const e = want.get(key);
    if (!s || !e) {
      differences.push({ table, key, column: null, stored: s ? 'present' : null, expected: e ? 'present' : null });
      continue;
    }
    for (const column of Object.keys(e)) {
      if (skip.has(column)) continue;
      const a = show(s[column]);
      const b = show(e[column]);
      if (a !== b) differences.push({ table, key, column, stored: a, expected: b });
    }
  }
  return differences;
}
