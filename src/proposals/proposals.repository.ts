/** Read models of proposals as they are read: a proposal's head, a séance's agenda, rulings (written by projection.repository.ts). */
import { sql } from 'kysely';
import type { Event, Proposal } from '../consent/index.ts';
import type { Executor } from '../db/schema.ts';
import { foldTail } from './snapshots.ts';

export interface ProposalHead {
  state: Proposal;
  meetingId: string | null;
  lastSeq: number;
  lastHash: string;
}

/** The columns of a head: its snapshot, the events since (a JSON array, oldest first) and the head of the chain. */
export function headColumns(db: Executor, proposalId: string) {
  return db
    .selectFrom('proposals')
    .select((eb) => [
      'proposals.state',
      'proposals.meeting_id',
      'proposals.last_seq',
      'proposals.last_hash',
      eb
        .selectFrom('events')
        .select(sql<Event[]>`coalesce(json_agg(events.data order by events.seq), '[]'::json)`.as('tail'))
        .whereRef('events.stream_id', '=', 'proposals.id')
        .whereRef('events.seq', '>', 'proposals.state_seq')
        .as('tail'),
    ])
    .where('proposals.id', '=', proposalId);
}

/** A head as read by headColumns: the snapshot with its tail folded. */
export function toHead(row: { state: object; meeting_id: string | null; last_seq: number; last_hash: string; tail: Event[] | null }): ProposalHead {
  return { state: foldTail(row.state as Proposal, row.tail ?? []), meetingId: row.meeting_id, lastSeq: row.last_seq, lastHash: row.last_hash };
}

/** The current state (the snapshot and the events since, folded) and the head of the chain, read in one query. */
export async function loadHead(db: Executor, proposalId: string): Promise<ProposalHead | null> {
  const row = await headColumns(db, proposalId).executeTakeFirst();
  return row ? toHead(row) : null;
}

export interface AgendaRow {
  id: string;
  title: string;
  stage: string;
  proposerId: string;
  lastSeq: number;
}

/** The meeting's proposals in the order they were drafted: titles and stages, not their states. */
export async function listAgenda(db: Executor, meetingId: string): Promise<AgendaRow[]> {
  const rows = await db
    .selectFrom('proposals')
    .leftJoin('agenda_order', 'agenda_order.proposal_id', 'proposals.id')
    .select(['proposals.id', 'proposals.title', 'proposals.stage', 'proposals.proposer_id', 'proposals.last_seq'])
    .where('proposals.meeting_id', '=', meetingId)
    // the order a dot vote stored, then the items put on it since, as they came
    .orderBy(sql`agenda_order.rank asc nulls last`)
    .orderBy('proposals.created_at')
    .orderBy('proposals.id')
    .execute();
  return rows.map((r) => ({ id: r.id, title: r.title, stage: r.stage, proposerId: r.proposer_id, lastSeq: r.last_seq }));
}

/** The head of the chain every proposal (or each of `ids`) records (`last_seq`, `last_hash`), for verification. */
export async function listRecordedHeads(db: Executor, ids?: readonly string[]): Promise<{ proposalId: string; lastSeq: number; lastHash: string }[]> {
  if (ids && ids.length === 0) return [];
  let query = db.selectFrom('proposals').select(['id', 'last_seq', 'last_hash']).orderBy('id');
  if (ids) query = query.where('id', 'in', [...ids]);
  const rows = await query.execute();
  return rows.map((r) => ({ proposalId: r.id, lastSeq: r.last_seq, lastHash: r.last_hash }));
}

/** Who ruled each tested objection of a proposal, and when (the folded state keeps the ruling, not its author). */
export async function listRulings(db: Executor, proposalId: string): Promise<{ objectionId: string; ruledBy: string; ruledAt: string }[]> {
  const rows = await db
    .selectFrom('objections')
    .select(['id', 'ruled_by', 'ruled_at'])
    .where('proposal_id', '=', proposalId)
    .where('ruled_by', 'is not', null)
    .execute();
  return rows.map((r) => ({ objectionId: r.id, ruledBy: r.ruled_by!, ruledAt: new Date(r.ruled_at!).toISOString() }));
}
