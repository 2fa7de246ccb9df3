/**
 * The verifications of the whole log the register shows (« Registre vérifié »): each run is a row,
 * en cours (running), terminée (done) or en échec (failed), with its progress; at most one runs at
 * a time (a unique partial index, migration 0014). And the last verified head of each chain, from
 * which a verification of the new events starts.
 */
import { sql, type Kysely } from 'kysely';
import type { DB, Executor } from '../db/schema.ts';
import type { ChainBreak } from '../ledger/verify.ts';
import type { RegisterTables } from './schema.ts';

export type VerificationScope = 'full' | 'new';

export interface VerificationRow {
  verifiedAt: Date;
  verifiedBy: string | null;
  /** the name of who ran it; null from the command line */
  verifiedByName: string | null;
  chains: number;
  events: number;
  breaks: number;
  firstBreak: ChainBreak | null;
  scope: VerificationScope;
}

/** A run that has not ended well: still running, or stopped before its end. */
export interface VerificationJob {
  state: 'running' | 'failed';
  scope: VerificationScope;
  startedAt: Date;
  startedByName: string | null;
  chainsDone: number;
  chainsTotal: number | null;
  /** 'interrupted' when the app stopped during the run; another message for an error */
  error: string | null;
  /** running, but no sign of life for longer than `staleAfterMs`: its process is gone */
  stale: boolean;
}

const withRegister = (db: Executor) => (db as Kysely<DB>).withTables<RegisterTables>();

/** A verification already done (npm run verify-log). */
export async function insertVerification(db: Executor, row: Omit<VerificationRow, 'verifiedByName'>): Promise<void> {
  await withRegister(db)
    .insertInto('register_verifications')
    .values({
      verified_at: row.verifiedAt,
      started_at: row.verifiedAt,
      verified_by: row.verifiedBy,
      scope: row.scope,
      chains: row.chains,
      events: row.events,
      breaks: row.breaks,
      first_break: row.firstBreak ? JSON.stringify(row.firstBreak) : null,
    })
    .execute();
}

/** A new run, en cours; null when one is already running (nothing is written then). */
export async function insertRunning(db: Executor, run: { by: string | null; scope: VerificationScope; at: Date }): Promise<number | null> {
  const { rows } = await sql<{ id: number }>`
    insert into register_verifications (state, scope, verified_by, started_at, heartbeat_at, chains, events, breaks)
    values ('running', ${run.scope}, ${run.by}, ${run.at}, now(), 0, 0, 0)
    on conflict ((true)) where state = 'running' do nothing
    returning id`.execute(db);
  return rows[0] ? Number(rows[0].id) : null;
}

export async function updateProgress(db: Executor, id: number, done: number, total: number): Promise<void> {
  await withRegister(db)
    .updateTable('register_verifications')
    .set({ chains_done: done, chains_total: total, heartbeat_at: sql`now()` })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .execute();
}

export async function finishRun(
  db: Executor,
  id: number,
  result: { chains: number; events: number; breaks: number; firstBreak: ChainBreak | null; at: Date },
): Promise<void> {
  await withRegister(db)
    .updateTable('register_verifications')
    .set({
      state: 'done',
      verified_at: result.at,
      chains: result.chains,
      chains_done: result.chains,
      chains_total: result.chains,
      events: result.events,
      breaks: result.breaks,
      first_break: result.firstBreak ? JSON.stringify(result.firstBreak) : null,
      heartbeat_at: sql`now()`,
    })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .execute();
}

export async function failRun(db: Executor, id: number, error: string): Promise<void> {
  await withRegister(db).updateTable('register_verifications').set({ state: 'failed', error }).where('id', '=', id).where('state', '=', 'running').execute();
}

