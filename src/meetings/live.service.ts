/**
 * A consent meeting as it is held: the agenda, who is present, the proposal on the floor and what
 * each person may do now. Commands on proposals go to the ProposalService, which reads the facts
 * the policy needs inside the command's transaction; presence is the meeting's own. Nothing here
 * lives only in memory, and no SQL is written here (see the repositories).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { openRound } from '../consent/index.ts';
import type { DB } from '../db/schema.ts';
import { AccessDenied, authorize, type Actor } from '../accounts/policy.ts';
import * as meetings from './meetings.repository.ts';
import { insertPerson, personNames } from '../accounts/accounts.repository.ts';
import { listAgenda, listRulings, loadHead } from '../proposals/proposals.repository.ts';
import type { ProposalService, Target } from '../proposals/proposal.service.ts';
import type { ProposalCommand } from '../proposals/proposal.command.ts';
import type { Publisher } from '../realtime/signals.ts';
import { personalize, TERMINAL, type LiveView, type SharedLive } from './live.view.ts';
import { assertAcceptsCommands } from './seance.service.ts';
import { behalfRefusal, loadMeetingFacts, roundCandidates } from './meeting.facts.ts';
import { readDotVoteFacts } from './dot-vote.service.ts';

export type { AgendaItem, LiveView, SharedLive } from './live.view.ts';

export type Member = meetings.MemberRow;

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
    const shared = await this.shared(meeting, proposalId);
    const { me, allowed: offered, dotVote } = personalize(actor, facts, shared);
    let allowed = offered;
    // The console offers to type for the person holding the floor only if they have no device of their own in use.
    const behalf = allowed.find((a) => a.onBehalfOf)?.onBehalfOf;
    if (behalf && (await behalfRefusal(this.deps.db, meetingId, behalf, false, this.deps.idleMinutes ?? 120))) allowed = allowed.filter((a) => !a.onBehalfOf);
    return { ...shared, me, allowed, dotVote };
  }

  /** Refuses whoever may not see the meeting (a stream opens only after this). */
  async authorize(actor: Actor, meetingId: string): Promise<void> {
    await loadMeetingFacts(this.deps.db, actor, meetingId);
  }

  /**
   * What everyone sees of the meeting now, read once for all of them (no actor: whoever asks has
   * been authorised already). `meeting` is the meeting's row, or its id to read it.
   */
  async shared(meeting: meetings.MeetingRow | string, proposalId?: string): Promise<SharedLive> {
    const meetingId = typeof meeting === 'string' ? meeting : meeting.id;
    const [row, members, agendaRows, dots] = await Promise.all([
      typeof meeting === 'string' ? meetings.findMeeting(this.deps.db, meeting) : meeting,
      meetings.listMembers(this.deps.db, meetingId),
      listAgenda(this.deps.db, meetingId),
      readDotVoteFacts(this.deps.db, meetingId),
    ]);
    if (!row) throw new AccessDenied('not_found');
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
    const round = proposal ? openRound(proposal) : null;
    const missing = new Set<string>();
    if (proposal) {
      for (const id of [
        proposal.proposerId,
        proposal.facilitatorId,
        proposal.actingFacilitatorId,
        proposal.secretaryId,
        ...proposal.objections.flatMap((o) => [o.objectorId, o.decidedBy]),
        ...rulingRows.map((r) => r.ruledBy),
        ...(round?.order ?? []),
      ])
        if (id && !names[id]) missing.add(id);
    }
    if (missing.size) Object.assign(names, Object.fromEntries(await personNames(this.deps.db, [...missing])));
    const active = round && round.turnIndex < round.order.length;
    const pending = proposal?.stage === 'clarification' ? proposal.questions.find((q) => q.id === proposal.pendingQuestionId) : undefined;
    const answering = proposal && pending ? { proposerId: proposal.proposerId, askerId: pending.askerId, questionId: pending.id } : null;
    return {
      meeting: row,
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
      roundCandidates: roundCandidates(members, proposal?.actingFacilitatorId ?? row.facilitatorPersonId),
      seq: chosen?.lastSeq ?? 0,
      dots,
    };
  }

  /**
   * Runs one action of the method (a request of the action table). A double submission (same
   * `key`) stores one; `read` is the command's first read if it was made with the session.
   */
  async act(actor: Actor, meetingId: string, proposalId: string, command: ProposalCommand, submission: Pick<Target, 'key' | 'read'> = {}): Promise<void> {
    await this.deps.proposals.handle(actor, { meetingId, proposalId, ...submission }, command);
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
