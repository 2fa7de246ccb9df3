/** What a person asks of a proposal, before the proposal service reads the facts and builds the core command. */
import type { Command } from '../consent/index.ts';
import { authorize, can, type Actor, type MeetingFacts } from '../accounts/policy.ts';
import type { MeetingRow } from '../meetings/meetings.repository.ts';

/** The meeting permissions a command may be sent under: any one of them is enough. */
export type Permission = 'meeting.facilitate' | 'meeting.participate' | 'meeting.propose';

/** What the command is built from, read inside its transaction. */
export interface CommandContext {
  actorId: string;
  at: string;
  /** Id for the new question, reaction, objection or concern: drawn from the submission key. */
  newId: string;
  /** Who takes turns in a round started now: present members, not observers, not the facilitator. */
  participants: string[];
  /** Who facilitates the meeting and keeps its record (a new proposal starts with them). */
  meeting: Pick<MeetingRow, 'facilitatorPersonId' | 'secretaryPersonId'>;
}

/** What a person asks of a proposal: who may ask it, and the core command it becomes once the facts are read. */
export interface ProposalCommand {
  may: readonly Permission[];
  /** The command starts a round: its order is who is present when the transaction reads it. */
  startsRound: boolean;
  /** The command creates the proposal (a draft): there is no proposal to find in the meeting yet. */
  creates: boolean;
  /** Recorded for this person by whoever facilitates (a person in the room without a device). */
  onBehalfOf: string | null;
  /** The person settles their own objection: never typed for them while they are connected. */
  ownObjection: boolean;
  toCommand(context: CommandContext): Command;
}

/** Throws AccessDenied unless one of the permissions is granted; the refusal is the first one's. */
export function authorizeAny(actor: Actor, permissions: readonly Permission[], meeting: MeetingFacts): void {
  if (permissions.some((type) => can(actor, { type, meeting }))) return;
  authorize(actor, { type: permissions[0] ?? 'meeting.facilitate', meeting });
}
