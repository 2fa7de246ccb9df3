/**
 * A consent meeting as it is held: the agenda, who is present, the proposal on the floor and what
 * each person may do now. Commands on proposals go to the ProposalService, which reads the facts
 * the policy needs inside the command's transaction; presence is the meeting's own. Nothing here
 * lives only in memory, and no SQL is written here (see the repositories).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { openRound, type Proposal, type Round } from '../consent/index.ts';
import type { DB } from '../db/schema.ts';
import { AccessDenied, authorize, can, type Actor } from '../accounts/policy.ts';
import * as meetings from './meetings.repository.ts';
import { findPersonNames, insertPerson } from '../accounts/accounts.repository.ts';
import { listAgenda, listRulings, loadHead } from '../proposals/proposals.repository.ts';
import type { ProposalCommand, ProposalService } from '../proposals/proposal.service.ts';
import type { Publisher } from '../realtime/signals.ts';
import { allowedActions, type AllowedAction } from '../proposals/allowed.ts';
import { actionPermission } from '../proposals/actions.ts';
import { assertAcceptsCommands } from './seance.service.ts';
import { behalfRefusal, loadMeetingFacts, roundCandidates } from './meeting.facts.ts';
import { readDotVote, type DotVoteView } from './dot-vote.service.ts';

const TERMINAL = new Set(['adopted', 'withdrawn', 'postponed']);

export type Member = meetings.MemberRow;

export interface AgendaItem {
  id: string;
  title: string;
  stage: string;
  proposerId: string;
}

export interface LiveView {
  meeting: meetings.MeetingRow;
  members: Member[];
  names: Record<string, string>;
  agenda: AgendaItem[];
  /** The proposal being processed (or the one asked for), with its folded state. */
  proposal: Proposal | null;
  round: Round | null;
  /** Who holds the floor now, and who is next. */
  speakerId: string | null;
  nextId: string | null;
  /** Who ruled each tested objection and when, by objection id. */
  rulings: Record<string, { by: string; at: string }>;
  /** A question waiting for its answer: the proposer must act, the asker waits (no one else holds the floor). */
  answering: { proposerId: string; askerId: string; questionId: string } | null;
  me: {
    personId: string | null;
    role: string | null;
    canFacilitate: boolean;
    isActingFacilitator: boolean;
    isProposer: boolean;
    mayArrive: boolean;
    mayDraft: boolean;
  };
  allowed: AllowedAction[];
  /** Present members who take turns, in the order a round would start with now. */
  roundCandidates: string[];
  /** Sequence number of the proposal's last event (for cache keys and catch-up). */
  seq: number;
  /** The dot vote on the agenda (« C’est mon choix »). */
  dotVote: DotVoteView;
}

export interface LiveDeps {
  db: Kysely<DB>;
  proposals: ProposalService;
  publisher?: Publisher;
  /** SESSION_IDLE_MINUTES: a person whose session was seen within it is connected. */
  idleMinutes?: number;
}

export class LiveMeetingService {
  constructor(private readonly deps: LiveDeps) {}

