/**
 * The one read a command on a proposal starts with: the meeting and the person's membership,
 * locked or not, and the proposal's head, in one query (src/proposals/proposal.service.ts); on
 * the route of the method's actions, the same read made with the request's session.
 */
import { sql, type Expression, type RawBuilder } from 'kysely';
import type { Executor } from '../db/schema.ts';
import type { MeetingRole } from '../db/schema-accounts.ts';
import { headColumns, toHead, type ProposalHead } from '../proposals/proposals.repository.ts';
import { meetingQuery, toMeeting, type MeetingRow } from './meetings.repository.ts';
import { PREPARED, preparedQuery } from '../db/prepared.ts';
import { liveSessionActorQuery, toLiveSessionActor, type LiveSessionActorRow } from '../accounts/sessions.repository.ts';

/** What a command on a proposal reads before anything else. */
export interface CommandRead {
  meeting: MeetingRow;
  /** The actor's membership (null: not a member, or removed). */
  membership: { role: MeetingRole; isGuest: boolean; hasDevice: boolean } | null;
  /** The proposal's current state and the head of its chain (null: no such proposal yet). */
  head: ProposalHead | null;
}

/** findForCommand's query, locked or not; the person is a value, or a column of the query it is read alongside. */
function commandReadQuery(db: Executor, meetingId: string, personId: string | Expression<string>, proposalId: string, lock: boolean) {
  return meetingQuery(db)
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('meeting_members')
          .select(['role', 'is_guest', 'has_device'])
          .where('meeting_id', '=', meetingId)
          .where('person_id', '=', personId)
          .where('removed_at', 'is', null)
          .$if(lock, (q) => q.forShare())
          .as('mm'),
      (join) => join.onTrue(),
    )
    .leftJoinLateral(
      () => headColumns(db, proposalId).as('head'),
      (join) => join.onTrue(),
    )
    .select([
      'mm.role as member_role',
      'mm.is_guest as member_is_guest',
      'mm.has_device as member_has_device',
      'head.state as head_state',
      'head.meeting_id as head_meeting_id',
      'head.last_seq as head_last_seq',
      'head.last_hash as head_last_hash',
      'head.tail as head_tail',
    ])
    .where('meetings.id', '=', meetingId)
    .$if(lock, (q) => q.forShare('meetings'));
}

/** Prepared (preparedQuery), as it runs on every contribution. */
const commandRead = (lock: boolean) =>
  preparedQuery((db: Executor, meetingId: string, personId: string, proposalId: string) =>
    commandReadQuery(db, meetingId, personId, proposalId, lock).modifyEnd(PREPARED),
  );
const lockedRead = commandRead(true);
const unlockedRead = commandRead(false);

type CommandReadSelect = Awaited<ReturnType<ReturnType<typeof commandReadQuery>['executeTakeFirstOrThrow']>>;

/**
 * Everything a command on a proposal reads first, in one query: the meeting and the person's
 * membership, both locked (FOR SHARE) until the caller's transaction ends, and the proposal's head
 * (not locked: a concurrent append loses the race for the next sequence number instead).
 * With `lock: false` nothing is locked: the write that follows must check `factsHold`.
 */
export async function findForCommand(
  db: Executor,
  meetingId: string,
  personId: string,
  proposalId: string,
  { lock = true }: { lock?: boolean } = {},
): Promise<CommandRead | null> {
  const [r] = await (lock ? lockedRead : unlockedRead)(db, meetingId, personId, proposalId);
  return r ? toCommandRead(r) : null;
}

function toCommandRead(r: CommandReadSelect): CommandRead {
  return {
    meeting: toMeeting(r),
    membership: r.member_role ? { role: r.member_role, isGuest: r.member_is_guest!, hasDevice: r.member_has_device! } : null,
    head:
      r.head_state && r.head_last_seq !== null && r.head_last_hash !== null
        ? toHead({ state: r.head_state, meeting_id: r.head_meeting_id, last_seq: r.head_last_seq, last_hash: r.head_last_hash, tail: r.head_tail })
        : null,
  };
}

/**
 * For a write made in one statement from facts read without a lock: true when the meeting and the
 * person's membership are still what `read` says, locking them until the statement commits; else
 * the statement fails with serialization_failure (40001) and writes nothing (migration 0018).
 */
export function factsHold(read: CommandRead, personId: string): RawBuilder<boolean> {
  const { meeting, membership } = read;
  return sql<boolean>`command_facts_hold(${meeting.id}::uuid, ${personId}::uuid, ${meeting.status}, ${meeting.facilitatorPersonId}::uuid, ${meeting.secretaryPersonId}::uuid, ${membership?.role ?? null})`;
}

/** A command's first read, made alongside the session of the request that sends it (findSessionWithCommand). */
export interface ReadAlongside {
  meetingId: string;
  proposalId: string;
  /** The person of the session the read was made for. */
  personId: string;
  /** What findForCommand would have read, without a lock (null: no such meeting). */
  read: CommandRead | null;
}

/** The read, if it was made for this person's command on this proposal of this meeting. */
export function readFor(read: ReadAlongside | undefined, personId: string, target: { meetingId: string; proposalId: string }): ReadAlongside | undefined {
  return read?.personId === personId && read.meetingId === target.meetingId && read.proposalId === target.proposalId ? read : undefined;
}

/**
 * The session of a token's hash and, in the same query, what a command of its person on a
 * proposal reads first, without a lock (findForCommand's `lock: false`): one round trip where a
 * contribution made two. Null without a live session.
 */
const sessionWithCommand = preparedQuery((db: Executor, idHash: string, idleMinutes: number, meetingId: string, proposalId: string) =>
  db
    .selectFrom(liveSessionActorQuery(db, idHash, idleMinutes).as('s'))
    .leftJoinLateral(
      () => commandReadQuery(db, meetingId, sql.ref<string>('s.person_id'), proposalId, false).as('c'),
      (join) => join.onTrue(),
    )
    .selectAll()
    .modifyEnd(PREPARED),
);

export async function findSessionWithCommand(
  db: Executor,
  idHash: string,
  idleMinutes: number,
  meetingId: string,
  proposalId: string,
): Promise<{ session: LiveSessionActorRow; alongside: ReadAlongside | null } | null> {
  const [r] = await sessionWithCommand(db, idHash, idleMinutes, meetingId, proposalId);
  if (!r) return null;
  const session = toLiveSessionActor(r);
  if (!session.personId) return { session, alongside: null };
  // the meeting's columns are null when the lateral read found no such meeting
  const read = r.id === null ? null : toCommandRead(r as CommandReadSelect);
  return { session, alongside: { meetingId, proposalId, personId: session.personId, read } };
}