/** Runs whose process stopped (no sign of life for `staleAfterMs`) are marked en échec; returns how many. */
export async function failInterrupted(db: Executor, staleAfterMs: number): Promise<number> {
  const result = await withRegister(db)
    .updateTable('register_verifications')
    .set({ state: 'failed', error: 'interrupted' })
    .where('state', '=', 'running')
    .where(sql<boolean>`coalesce(heartbeat_at, started_at) <= now() - make_interval(secs => ${staleAfterMs / 1000})`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The latest verification that went to its end. */
export async function latestVerification(db: Executor): Promise<VerificationRow | null> {
  const row = await withRegister(db)
    .selectFrom('register_verifications as v')
    .leftJoin('persons as p', 'p.id', 'v.verified_by')
    .select(['v.verified_at', 'v.verified_by', 'p.display_name', 'v.chains', 'v.events', 'v.breaks', 'v.first_break', 'v.scope'])
    .where('v.state', '=', 'done')
    .orderBy('v.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return {
    verifiedAt: new Date(row.verified_at!),
    verifiedBy: row.verified_by,
    verifiedByName: row.display_name ?? null,
    chains: row.chains,
    events: Number(row.events),
    breaks: row.breaks,
    firstBreak: (row.first_break as ChainBreak | null) ?? null,
    scope: row.scope as VerificationScope,
  };
}

/** The latest run when it did not end well (running or failed); null when the latest one is done. */
export async function unfinishedRun(db: Executor, staleAfterMs: number): Promise<VerificationJob | null> {
  const row = await withRegister(db)
    .selectFrom('register_verifications as v')
    .leftJoin('persons as p', 'p.id', 'v.verified_by')
    .select([
      'v.state',
      'v.scope',
      'v.started_at',
      'p.display_name',
      'v.chains_done',
      'v.chains_total',
      'v.error',
      sql<boolean>`coalesce(v.heartbeat_at, v.started_at) <= now() - make_interval(secs => ${staleAfterMs / 1000})`.as('stale'),
    ])
    .orderBy('v.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row || row.state === 'done') return null;
  return {
    state: row.state as 'running' | 'failed',
    scope: row.scope as VerificationScope,
    startedAt: new Date(row.started_at!),
    startedByName: row.display_name ?? null,
    chainsDone: row.chains_done,
    chainsTotal: row.chains_total,
    error: row.error,
    stale: row.state === 'running' && row.stale,
  };
}

/** Every chain: the proposals, and the streams of the log (one may lack the other when altered). */
export async function allChains(db: Executor): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`select id from proposals union select distinct stream_id from events order by 1`.execute(db);
  return rows.map((r) => r.id);
}

/**
 * The chains unchanged since their last verification, with their event count: the proposal still
 * records the verified head, the log still holds that event with that hash, and nothing after it.
 */
export async function unchangedChains(db: Executor): Promise<Map<string, number>> {
  const { rows } = await sql<{ id: string; seq: number }>`
    select k.stream_id as id, k.seq from register_chain_checkpoints k
      join proposals p on p.id = k.stream_id and p.last_seq = k.seq and p.last_hash = k.hash
      join events e on e.stream_id = k.stream_id and e.seq = k.seq and e.hash = k.hash
     where not exists (select 1 from events x where x.stream_id = k.stream_id and x.seq > k.seq)`.execute(db);
  return new Map(rows.map((r) => [r.id, r.seq]));
}

/** Remembers the verified heads of the given chains, and forgets those of the broken ones. */
export async function saveCheckpoints(
  db: Executor,
  heads: readonly { proposalId: string; events: number; lastHash: string }[],
  broken: readonly string[],
  at: Date,
): Promise<void> {
  if (broken.length)
    await withRegister(db)
      .deleteFrom('register_chain_checkpoints')
      .where('stream_id', 'in', [...broken])
      .execute();
  if (!heads.length) return;
  await withRegister(db)
    .insertInto('register_chain_checkpoints')
    .values(heads.map((h) => ({ stream_id: h.proposalId, seq: h.events, hash: h.lastHash, verified_at: at })))
    .onConflict((oc) => oc.column('stream_id').doUpdateSet({ seq: sql`excluded.seq`, hash: sql`excluded.hash`, verified_at: sql`excluded.verified_at` }))
    .execute();
}
