/**
 * A consent meeting as it is held: the agenda, who is present, the proposal on the floor and what
 * each person may do now. Every function authorises through the policy, then hands commands to the
 * ProposalService (one transaction, signal after commit). Nothing here lives only in memory.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { openRound, type Proposal, type Round } from '../consent/index.ts';
import type { DB } from '../db/schema.ts';
import { AccessDenied, authorize, can, type Actor, type MeetingFacts } from '../auth/policy.ts';
import * as meetings from '../repositories/meetings.repository.ts';
import { insertPerson } from '../repositories/accounts.repository.ts';
import type { ProposalService } from '../services/proposal.service.ts';
import type { Publisher } from '../services/signals.ts';
import { allowedActions, toCommand, type ActionInput, type ActionName, type AllowedAction } from './actions.ts';

const TERMINAL = new Set(['adopted', 'withdrawn', 'postponed']);
/** Actions that run the meeting rather than speak in it. */
const FACILITATION: ReadonlySet<ActionName> = new Set(['presenter', 'ouvrir-clarification', 'absent', 'ouvrir-reactions', 'ouvrir-bonification', 'ouvrir-objections', 'tester', 'reporter-objection', 'reporter', 'passer-la-main']);
/** Actions that start a round, whose order is taken from who is present now. */
const STARTS_ROUND: ReadonlySet<ActionName> = new Set(['ouvrir-clarification', 'ouvrir-reactions', 'ouvrir-objections']);

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
  me: { personId: string | null; role: string | null; canFacilitate: boolean; isActingFacilitator: boolean; isProposer: boolean };
  allowed: AllowedAction[];
  /** Present members who take turns, in the order a round would start with now. */
  roundCandidates: string[];
  /** Sequence number of the proposal's last event (for cache keys and catch-up). */
  seq: number;
}

export interface LiveDeps {
  db: Kysely<DB>;
  proposals: ProposalService;
  publisher?: Publisher;
  now?: () => Date;
}

