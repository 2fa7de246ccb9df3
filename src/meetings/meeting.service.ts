/** Meetings as far as issue 4 needs them: create, show, join as a guest, remove a guest. Every function authorises first. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { authorize, can, AccessDenied, type Actor, type MeetingFacts } from '../accounts/policy.ts';
import { newJoinCode, normaliseJoinCode } from '../accounts/crypto.ts';
import * as repo from './meetings.repository.ts';
import * as circles from './circles.repository.ts';
import { readMeetingFacts } from './meeting.facts.ts';
import { keptPersons } from './merge.repository.ts';
import { insertPerson, listAccounts } from '../accounts/accounts.repository.ts';
import { recordSignInFailure } from '../accounts/throttle.repository.ts';
import { deleteSessionsOf } from '../accounts/sessions.repository.ts';
import { addressThrottled } from '../accounts/throttle.ts';

/** Loads a meeting the actor may see; a missing meeting and a hidden one look the same (404). */
async function loadVisible(db: Kysely<DB>, actor: Actor, id: string): Promise<{ meeting: repo.MeetingRow; facts: MeetingFacts } | null> {
  // refuse the anonymous before telling them whether the meeting exists
  if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
  const meeting = await repo.findMeeting(db, id);
  if (!meeting) return null;
  const facts = await readMeetingFacts(db, actor, meeting);
  authorize(actor, { type: 'meeting.view', meeting: facts });
  return { meeting, facts };
}

export async function listMeetings(db: Kysely<DB>, actor: Actor): Promise<repo.MeetingRow[]> {
  authorize(actor, { type: 'meetings.list' });
  return repo.listMeetings(db);
}

export async function circlesForNewMeeting(db: Kysely<DB>, actor: Actor): Promise<circles.Circle[]> {
  authorize(actor, { type: 'meeting.create' });
  return circles.listCircles(db);
}

/** Accounts that may keep the record of a meeting (secrétaire de séance): anyone but observers and disabled accounts. */
export async function secretaryCandidates(db: Kysely<DB>, actor: Actor): Promise<{ personId: string; displayName: string }[]> {
  authorize(actor, { type: 'meeting.create' });
  const rows = await listAccounts(db);
  return rows
    .filter((a) => a.role !== 'observer' && !a.disabled && (actor.kind !== 'account' || a.personId !== actor.personId))
    .map((a) => ({ personId: a.personId, displayName: a.displayName }));
}

export type CreateMeetingResult = { ok: true; id: string } | { ok: false; field: 'circleId' | 'secretaryId'; key: string };

/** Creates a meeting with a fresh join code; its creator facilitates it. */
export async function createMeeting(
  db: Kysely<DB>,
  actor: Actor,
  input: { circleId: string; title: string; scheduledFor: Date; secretaryPersonId?: string | null },
): Promise<CreateMeetingResult> {
  authorize(actor, { type: 'meeting.create' });
  if (actor.kind !== 'account') throw new AccessDenied('forbidden');
  if (!(await circles.findCircle(db, input.circleId))) return { ok: false, field: 'circleId', key: 'validation.choose_circle' };
  const secretary = input.secretaryPersonId ?? null;
  if (secretary && !(await secretaryCandidates(db, actor)).some((c) => c.personId === secretary))
    return { ok: false, field: 'secretaryId', key: 'validation.choose_person' };
  for (let attempt = 0; ; attempt++) {
    const joinCode = newJoinCode();
    if (await repo.joinCodeTaken(db, joinCode)) continue;
    try {
      const id = await db.transaction().execute(async (tx) => {
        const id = await repo.insertMeeting(tx, { ...input, joinCode, facilitatorPersonId: actor.personId, createdBy: actor.personId });
        await repo.insertMember(tx, { meetingId: id, personId: actor.personId, role: 'facilitator', isGuest: false, present: false });
        if (secretary) await repo.insertMember(tx, { meetingId: id, personId: secretary, role: 'secretary', isGuest: false, present: false });
        return id;
      });
      return { ok: true, id };
    } catch (error) {
      // two instances drew the same code at the same moment: draw again
      if (attempt < 5 && (error as { code?: string }).code === '23505') continue;
      throw error;
    }
  }
}

