/**
 * What a live view shows, split in two: what everyone in the meeting sees alike (SharedLive: the
 * stage, the round, what was said, the objections, the text, who is here) and what is one
 * person's own (Personal: « À vous », the actions allowed to them). The shared part is read once
 * and rendered once for everybody (live.render.ts); the personal part is computed here, purely,
 * from the shared part, the actor and their role in the meeting.
 */
import { createHash } from 'node:crypto';
import type { Proposal, Round } from '../consent/index.ts';
import { can, type Actor, type MeetingFacts } from '../accounts/policy.ts';
import { allowedActions, type AllowedAction } from '../proposals/allowed.ts';
import { actionPermission } from '../proposals/actions.ts';
import type { MeetingRow, MemberRow } from './meetings.repository.ts';
import { dotVoteView, type DotVoteFacts, type DotVoteView } from './dot-vote.service.ts';

export const TERMINAL = new Set(['adopted', 'withdrawn', 'postponed']);

export interface AgendaItem {
  id: string;
  title: string;
  stage: string;
  proposerId: string;
}

/** What every person in the meeting sees alike. */
export interface SharedLive {
  meeting: MeetingRow;
  members: MemberRow[];
  names: Record<string, string>;
  agenda: AgendaItem[];
  /** The proposal being processed (or the one asked for), with its folded state. */
  proposal: Proposal | null;
  round: Round | null;
  /** Who holds the floor now, and who is next. */
  speakerId: string | null;
  nextId: string | null;
  /** A question waiting for its answer: the proposer must act, the asker waits (no one else holds the floor). */
  answering: { proposerId: string; askerId: string; questionId: string } | null;
  /** Who ruled each tested objection and when, by objection id. */
  rulings: Record<string, { by: string; at: string }>;
  /** Present members who take turns, in the order a round would start with now. */
  roundCandidates: string[];
  /** Sequence number of the proposal's last event (for cache keys and catch-up). */
  seq: number;
  /** The séance's dot vote on its agenda (« C’est mon choix »), as read for everyone. */
  dots: DotVoteFacts;
}

export interface Me {
  personId: string | null;
  role: string | null;
  canFacilitate: boolean;
  isActingFacilitator: boolean;
  isProposer: boolean;
  mayArrive: boolean;
  mayDraft: boolean;
  /** What this person must do now: « À vous » (their turn), answer a question put to them, or wait for the answer to theirs. */
  turn: 'speak' | 'answer' | 'await' | null;
  /** Why this person is outside the round under way (said on the participant's view), if they are. */
  outside: 'observer' | 'facilitator' | 'proposer' | 'late' | 'not_joined' | null;
}

/** What one person sees of the meeting now. */
export interface LiveView extends SharedLive {
  me: Me;
  allowed: AllowedAction[];
  /** The dot vote as this person sees it (their dots, the forms they may use). */
  dotVote: DotVoteView;
}

/** Nobody in particular: how the shared part is drawn (accounts or guests; may facilitate; may draft). */
export function nobody(canFacilitate: boolean, mayDraft: boolean): Me {
  return { personId: null, role: null, canFacilitate, isActingFacilitator: false, isProposer: false, mayArrive: false, mayDraft, turn: null, outside: null };
}

/**
 * The person's own part: who they are in the meeting and the actions offered to them (what the
 * core allows now AND what the policy lets them do, as handle() checks it). Pure; the check of a
 * device in use for typing on someone's behalf is the service's (it reads the database).
 */
export function personalize(actor: Actor, facts: MeetingFacts, s: SharedLive): { me: Me; allowed: AllowedAction[]; dotVote: DotVoteView } {
  const personId = actor.kind === 'anonymous' ? null : actor.personId;
  const proposal = s.proposal;
  const open = s.meeting.status !== 'closed';
  const mayFacilitate = can(actor, { type: 'meeting.facilitate', meeting: facts });
  const mayParticipate = can(actor, { type: 'meeting.participate', meeting: facts });
  const mayAct = mayFacilitate || mayParticipate;
  const allowed =
    proposal && personId && open && mayAct && !TERMINAL.has(proposal.stage)
      ? allowedActions(proposal, personId, s.roundCandidates).filter((a) =>
          can(actor, { type: actionPermission(a.action, !!a.onBehalfOf && a.onBehalfOf !== personId), meeting: facts }),
        )
      : [];
  const isActingFacilitator = !!proposal && proposal.actingFacilitatorId === personId;
  const isProposer = !!proposal && proposal.proposerId === personId;
  const a = s.answering;
  const turn =
    personId === null ? null : a ? (a.proposerId === personId ? 'answer' : a.askerId === personId ? 'await' : null) : s.speakerId === personId ? 'speak' : null;
  // someone outside the round under way is told why: an observer follows without speaking, whoever facilitates or
  // proposes does not take these turns; only a late arrival takes part in the next round
  const underWay = !!s.round && s.round.turnIndex < s.round.order.length;
  // an account that never joined the séance (not whoever runs it) takes no turn in any round: told why, and how to join
  const notJoined = actor.kind === 'account' && facts.actorRole === null && !mayFacilitate;
  const outside = notJoined
    ? 'not_joined'
    : personId !== null && underWay && !s.round!.order.includes(personId)
      ? facts.actorRole === 'observer'
        ? 'observer'
        : isActingFacilitator
          ? 'facilitator'
          : isProposer
            ? 'proposer'
            : 'late'
      : null;
  return {
    me: {
      personId,
      role: facts.actorRole,
      canFacilitate: mayFacilitate,
      isActingFacilitator,
      isProposer,
      // a member not yet marked present is offered « Je suis là » (observers never take a turn)
      mayArrive: open && s.members.some((m) => m.personId === personId && !m.present && m.role !== 'observer'),
      mayDraft: open && can(actor, { type: 'meeting.propose', meeting: facts }),
      turn,
      outside,
    },
    allowed,
    dotVote: dotVoteView(s.dots, personId, s.agenda, { facilitate: mayFacilitate, participate: mayParticipate, closed: !open }),
  };
}

/**
 * The few things about a person that change the shared part itself (a link to the register for
 * accounts, the follow-ups and the agenda's « Rédiger » for whoever may): the shared part is
 * rendered once per audience, and a meeting has two or three of them, not one per person.
 */
export function audienceOf(actor: Actor, me: Me): string {
  return `${actor.kind === 'account' ? 'a' : 'g'}${me.canFacilitate ? 'f' : '-'}${me.mayDraft ? 'd' : '-'}`;
}

/**
 * What the personal part of a view depends on: when it is unchanged after a change in the
 * meeting, that person's « À vous » and forms need not be fetched again. Whoever has actions
 * offered gets them fresh at every change (their forms quote the proposal: a question to answer,
 * the reasons to amend, the objection to test).
 */
export function mineFingerprint(view: string, s: SharedLive, me: Me, allowed: readonly AllowedAction[], dotVote: DotVoteView): string {
  // a short digest: each open stream keeps one, and the page hands it to its stream (?empreinte=)
  return digest([
    view,
    s.proposal?.proposalId ?? null,
    s.meeting.status,
    me.turn,
    me.outside,
    allowed.length ? s.seq : 0,
    allowed,
    // the dot vote's bars and forms are each person's own (their dots): while it is open or may be, it is drawn again
    dotVote.open || dotVote.mayOpen ? dotVote : null,
  ]);
}

function digest(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('base64url').slice(0, 16);
}
