/**
 * Who may do what: the one place where authorisation is decided. Services call `authorize`
 * before they load or change anything; routes never test roles themselves.
 */
import type { AccountRole, MeetingRole } from '../db/schema-accounts.ts';

export type Actor =
  | { kind: 'anonymous' }
  | { kind: 'account'; personId: string; role: AccountRole; displayName: string }
  | { kind: 'guest'; personId: string; meetingId: string; displayName: string };

export const ANONYMOUS: Actor = Object.freeze({ kind: 'anonymous' });

/** What the policy needs to know about a meeting (and the actor's place in it). */
export interface MeetingFacts {
  id: string;
  facilitatorPersonId: string;
  secretaryPersonId: string | null;
  /** The actor's membership of this meeting, if any and not removed. */
  actorRole: MeetingRole | null;
}

export type Action =
  | { type: 'accounts.manage' }
  | { type: 'circles.manage' }
  | { type: 'meetings.list' }
  | { type: 'meeting.create' }
  | { type: 'meeting.view'; meeting: MeetingFacts }
  /** run the meeting: advance stages, remove a guest, record for someone */
  | { type: 'meeting.facilitate'; meeting: MeetingFacts }
  /** take part: speak in a round, object */
  | { type: 'meeting.participate'; meeting: MeetingFacts }
  /** put an item on the agenda: an account that joined the meeting (not as observer), or who runs it */
  | { type: 'meeting.propose'; meeting: MeetingFacts }
  | { type: 'register.read' }
  /** published decisions (/decisions-publiques): anyone, signed in or not */
  | { type: 'register.read_published' }
  /** publish a decision, link its formal act, open its revision: those who run meetings */
  | { type: 'register.curate' }
  /** verify the whole log from the register (« Vérifier maintenant »): admins */
  | { type: 'register.verify' };

/** Why an action is refused: sign in first, not allowed, or not even allowed to know it exists. */
export type Refusal = 'unauthenticated' | 'forbidden' | 'not_found';

export class AccessDenied extends Error {
  constructor(readonly refusal: Refusal) {
    super(`access denied: ${refusal}`);
    this.name = 'AccessDenied';
  }
}

const RUNS_MEETINGS: readonly AccountRole[] = ['admin', 'facilitator'];

/** Decides; returns null when allowed, else the refusal. Pure: no I/O, no clock. */
export function check(actor: Actor, action: Action): Refusal | null {
  switch (action.type) {
    case 'accounts.manage':
    case 'circles.manage':
    case 'register.verify':
      if (actor.kind === 'anonymous') return 'unauthenticated';
      return actor.kind === 'account' && actor.role === 'admin' ? null : 'forbidden';
    case 'meetings.list':
    case 'register.read':
      if (actor.kind === 'anonymous') return 'unauthenticated';
      return actor.kind === 'account' ? null : 'forbidden';
    case 'register.read_published':
      return null;
    case 'register.curate':
    case 'meeting.create':
      if (actor.kind === 'anonymous') return 'unauthenticated';
      return actor.kind === 'account' && RUNS_MEETINGS.includes(actor.role) ? null : 'forbidden';
    case 'meeting.view':
      if (actor.kind === 'anonymous') return 'unauthenticated';
      // a guest knows one meeting only; every other one does not exist for them
      if (actor.kind === 'guest') return actor.meetingId === action.meeting.id ? null : 'not_found';
      return null;
    case 'meeting.facilitate': {
      const seen = check(actor, { type: 'meeting.view', meeting: action.meeting });
      if (seen) return seen;
      if (actor.kind !== 'account') return 'forbidden';
      if (actor.role === 'admin') return null;
      // the secretary of the meeting records it and takes over facilitation when the facilitator
      // is personally involved, whatever their account role (an observer keeps the record only)
      if (actor.personId === action.meeting.secretaryPersonId && actor.role !== 'observer') return null;
      return actor.personId === action.meeting.facilitatorPersonId && RUNS_MEETINGS.includes(actor.role) ? null : 'forbidden';
    }
    case 'meeting.participate': {
      const seen = check(actor, { type: 'meeting.view', meeting: action.meeting });
      if (seen) return seen;
      if (actor.kind === 'account' && actor.role === 'observer') return 'forbidden';
      const role = action.meeting.actorRole;
      return role !== null && role !== 'observer' ? null : 'forbidden';
    }
    case 'meeting.propose': {
      if (check(actor, { type: 'meeting.facilitate', meeting: action.meeting }) === null) return null;
      const seen = check(actor, { type: 'meeting.view', meeting: action.meeting });
      if (seen) return seen;
      // guests take part in the séance they joined, but do not put items on its agenda
      if (actor.kind !== 'account' || actor.role === 'observer') return 'forbidden';
      const role = action.meeting.actorRole;
      return role !== null && role !== 'observer' ? null : 'forbidden';
    }
    default: {
      const unknown: never = action;
      throw new Error(`unknown action ${JSON.stringify(unknown)}`);
    }
  }
}

export function can(actor: Actor, action: Action): boolean {
  return check(actor, action) === null;
}

/** Throws AccessDenied unless the actor may perform the action. */
export function authorize(actor: Actor, action: Action): void {
  const refusal = check(actor, action);
  if (refusal) throw new AccessDenied(refusal);
}
