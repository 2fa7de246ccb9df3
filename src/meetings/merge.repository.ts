/** Merging two entries of a séance that are one person (migration 0016): the only SQL about it. */
import { sql } from 'kysely';
import type { Executor } from '../db/schema.ts';
import { currentMembers, toMember, type MemberRow } from './meetings.repository.ts';

export type EntryRow = MemberRow;

/**
 * The current (not removed) entries of the séance among `ids`, locked until the transaction ends
 * (FOR UPDATE): a command of either person in flight is waited for, and one sent after waits for
 * the merge and then sees the removed entry gone.
 */
export async function lockEntries(db: Executor, meetingId: string, ids: readonly string[]): Promise<EntryRow[]> {
  const rows = await currentMembers(db, meetingId)
    .where('meeting_members.person_id', 'in', [...ids])
    .forUpdate('meeting_members')
    .execute();
  return rows.map(toMember);
}

/** The audited row: `merged` is from now on an alias of `kept` (names and presence are read through it). */
export async function insertMerge(
  db: Executor,
  m: { meetingId: string; merged: string; kept: string; mergedName: string; by: string; at: Date },
): Promise<void> {
  await db
    .insertInto('meeting_merges')
    .values({ merged_person_id: m.merged, meeting_id: m.meetingId, kept_person_id: m.kept, merged_name: m.mergedName, merged_by: m.by, merged_at: m.at })
    .execute();
}

/** The removed entry leaves the séance's list (its row stays, for the record). */
export async function retireEntry(db: Executor, meetingId: string, personId: string): Promise<void> {
  await db
    .updateTable('meeting_members')
    .set({ removed_at: sql`now()`, present: false })
    .where('meeting_id', '=', meetingId)
    .where('person_id', '=', personId)
    .execute();
}

/** The guest sessions of `from` in this séance now belong to `to`: that device stays signed in, as the person kept. */
export async function moveGuestSessions(db: Executor, meetingId: string, from: string, to: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ person_id: to })
    .where('person_id', '=', from)
    .where('kind', '=', 'guest')
    .where('meeting_id', '=', meetingId)
    .execute();
}

/** Takes away every dot of a person on the séance's agenda; returns them (item by item). */
export async function takeDots(db: Executor, meetingId: string, personId: string): Promise<{ proposalId: string; dots: number }[]> {
  const rows = await db
    .deleteFrom('agenda_dots')
    .where('meeting_id', '=', meetingId)
    .where('person_id', '=', personId)
    .returning(['proposal_id', 'dots'])
    .execute();
  return rows.map((r) => ({ proposalId: r.proposal_id, dots: r.dots }));
}

/**
 * The person each merged entry finally is: an entry merged into another, and that one into a
 * third, is the third (the chain is followed to its end). Only merged entries are in the map;
 * `ids` limits it to those people (every merged entry without).
 */
export async function keptPersons(db: Executor, ids?: readonly string[]): Promise<Map<string, string>> {
  if (ids && ids.length === 0) return new Map();
  const start = ids ? sql`where merged_person_id = any(${[...new Set(ids)]}::uuid[])` : sql``;
  const { rows } = await sql<{ merged: string; kept: string }>`
    with recursive chain(merged, kept, depth) as (
      select merged_person_id, kept_person_id, 1 from meeting_merges ${start}
      union all
      select chain.merged, m.kept_person_id, chain.depth + 1
        from chain join meeting_merges m on m.merged_person_id = chain.kept
       where chain.depth < 100
    )
    select distinct on (merged) merged, kept from chain order by merged, depth desc`.execute(db);
  return new Map(rows.map((r) => [r.merged, r.kept]));
}

export interface MergeRow {
  mergedName: string;
  keptName: string;
  byName: string;
  at: Date;
}

/** The séance's merges, oldest first, with the names they were made under (for the relevé). */
export async function listMerges(db: Executor, meetingId: string): Promise<MergeRow[]> {
  const rows = await db
    .selectFrom('meeting_merges')
    .innerJoin('persons as kept', 'kept.id', 'meeting_merges.kept_person_id')
    .innerJoin('persons as by', 'by.id', 'meeting_merges.merged_by')
    .select(['meeting_merges.merged_name', 'kept.display_name as kept_name', 'by.display_name as by_name', 'meeting_merges.merged_at'])
    .where('meeting_merges.meeting_id', '=', meetingId)
    .orderBy('meeting_merges.merged_at')
    .execute();
  return rows.map((r) => ({ mergedName: r.merged_name, keptName: r.kept_name, byName: r.by_name, at: r.merged_at }));
}

/** The person kept has a device in use now (the removed entry's). */
export async function setHasDevice(db: Executor, meetingId: string, personId: string): Promise<void> {
  await db.updateTable('meeting_members').set({ has_device: true }).where('meeting_id', '=', meetingId).where('person_id', '=', personId).execute();
}