  /** What one person sees of the meeting now. */
  async view(actor: Actor, meetingId: string, proposalId?: string): Promise<LiveView> {
    const { meeting, facts } = await loadMeetingFacts(this.deps.db, actor, meetingId);
    const [members, agendaRows] = await Promise.all([meetings.listMembers(this.deps.db, meetingId), listAgenda(this.deps.db, meetingId)]);
    const agenda = agendaRows.map((r) => ({ id: r.id, title: r.title, stage: r.stage, proposerId: r.proposerId }));
    const chosen =
      (proposalId ? agendaRows.find((r) => r.id === proposalId) : undefined) ??
      agendaRows.find((r) => r.stage !== 'draft' && !TERMINAL.has(r.stage)) ??
      agendaRows.find((r) => r.stage === 'draft') ??
      agendaRows[agendaRows.length - 1];
    // Only the proposal on the floor is read whole; the agenda needs its titles and stages.
    const [head, rulingRows] = chosen ? await Promise.all([loadHead(this.deps.db, chosen.id), listRulings(this.deps.db, chosen.id)]) : [null, []];
    const proposal = head?.state ?? null;
    const rulings = Object.fromEntries(rulingRows.map((r) => [r.objectionId, { by: r.ruledBy, at: r.ruledAt }]));
    const names: Record<string, string> = {};
    for (const m of members) names[m.personId] = m.displayName;
    const missing = new Set<string>();
    if (proposal) {
      for (const id of [
        proposal.proposerId,
        proposal.facilitatorId,
        proposal.actingFacilitatorId,
        proposal.secretaryId,
        ...proposal.objections.flatMap((o) => [o.objectorId, o.decidedBy]),
        ...rulingRows.map((r) => r.ruledBy),
      ])
        if (id && !names[id]) missing.add(id);
      const round = openRound(proposal);
      for (const id of round?.order ?? []) if (!names[id]) missing.add(id);
    }
    Object.assign(names, await findPersonNames(this.deps.db, [...missing]));
    const personId = actor.kind === 'anonymous' ? null : actor.personId;
    const round = proposal ? openRound(proposal) : null;
    const active = round && round.turnIndex < round.order.length;
    const pending = proposal?.stage === 'clarification' ? proposal.questions.find((q) => q.id === proposal.pendingQuestionId) : undefined;
    const answering = proposal && pending ? { proposerId: proposal.proposerId, askerId: pending.askerId, questionId: pending.id } : null;
    const candidates = roundCandidates(members, proposal?.actingFacilitatorId ?? meeting.facilitatorPersonId);
    const open = meeting.status !== 'closed';
    const mayFacilitate = can(actor, { type: 'meeting.facilitate', meeting: facts });
    const mayAct = mayFacilitate || can(actor, { type: 'meeting.participate', meeting: facts });
    // offered: what the core allows now AND what the policy lets this person do (as handle() checks it)
    let allowed =
      proposal && personId && open && mayAct && !TERMINAL.has(proposal.stage)
        ? allowedActions(proposal, personId, candidates).filter((a) =>
            can(actor, { type: actionPermission(a.action, !!a.onBehalfOf && a.onBehalfOf !== personId), meeting: facts }),
          )
        : [];
    // The console offers to type for the person holding the floor only if they have no device of their own in use.
    const behalf = allowed.find((a) => a.onBehalfOf)?.onBehalfOf;
    if (behalf && (await behalfRefusal(this.deps.db, meetingId, behalf, false, this.deps.idleMinutes ?? 120))) allowed = allowed.filter((a) => !a.onBehalfOf);
    return {
      meeting,
      members,
      names,
      agenda,
      proposal,
      round,
      // while a question waits, the proposer answers: nobody's turn is announced, the asker waits
      speakerId: active && !answering ? (round.order[round.turnIndex] ?? null) : null,
      nextId: active ? (round.order[round.turnIndex + 1] ?? null) : null,
      answering,
      rulings,
      me: {
        personId,
        role: facts.actorRole,
        canFacilitate: mayFacilitate,
        isActingFacilitator: !!proposal && proposal.actingFacilitatorId === personId,
        isProposer: !!proposal && proposal.proposerId === personId,
        // a member not yet marked present is offered « Je suis là » (observers never take a turn)
        mayArrive: open && members.some((m) => m.personId === personId && !m.present && m.role !== 'observer'),
        mayDraft: open && can(actor, { type: 'meeting.propose', meeting: facts }),
      },
      allowed,
      roundCandidates: candidates,
      seq: chosen?.lastSeq ?? 0,
      dotVote: await readDotVote(this.deps.db, meetingId, personId, agenda, {
        facilitate: mayFacilitate,
        participate: can(actor, { type: 'meeting.participate', meeting: facts }),
        closed: !open,
      }),
    };
  }

