/** Circles, meetings and their members: the only SQL about them. */
import { sql } from 'kysely';
import type { Executor } from '../db/schema.ts';
import type { MeetingRole, MeetingStatus } from '../db/schema-accounts.ts';

export interface MeetingRow {
  id: string;
  circleId: string;
  circleName: string;
  title: string;
  scheduledFor: Date;
  joinCode: string;
  facilitatorPersonId: string;
  facilitatorName: string;
  secretaryPersonId: string | null;
  status: MeetingStatus;
  /** Where it is held ('' when not said), when it was opened and closed (migration 0009). */
  place: string;
  openedAt: Date | null;
  closedAt: Date | null;
}

export function meetingQuery(db: Executor) {
  return db
    .selectFrom('meetings')
    .innerJoin('circles', 'circles.id', 'meetings.circle_id')
    .innerJoin('persons as f', 'f.id', 'meetings.facilitator_person_id')
    .select([
      'meetings.id',
      'meetings.circle_id',
      'circles.name as circle_name',
      'meetings.title',
      'meetings.scheduled_for',
      'meetings.join_code',
      'meetings.facilitator_person_id',
      'f.display_name as facilitator_name',
      'meetings.secretary_person_id',
      'meetings.status',
      'meetings.place',
      'meetings.opened_at',
      'meetings.closed_at',
    ]);
}

export type MeetingSelect = Awaited<ReturnType<ReturnType<typeof meetingQuery>['executeTakeFirstOrThrow']>>;

export function toMeeting(r: MeetingSelect): MeetingRow {
  return {
    id: r.id,
    circleId: r.circle_id,
    circleName: r.circle_name,
    title: r.title,
    scheduledFor: r.scheduled_for,
    joinCode: r.join_code,
    facilitatorPersonId: r.facilitator_person_id,
    facilitatorName: r.facilitator_name,
    secretaryPersonId: r.secretary_person_id,
    status: r.status,
    place: r.place,
    openedAt: r.opened_at,
    closedAt: r.closed_at,
  };
}

/** A meeting; with `lock`, its row stays locked (FOR SHARE) until the caller's transaction ends. */
export async function findMeeting(db: Executor, id: string, options: { lock?: boolean } = {}): Promise<MeetingRow | null> {
  const query = meetingQuery(db).where('meetings.id', '=', id);
  const r = await (options.lock ? query.forShare('meetings') : query).executeTakeFirst();
  return r ? toMeeting(r) : null;
}

export async function findMeetingByCode(db: Executor, code: string): Promise<MeetingRow | null> {
  const r = await meetingQuery(db).where('meetings.join_code', '=', code).executeTakeFirst();
  return r ? toMeeting(r) : null;
}

export async function listMeetings(db: Executor): Promise<MeetingRow[]> {
  const rows = await meetingQuery(db).orderBy('meetings.scheduled_for', 'desc').limit(200).execute();
  return rows.map(toMeeting);
}

