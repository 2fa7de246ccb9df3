/** The dot vote on a séance's agenda: every query about it and the agenda order it stores. `db` (or a transaction) first. */
import { sql } from 'kysely';
import type { Executor } from '../db/schema.ts';

export interface DotVoteRow {
  votesPerPerson: number;
  openedAt: Date;
  closedAt: Date | null;
}

/** The séance's dot vote, if one was ever opened; `lock` holds it until the transaction ends, so dots are placed one at a time. */
export async function findDotVote(db: Executor, meetingId: string, options: { lock?: boolean } = {}): Promise<DotVoteRow | null> {
  const q = db.selectFrom('agenda_dot_votes').select(['votes_per_person', 'opened_at', 'closed_at']).where('meeting_id', '=', meetingId);
  const r = await (options.lock ? q.forUpdate() : q).executeTakeFirst();
  return r ? { votesPerPerson: r.votes_per_person, openedAt: r.opened_at, closedAt: r.closed_at } : null;
}

/** Opens a dot vote on the séance (again): the dots of an earlier one are cleared. */
export async function openDotVote(db: Executor, meetingId: string, personId: string, at: Date): Promise<void> {
  await db
    .insertInto('agenda_dot_votes')
    .values({ meeting_id: meetingId, opened_by: personId, opened_at: at, closed_at: null })
    .onConflict((oc) => oc.column('meeting_id').doUpdateSet({ opened_by: personId, opened_at: at, closed_at: null }))
    .execute();
  await db.deleteFrom('agenda_dots').where('meeting_id', '=', meetingId).execute();
}

export async function closeDotVote(db: Executor, meetingId: string, at: Date): Promise<void> {
  await db.updateTable('agenda_dot_votes').set({ closed_at: at }).where('meeting_id', '=', meetingId).execute();
}

export async function listDots(db: Executor, meetingId: string): Promise<{ personId: string; proposalId: string; dots: number }[]> {
  const rows = await db.selectFrom('agenda_dots').select(['person_id', 'proposal_id', 'dots']).where('meeting_id', '=', meetingId).execute();
  return rows.map((r) => ({ personId: r.person_id, proposalId: r.proposal_id, dots: r.dots }));
}

export async function addDot(db: Executor, meetingId: string, personId: string, proposalId: string): Promise<void> {
  await db
    .insertInto('agenda_dots')
    .values({ meeting_id: meetingId, person_id: personId, proposal_id: proposalId, dots: 1 })
    .onConflict((oc) => oc.columns(['meeting_id', 'person_id', 'proposal_id']).doUpdateSet((eb) => ({ dots: eb('agenda_dots.dots', '+', 1) })))
    .execute();
}

/** Takes one dot back; false when there was none on that item. */
export async function removeDot(db: Executor, meetingId: string, personId: string, proposalId: string): Promise<boolean> {
  const deleted = await db
    .deleteFrom('agenda_dots')
    .where('meeting_id', '=', meetingId)
    .where('person_id', '=', personId)
    .where('proposal_id', '=', proposalId)
    .where('dots', '=', 1)
    .executeTakeFirst();
  if (deleted.numDeletedRows > 0n) return true;
  const updated = await db
    .updateTable('agenda_dots')
    .set((eb) => ({ dots: eb('dots', '-', 1) }))
    .where('meeting_id', '=', meetingId)
    .where('person_id', '=', personId)
    .where('proposal_id', '=', proposalId)
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}

/** Stores the agenda's order: the items in `ids` get ranks 0, 1, 2… (an earlier order is replaced). */
export async function saveAgendaOrder(db: Executor, meetingId: string, ids: readonly string[]): Promise<void> {
  await db.deleteFrom('agenda_order').where('meeting_id', '=', meetingId).execute();
  if (ids.length)
    await db
      .insertInto('agenda_order')
      .values(ids.map((id, rank) => ({ meeting_id: meetingId, proposal_id: id, rank })))
      .execute();
}

/** Whether the séance's agenda follows a stored order. */
export async function hasAgendaOrder(db: Executor, meetingId: string): Promise<boolean> {
  const r = await db
    .selectFrom('agenda_order')
    .select(sql<number>`1`.as('one'))
    .where('meeting_id', '=', meetingId)
    .limit(1)
    .executeTakeFirst();
  return !!r;
}
