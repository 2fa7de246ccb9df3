/**
 * A consent meeting as it is held: the agenda, who is present, the proposal on the floor and what
 * each person may do now. Every function authorises through the policy, then hands commands to the
 * ProposalService (one transaction, signal after commit). Nothing here lives only in memory.
 */
import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { openRound, type Proposal, type Round } from '../consent/index.ts';
import type { DB } from '../db/schema.ts';
import { AccessDenied, authorize, can, type Actor, type MeetingFacts } from '../accounts/policy.ts';
import * as meetings from './meetings.repository.ts';
import { findPersonName, hasLiveSession, insertPerson } from '../accounts/accounts.repository.ts';
import type { ProposalService } from '../proposals/proposal.service.ts';
import type { Publisher } from '../realtime/signals.ts';
import { allowedActions, toCommand, type ActionInput, type ActionName, type AllowedAction } from '../proposals/actions.ts';

const TERMINAL = new Set(['adopted', 'withdrawn', 'postponed']);
/** Actions that run the meeting rather than speak in it. */
const FACILITATION: ReadonlySet<ActionName> = new Set(['presenter', 'ouvrir-clarification', 'absent', 'ouvrir-reactions', 'ouvrir-bonification', 'ouvrir-objections', 'tester', 'reporter-objection', 'reporter', 'passer-la-main']);
/** Actions that start a round, whose order is taken from who is present now. */
const STARTS_ROUND: ReadonlySet<ActionName> = new Set(['ouvrir-clarification', 'ouvrir-reactions', 'ouvrir-objections']);

/** Actions by which a person settles their own objection: never typed for them while they are connected. */
const OWN_OBJECTION: ReadonlySet<ActionName> = new Set(['levee', 'retirer-objection']);

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

export type Member = meetings.MemberRow;

/** A UUID-shaped id drawn from a submission key and its scope (the same inputs always give the same id). */
function scopedId(personId: string, proposalId: string, key: string): string {
  const h = createHash('sha256').update(`${personId}:${proposalId}:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

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
  me: { personId: string | null; role: string | null; canFacilitate: boolean; isActingFacilitator: boolean; isProposer: boolean; mayArrive: boolean };
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
  /** SESSION_IDLE_MINUTES: a person whose session was seen within it is connected. */
  idleMinutes?: number;
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
    let allowed = proposal && personId && mayAct && !TERMINAL.has(proposal.stage) ? allowedActions(proposal, personId, roundCandidates) : [];
    // The console offers to type for the person holding the floor only if they have no device of their own in use.
    const behalf = allowed.find((a) => a.onBehalfOf)?.onBehalfOf;
    if (behalf && (await this.behalfRefusal(meetingId, behalf, 'passer'))) allowed = allowed.filter((a) => !a.onBehalfOf);
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
        // a member not yet marked present is offered « Je suis là » (observers never take a turn)
        mayArrive: members.some((m) => m.personId === personId && !m.present && m.role !== 'observer'),
      },
      allowed,
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
    if (input.onBehalfOf !== undefined && input.onBehalfOf !== actor.personId) {
      const refusal = await this.behalfRefusal(meetingId, input.onBehalfOf, action);
      if (refusal) throw refusal;
    }
    const owner = await this.deps.db.selectFrom('proposals').select(['meeting_id', 'acting_facilitator_id']).where('id', '=', proposalId).executeTakeFirst();
    if (!owner || owner.meeting_id !== meetingId) throw new AccessDenied('not_found');
    // The new question, reaction or objection is named after the key of the form that sent it,
    // within this person's keys on this proposal: two people sending the same key never collide.
    const full: ActionInput = { ...input, newId: input.newId ?? (idempotencyKey ? scopedId(actor.personId, proposalId, idempotencyKey) : randomUUID()) };
    if (STARTS_ROUND.has(action)) full.participants = this.candidates(await meetings.listMembers(this.deps.db, meetingId), owner.acting_facilitator_id);
    const command = toCommand(action, actor.personId, this.now().toISOString(), full);
    await this.deps.proposals.execute(proposalId, command, { meetingId, ...(idempotencyKey ? { idempotencyKey } : {}) });
  }

  /**
   * Typing for someone else is for people in the room without a device: allowed for a person the
   * facilitator added as such, or for one with no live session; never, while they are connected,
   * to settle their own objection. The record keeps who typed (the event's actor) and for whom.
   */
  private async behalfRefusal(meetingId: string, personId: string, action: ActionName): Promise<OnBehalfRefused | null> {
    const [member, connected] = await Promise.all([meetings.findMembership(this.deps.db, meetingId, personId), hasLiveSession(this.deps.db, personId, this.deps.idleMinutes ?? 120)]);
    if (!connected) return null;
    const ownObjection = OWN_OBJECTION.has(action);
    if (member && !member.hasDevice && !ownObjection) return null;
    const name = (await findPersonName(this.deps.db, personId)) ?? '—';
    return new OnBehalfRefused(ownObjection ? 'live.errors.behalf_own_objection' : 'live.errors.behalf_connected', name);
  }

  /** A member drafts a proposal for the meeting's agenda (`revises`: the decision it revises, from the register's « Réviser »). */
  async draft(actor: Actor, meetingId: string, input: { title: string; tension: string; text: string; criteria: string; reviewDate: string | null; validitySet: 'holacracy' | 's3' | 'importante_argumentee'; revises?: string }): Promise<string> {
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
    await this.facts(actor, meetingId);
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