export class LiveMeetingService {
  private readonly now: () => Date;
  constructor(private readonly deps: LiveDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  private async facts(actor: Actor, meetingId: string): Promise<{ meeting: meetings.MeetingRow; facts: MeetingFacts }> {
    if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
    const [meeting, membership] = await Promise.all([meetings.findMeeting(this.deps.db, meetingId), meetings.findMembership(this.deps.db, meetingId, actor.personId)]);
    if (!meeting) throw new AccessDenied('not_found');
    const facts: MeetingFacts = { id: meeting.id, facilitatorPersonId: meeting.facilitatorPersonId, secretaryPersonId: meeting.secretaryPersonId, actorRole: membership?.role ?? null };
    authorize(actor, { type: 'meeting.view', meeting: facts });
    return { meeting, facts };
  }

  /** Everyone present who takes turns: not observers, not whoever facilitates this proposal. */
  private candidates(members: readonly Member[], facilitatorId: string | null): string[] {
    return members.filter((m) => m.present && m.role !== 'observer' && m.personId !== facilitatorId).map((m) => m.personId);
  }

  /** What one person sees of the meeting now. */
  async view(actor: Actor, meetingId: string, proposalId?: string): Promise<LiveView> {
    const { meeting, facts } = await this.facts(actor, meetingId);
    const [members, agendaRows] = await Promise.all([
      meetings.listMembers(this.deps.db, meetingId),
      this.deps.db.selectFrom('proposals').select(['id', 'title', 'stage', 'proposer_id', 'last_seq']).where('meeting_id', '=', meetingId).orderBy('created_at').execute(),
    ]);
    const agenda = agendaRows.map((r) => ({ id: r.id, title: r.title, stage: r.stage, proposerId: r.proposer_id }));
    const chosen =
      (proposalId ? agendaRows.find((r) => r.id === proposalId) : undefined) ??
      agendaRows.find((r) => r.stage !== 'draft' && !TERMINAL.has(r.stage)) ??
      agendaRows.find((r) => r.stage === 'draft') ??
      agendaRows[agendaRows.length - 1];
    // Only the proposal on the floor is read whole; the agenda needs its titles and stages.
    const proposal = chosen ? ((await this.deps.db.selectFrom('proposals').select('state').where('id', '=', chosen.id).executeTakeFirstOrThrow()).state as Proposal) : null;
    const names: Record<string, string> = {};
    for (const m of members) names[m.personId] = m.displayName;
    const missing = new Set<string>();
    if (proposal) {
      for (const id of [proposal.proposerId, proposal.facilitatorId, proposal.actingFacilitatorId, proposal.secretaryId, ...proposal.objections.map((o) => o.objectorId)]) if (id && !names[id]) missing.add(id);
      const round = openRound(proposal);
      for (const id of round?.order ?? []) if (!names[id]) missing.add(id);
    }
    if (missing.size) {
      const rows = await this.deps.db.selectFrom('persons').select(['id', 'display_name']).where('id', 'in', [...missing]).execute();
      for (const r of rows) names[r.id] = r.display_name;
    }
    const personId = actor.kind === 'anonymous' ? null : actor.personId;
    const round = proposal ? openRound(proposal) : null;
    const active = round && round.turnIndex < round.order.length;
    const roundCandidates = this.candidates(members, proposal?.actingFacilitatorId ?? meeting.facilitatorPersonId);
    const mayAct = can(actor, { type: 'meeting.participate', meeting: facts }) || can(actor, { type: 'meeting.facilitate', meeting: facts });
    return {
      meeting,
      members,
      names,
      agenda,
      proposal,
      round,
      speakerId: active ? (round.order[round.turnIndex] ?? null) : null,
      nextId: active ? (round.order[round.turnIndex + 1] ?? null) : null,
      me: {
        personId,
        role: facts.actorRole,
        canFacilitate: can(actor, { type: 'meeting.facilitate', meeting: facts }),
        isActingFacilitator: !!proposal && proposal.actingFacilitatorId === personId,
        isProposer: !!proposal && proposal.proposerId === personId,
      },
      allowed: proposal && personId && mayAct && !TERMINAL.has(proposal.stage) ? allowedActions(proposal, personId, roundCandidates) : [],
      roundCandidates,
      seq: chosen?.last_seq ?? 0,
    };
  }

  /** Runs one action of the method on a proposal of the meeting. A double submission (same key) stores one. */
  async act(actor: Actor, meetingId: string, proposalId: string, action: ActionName, input: ActionInput, idempotencyKey?: string): Promise<void> {
    const { facts } = await this.facts(actor, meetingId);
    if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
    const facilitating = FACILITATION.has(action) || (input.onBehalfOf !== undefined && input.onBehalfOf !== actor.personId);
    authorize(actor, { type: facilitating ? 'meeting.facilitate' : 'meeting.participate', meeting: facts });
    const owner = await this.deps.db.selectFrom('proposals').select(['meeting_id', 'acting_facilitator_id']).where('id', '=', proposalId).executeTakeFirst();
    if (!owner || owner.meeting_id !== meetingId) throw new AccessDenied('not_found');
    const full: ActionInput = { ...input, newId: input.newId ?? idempotencyKey ?? randomUUID() };
    if (STARTS_ROUND.has(action)) full.participants = this.candidates(await meetings.listMembers(this.deps.db, meetingId), owner.acting_facilitator_id);
    const command = toCommand(action, actor.personId, this.now().toISOString(), full);
    await this.deps.proposals.execute(proposalId, command, { meetingId, ...(idempotencyKey ? { idempotencyKey } : {}) });
  }

  /** A member drafts a proposal for the meeting's agenda. */
  async draft(actor: Actor, meetingId: string, input: { title: string; tension: string; text: string; criteria: string; reviewDate: string | null; validitySet: 'holacracy' | 's3' | 'importante_argumentee' }): Promise<string> {
    const { meeting, facts } = await this.facts(actor, meetingId);
    if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
    if (!can(actor, { type: 'meeting.participate', meeting: facts }) && !can(actor, { type: 'meeting.facilitate', meeting: facts })) throw new AccessDenied('forbidden');
    const proposalId = randomUUID();
    await this.deps.proposals.execute(
      proposalId,
      {
        type: 'CreateProposal',
        actorId: actor.personId,
        at: this.now().toISOString(),
        proposalId,
        proposerId: actor.personId,
        facilitatorId: meeting.facilitatorPersonId,
        secretaryId: meeting.secretaryPersonId,
        ...input,
      },
      { meetingId },
    );
    return proposalId;
  }

  /** The facilitator marks a member present or absent; late arrivals take part from the next round. */
  async setPresence(actor: Actor, meetingId: string, personId: string, present: boolean): Promise<void> {
    const { facts } = await this.facts(actor, meetingId);
    const self = actor.kind !== 'anonymous' && actor.personId === personId;
    if (!self) authorize(actor, { type: 'meeting.facilitate', meeting: facts });
    const r = await this.deps.db.updateTable('meeting_members').set({ present }).where('meeting_id', '=', meetingId).where('person_id', '=', personId).where('removed_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new AccessDenied('not_found');
    await this.signal(meetingId);
  }

  /** Someone in the room without a device: the facilitator adds them by name and records their turns for them. */
  async addInRoom(actor: Actor, meetingId: string, displayName: string): Promise<string> {
    const { facts } = await this.facts(actor, meetingId);
    authorize(actor, { type: 'meeting.facilitate', meeting: facts });
    const personId = await this.deps.db.transaction().execute(async (tx) => {
      const id = await insertPerson(tx, displayName);
      await tx.insertInto('meeting_members').values({ meeting_id: meetingId, person_id: id, role: 'participant', is_guest: true, present: true, has_device: false }).execute();
      return id;
    });
    await this.signal(meetingId);
    return personId;
  }

  /** Marks who joined through the app as present (a phone that opens the meeting). */
  async markArrived(actor: Actor, meetingId: string): Promise<void> {
    if (actor.kind === 'anonymous') return;
    const r = await this.deps.db
      .updateTable('meeting_members')
      .set({ present: true })
      .where('meeting_id', '=', meetingId)
      .where('person_id', '=', actor.personId)
      .where('present', '=', false)
      .where('removed_at', 'is', null)
      .where(sql<boolean>`role <> 'observer'`)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) await this.signal(meetingId);
  }

  private async signal(meetingId: string): Promise<void> {
    try {
      await this.deps.publisher?.publish({ name: 'meeting-changed', meetingId });
    } catch {
      // presence is committed; views catch up on their next refresh
    }
  }
}