export interface MeetingPage {
  meeting: repo.MeetingRow;
  members: repo.MemberRow[];
  canFacilitate: boolean;
  /** may put an item on the agenda (an account that joined, or who runs the séance), while it is not closed */
  mayDraft: boolean;
}

export async function showMeeting(db: Kysely<DB>, actor: Actor, id: string): Promise<MeetingPage | null> {
  const found = await loadVisible(db, actor, id);
  if (!found) return null;
  return {
    meeting: found.meeting,
    members: await repo.listMembers(db, id),
    canFacilitate: can(actor, { type: 'meeting.facilitate', meeting: found.facts }),
    mayDraft: found.meeting.status !== 'closed' && can(actor, { type: 'meeting.propose', meeting: found.facts }),
  };
}

/** Removes a guest and closes their sessions at once. Null when the meeting or the guest does not exist. */
export async function removeGuest(db: Kysely<DB>, actor: Actor, meetingId: string, personId: string): Promise<boolean | null> {
  const found = await loadVisible(db, actor, meetingId);
  if (!found) return null;
  authorize(actor, { type: 'meeting.facilitate', meeting: found.facts });
  return db.transaction().execute(async (tx) => {
    if (!(await repo.removeGuest(tx, meetingId, personId))) return false;
    await deleteSessionsOf(tx, personId);
    return true;
  });
}

export type JoinResult = { ok: true; meetingId: string; personId: string | null } | { ok: false; field: 'code'; key: string; status?: number };

/** The key under which wrong join codes are recorded among sign-in failures (never an email: no '@'). */
const JOIN_ATTEMPT_KEY = 'join-code';

/**
 * A guest joins by code with a display name: a new person, a member of that meeting only; or, from a
 * device that joined before (`rejoin` gives the person it remembers), that same person again. An account joins as itself.
 */
export async function joinMeeting(
  db: Kysely<DB>,
  actor: Actor,
  input: { code: string; displayName: string | null; address: string; rejoin?: (meetingId: string) => Promise<string | null> },
): Promise<JoinResult> {
  // Codes are short: wrong guesses count with the sign-in failures of the same address, so
  // trying codes one after the other is throttled like trying passwords.
  if (await addressThrottled(db, input.address)) return { ok: false, field: 'code', key: 'join.throttled', status: 429 };
  const meeting = await repo.findMeetingByCode(db, normaliseJoinCode(input.code));
  if (!meeting || meeting.status === 'closed') {
    await recordSignInFailure(db, JOIN_ATTEMPT_KEY, input.address);
    return { ok: false, field: 'code', key: 'join.unknown_code' };
  }
  if (actor.kind === 'account') {
    const facts = await readMeetingFacts(db, actor, meeting);
    if (!facts.actorRole) {
      const role = actor.role === 'observer' ? 'observer' : 'participant';
      await repo.insertMember(db, { meetingId: meeting.id, personId: actor.personId, role, isGuest: false, present: true });
    }
    return { ok: true, meetingId: meeting.id, personId: null };
  }
  if (actor.kind === 'guest' && actor.meetingId === meeting.id) return { ok: true, meetingId: meeting.id, personId: null };
  // the same device, signed out and back: the same person, as long as it is still a guest of this meeting (not removed)
  // (or, when that entry was merged into another since, and that one maybe into a third, the person finally kept)
  const remembered = input.rejoin ? await input.rejoin(meeting.id) : null;
  const person = remembered ? ((await keptPersons(db, [remembered])).get(remembered) ?? remembered) : null;
  if (person && (await repo.findMembership(db, meeting.id, person))?.isGuest) return { ok: true, meetingId: meeting.id, personId: person };
  const displayName = input.displayName ?? '';
  const personId = await db.transaction().execute(async (tx) => {
    const personId = await insertPerson(tx, displayName);
    await repo.insertMember(tx, { meetingId: meeting.id, personId, role: 'participant', isGuest: true, present: true });
    return personId;
  });
  return { ok: true, meetingId: meeting.id, personId };
}