  /** Runs one action of the method (a request of the action table). A double submission (same key) stores one. */
  async act(actor: Actor, meetingId: string, proposalId: string, command: ProposalCommand, key?: string): Promise<void> {
    await this.deps.proposals.handle(actor, { meetingId, proposalId, ...(key ? { key } : {}) }, command);
    // A séance still planned when its facilitator starts the method opens now: it never says « prévue » while held.
    if (
      actor.kind !== 'anonymous' &&
      command.may.includes('meeting.facilitate') &&
      (await meetings.openMeeting(this.deps.db, meetingId, actor.personId, new Date()))
    )
      await this.signal(meetingId);
  }

  /** A member drafts a proposal for the meeting's agenda (`revises`: the decision it revises, from the register's « Réviser »); whoever takes part in or runs the meeting may. */
  async draft(
    actor: Actor,
    meetingId: string,
    input: {
      title: string;
      tension: string;
      text: string;
      criteria: string;
      reviewDate: string | null;
      validitySet: 'holacracy' | 's3' | 'importante_argumentee';
      revises?: string;
    },
  ): Promise<string> {
    const proposalId = randomUUID();
    await this.deps.proposals.handle(
      actor,
      { meetingId, proposalId },
      {
        may: ['meeting.propose'],
        startsRound: false,
        creates: true,
        onBehalfOf: null,
        ownObjection: false,
        toCommand: (c) => ({
          type: 'CreateProposal',
          actorId: c.actorId,
          at: c.at,
          proposalId,
          proposerId: c.actorId,
          facilitatorId: c.meeting.facilitatorPersonId,
          secretaryId: c.meeting.secretaryPersonId,
          ...input,
        }),
      },
    );
    return proposalId;
  }

  /** The facilitator marks a member present or absent; late arrivals take part from the next round. */
  async setPresence(actor: Actor, meetingId: string, personId: string, present: boolean): Promise<void> {
    const { facts } = await loadMeetingFacts(this.deps.db, actor, meetingId);
    const self = actor.kind !== 'anonymous' && actor.personId === personId;
    if (!self) authorize(actor, { type: 'meeting.facilitate', meeting: facts });
    await assertAcceptsCommands(this.deps.db, meetingId);
    if (!(await meetings.setPresent(this.deps.db, meetingId, personId, present))) throw new AccessDenied('not_found');
    await this.signal(meetingId);
  }

  /** Someone in the room without a device: the facilitator adds them by name and records their turns for them. */
  async addInRoom(actor: Actor, meetingId: string, displayName: string): Promise<string> {
    const { facts } = await loadMeetingFacts(this.deps.db, actor, meetingId);
    authorize(actor, { type: 'meeting.facilitate', meeting: facts });
    await assertAcceptsCommands(this.deps.db, meetingId);
    const personId = await this.deps.db.transaction().execute(async (tx) => {
      const id = await insertPerson(tx, displayName);
      await meetings.insertMember(tx, { meetingId, personId: id, role: 'participant', isGuest: true, present: true, hasDevice: false });
      return id;
    });
    await this.signal(meetingId);
    return personId;
  }

  /** Marks who joined through the app as present (a phone that opens the meeting). */
  async markArrived(actor: Actor, meetingId: string): Promise<void> {
    const { meeting } = await loadMeetingFacts(this.deps.db, actor, meetingId);
    // after closing, opening a view (to read the decision) is not an arrival
    if (actor.kind === 'anonymous' || meeting.status === 'closed') return;
    if (await meetings.markArrived(this.deps.db, meetingId, actor.personId)) await this.signal(meetingId);
  }

  private async signal(meetingId: string): Promise<void> {
    try {
      await this.deps.publisher?.publish({ name: 'meeting-changed', meetingId });
    } catch {
      // presence is committed; views catch up on their next refresh
    }
  }
}