export async function insertMeeting(
  db: Executor,
  m: {
    circleId: string;
    title: string;
    scheduledFor: Date;
    joinCode: string;
    facilitatorPersonId: string;
    secretaryPersonId?: string | null;
    createdBy: string;
  },
): Promise<string> {
  const r = await db
    .insertInto('meetings')
    .values({
      circle_id: m.circleId,
      title: m.title,
      scheduled_for: m.scheduledFor,
      join_code: m.joinCode,
      facilitator_person_id: m.facilitatorPersonId,
      secretary_person_id: m.secretaryPersonId ?? null,
      created_by: m.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function joinCodeTaken(db: Executor, code: string): Promise<boolean> {
  return (await db.selectFrom('meetings').select('id').where('join_code', '=', code).executeTakeFirst()) !== undefined;
}

export interface MemberRow {
  personId: string;
  displayName: string;
  role: MeetingRole;
  isGuest: boolean;
  present: boolean;
  /** false for someone in the room without a device, whose turns are recorded for them */
  hasDevice: boolean;
}

/** The séance's current (not removed) entries with their names: listMembers' and the merge's query. */
export function currentMembers(db: Executor, meetingId: string) {
  return db
    .selectFrom('meeting_members')
    .innerJoin('persons', 'persons.id', 'meeting_members.person_id')
    .select([
      'meeting_members.person_id',
      'persons.display_name',
      'meeting_members.role',
      'meeting_members.is_guest',
      'meeting_members.present',
      'meeting_members.has_device',
    ])
    .where('meeting_members.meeting_id', '=', meetingId)
    .where('meeting_members.removed_at', 'is', null);
}

export function toMember(r: {
  person_id: string;
  display_name: string;
  role: MeetingRole;
  is_guest: boolean;
  present: boolean;
  has_device: boolean;
}): MemberRow {
  return { personId: r.person_id, displayName: r.display_name, role: r.role, isGuest: r.is_guest, present: r.present, hasDevice: r.has_device };
}

export async function listMembers(db: Executor, meetingId: string): Promise<MemberRow[]> {
  const rows = await currentMembers(db, meetingId)
    // arrival order is the order of the next round: ties must not depend on the query plan
    .orderBy('meeting_members.joined_at')
    .orderBy('meeting_members.person_id')
    .execute();
  return rows.map(toMember);
}

/**
 * The person's current (not removed) membership of the meeting. With `lock`, the row stays locked
 * (FOR SHARE) until the caller's transaction ends: a concurrent removal or change of role waits for
 * it, and a removal already under way is waited for and then seen.
 */
export async function findMembership(
  db: Executor,
  meetingId: string,
  personId: string,
  options: { lock?: boolean } = {},
): Promise<{ role: MeetingRole; isGuest: boolean; hasDevice: boolean } | null> {
  const query = db
    .selectFrom('meeting_members')
    .select(['role', 'is_guest', 'has_device'])
    .where('meeting_id', '=', meetingId)
    .where('person_id', '=', personId)
    .where('removed_at', 'is', null);
  const r = await (options.lock ? query.forShare() : query).executeTakeFirst();
  return r ? { role: r.role, isGuest: r.is_guest, hasDevice: r.has_device } : null;
}

/** Adds a member (or brings a removed one back); `hasDevice: false` for someone in the room without one. */
export async function insertMember(
  db: Executor,
  m: { meetingId: string; personId: string; role: MeetingRole; isGuest: boolean; present: boolean; hasDevice?: boolean },
): Promise<void> {
  await db
    .insertInto('meeting_members')
    .values({
      meeting_id: m.meetingId,
      person_id: m.personId,
      role: m.role,
      is_guest: m.isGuest,
      present: m.present,
      ...(m.hasDevice === undefined ? {} : { has_device: m.hasDevice }),
    })
    .onConflict((oc) => oc.columns(['meeting_id', 'person_id']).doUpdateSet({ removed_at: null, present: m.present }))
    .execute();
}

/** Marks a guest removed; false when there was no such guest. */
export async function removeGuest(db: Executor, meetingId: string, personId: string): Promise<boolean> {
  const r = await db
    .updateTable('meeting_members')
    .set({ removed_at: sql`now()`, present: false })
    .where('meeting_id', '=', meetingId)
    .where('person_id', '=', personId)
    .where('is_guest', '=', true)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Marks a current member present or absent; false when there is no such member. */
export async function setPresent(db: Executor, meetingId: string, personId: string, present: boolean): Promise<boolean> {
  const r = await db
    .updateTable('meeting_members')
    .set({ present })
    .where('meeting_id', '=', meetingId)
    .where('person_id', '=', personId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Marks a member who is not an observer present as they open the meeting; false when nothing changed. */
export async function markArrived(db: Executor, meetingId: string, personId: string): Promise<boolean> {
  const r = await db
    .updateTable('meeting_members')
    .set({ present: true })
    .where('meeting_id', '=', meetingId)
    .where('person_id', '=', personId)
    .where('present', '=', false)
    .where('removed_at', 'is', null)
    .where(sql<boolean>`role <> 'observer'`)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Opens a planned séance; false when it was not planned any more (opened or closed meanwhile). */
export async function openMeeting(db: Executor, id: string, by: string, at: Date, place?: string): Promise<boolean> {
  const r = await db
    .updateTable('meetings')
    .set({ status: 'open', opened_at: at, opened_by: by, ...(place !== undefined ? { place } : {}) })
    .where('id', '=', id)
    .where('status', '=', 'planned')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Closes an open séance; false when it was not open. */
export async function closeMeeting(db: Executor, id: string, by: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('meetings')
    .set({ status: 'closed', closed_at: at, closed_by: by })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The meeting's status, read again (to refuse a command on a séance closed since the page was loaded). */
export async function meetingStatus(db: Executor, id: string): Promise<MeetingStatus | null> {
  return (await db.selectFrom('meetings').select('status').where('id', '=', id).executeTakeFirst())?.status ?? null;
}

/** Titles and stages of the meeting's agenda, in the order a dot vote stored, then as items were put on it. */
export async function agendaStages(db: Executor, meetingId: string): Promise<{ id: string; title: string; stage: string }[]> {
  return db
    .selectFrom('proposals')
    .leftJoin('agenda_order', 'agenda_order.proposal_id', 'proposals.id')
    .select(['proposals.id', 'proposals.title', 'proposals.stage'])
    .where('proposals.meeting_id', '=', meetingId)
    .orderBy(sql`agenda_order.rank asc nulls last`)
    .orderBy('proposals.created_at')
    .orderBy('proposals.id')
    .execute();
}
