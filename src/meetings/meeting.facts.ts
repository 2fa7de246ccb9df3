/**
 * What the policy needs to know about a meeting and the people in it, read on the executor it is
 * given: the proposal service reads them inside the command's transaction, so that a permission
 * cannot change between the check and the write.
 */
import type { Executor } from '../db/schema.ts';
import type { MeetingRole } from '../db/schema-accounts.ts';
import { AccessDenied, authorize, type Actor, type MeetingFacts } from '../accounts/policy.ts';
import { findPersonName } from '../accounts/accounts.repository.ts';
import { hasLiveSession } from '../accounts/sessions.repository.ts';
import { findMeeting, findMembership, type MeetingRow, type MemberRow } from './meetings.repository.ts';
import { findForCommand, type CommandRead } from './command-read.repository.ts';

/** The policy's view of a meeting, for an actor holding `actorRole` in it (null: not a member). */
export function meetingFacts(meeting: MeetingRow, actorRole: MeetingRole | null): MeetingFacts {
  return { id: meeting.id, facilitatorPersonId: meeting.facilitatorPersonId, secretaryPersonId: meeting.secretaryPersonId, actorRole };
}

/** The facts about a meeting for this actor, reading their (current) membership. */
export async function readMeetingFacts(db: Executor, actor: Actor, meeting: MeetingRow, options: { lock?: boolean } = {}): Promise<MeetingFacts> {
  const membership = actor.kind === 'anonymous' ? null : await findMembership(db, meeting.id, actor.personId, options);
  return meetingFacts(meeting, membership?.role ?? null);
}

/**
 * The meeting the actor may see, with its facts: the anonymous are refused before they learn
 * whether it exists, and a missing meeting looks like a hidden one. With `lock`, the meeting and
 * the membership read stay locked until the caller's transaction ends.
 */
export async function loadMeetingFacts(
  db: Executor,
  actor: Actor,
  meetingId: string,
  options: { lock?: boolean } = {},
): Promise<{ meeting: MeetingRow; facts: MeetingFacts }> {
  if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
  const meeting = await findMeeting(db, meetingId, options);
  if (!meeting) throw new AccessDenied('not_found');
  const facts = await readMeetingFacts(db, actor, meeting, options);
  authorize(actor, { type: 'meeting.view', meeting: facts });
  return { meeting, facts };
}

/**
 * What a command on a proposal needs, in one locked read: the meeting and the actor's membership
 * (locked as with loadMeetingFacts' `lock`, unless `lock: false`), the facts the policy reads, and
 * the proposal's head.
 * Refuses as loadMeetingFacts does: the anonymous first, a missing meeting like a hidden one.
 */
export async function loadCommandFacts(
  db: Executor,
  actor: Actor,
  meetingId: string,
  proposalId: string,
  options: { lock?: boolean } = {},
): Promise<CommandRead & { facts: MeetingFacts }> {
  if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
  return commandFacts(actor, await findForCommand(db, meetingId, actor.personId, proposalId, options));
}

/** loadCommandFacts' refusals and facts, for a read already made (findForCommand's, or one made alongside the session). */
export function commandFacts(actor: Actor, read: CommandRead | null): CommandRead & { facts: MeetingFacts } {
  if (!read) throw new AccessDenied('not_found');
  const facts = meetingFacts(read.meeting, read.membership?.role ?? null);
  authorize(actor, { type: 'meeting.view', meeting: facts });
  return { ...read, facts };
}

/** Everyone present who takes turns, in arrival order: not observers, not whoever facilitates the proposal. */
export function roundCandidates(members: readonly MemberRow[], facilitatorId: string | null): string[] {
  return members.filter((m) => m.present && m.role !== 'observer' && m.personId !== facilitatorId).map((m) => m.personId);
}

/** Recording for someone who is connected with their own device: refused, with the i18n key of the reason. */
export class OnBehalfRefused extends Error {
  constructor(
    readonly messageKey: 'live.errors.behalf_connected' | 'live.errors.behalf_own_objection',
    readonly personName: string,
  ) {
    super(messageKey);
    this.name = 'OnBehalfRefused';
  }
}

/**
 * Typing for someone else is for people in the room without a device: allowed for a person the
 * facilitator added as such, or for one with no live session; never, while they are connected,
 * to settle their own objection. The record keeps who typed (the event's actor) and for whom.
 */
export async function behalfRefusal(
  db: Executor,
  meetingId: string,
  personId: string,
  ownObjection: boolean,
  idleMinutes: number,
): Promise<OnBehalfRefused | null> {
  const [member, connected] = await Promise.all([findMembership(db, meetingId, personId), hasLiveSession(db, personId, idleMinutes)]);
  if (!connected) return null;
  if (member && !member.hasDevice && !ownObjection) return null;
  const name = (await findPersonName(db, personId)) ?? '—';
  return new OnBehalfRefused(ownObjection ? 'live.errors.behalf_own_objection' : 'live.errors.behalf_connected', name);
}
