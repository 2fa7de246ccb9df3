/**
 * The séance as a whole: it is planned (prévue), opened by its facilitator (ouverte, time
 * recorded), then closed (clôturée); once closed it accepts no command. At closing, its relevé
 * (minutes) and the facilitator's follow-ups are read from what the consent process stored.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AccessDenied, authorize, type Actor, type MeetingFacts } from '../accounts/policy.ts';
import * as meetings from './meetings.repository.ts';
import type { Publisher } from '../realtime/signals.ts';
import { HttpError } from '../http/errors.ts';

/**
 * A séance refused a change, with the i18n key of the reason (seance.errors.*): a 409 whose page
 * says why when a route does not show it in place.
 */
export class SeanceRefused extends HttpError {
  constructor(override readonly messageKey: `seance.errors.${'closed' | 'already_open' | 'not_open' | 'item_in_progress' | 'not_closed'}`) {
    super(409, 'seance.refused_title', messageKey);
    this.name = 'SeanceRefused';
  }
}

/** Stages in which an item is being processed: a séance does not close on one. */
const TERMINAL = new Set(['adopted', 'withdrawn', 'postponed']);
export const inProgress = (stage: string): boolean => stage !== 'draft' && !TERMINAL.has(stage);

/** Loads the meeting and the actor's place in it, and checks they may see it (404 otherwise). */
export async function seanceFacts(db: Kysely<DB>, actor: Actor, meetingId: string): Promise<{ meeting: meetings.MeetingRow; facts: MeetingFacts }> {
  if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
  const [meeting, membership] = await Promise.all([meetings.findMeeting(db, meetingId), meetings.findMembership(db, meetingId, actor.personId)]);
  if (!meeting) throw new AccessDenied('not_found');
  const facts: MeetingFacts = {
    id: meeting.id,
    facilitatorPersonId: meeting.facilitatorPersonId,
    secretaryPersonId: meeting.secretaryPersonId,
    actorRole: membership?.role ?? null,
  };
  authorize(actor, { type: 'meeting.view', meeting: facts });
  return { meeting, facts };
}

/** Refuses any change to a closed séance (read again: it may have closed since the page was loaded). */
export async function assertAcceptsCommands(db: Kysely<DB>, meetingId: string): Promise<void> {
  if ((await meetings.meetingStatus(db, meetingId)) === 'closed') throw new SeanceRefused('seance.errors.closed');
}

export class SeanceService {
  private readonly now: () => Date;
  constructor(private readonly deps: { db: Kysely<DB>; publisher?: Publisher; now?: () => Date }) {
    this.now = deps.now ?? (() => new Date());
  }

  /** The facilitator opens the séance: the time is recorded, and the place if given. */
  async open(actor: Actor, meetingId: string, place?: string): Promise<void> {
    const { meeting, facts } = await seanceFacts(this.deps.db, actor, meetingId);
    authorize(actor, { type: 'meeting.facilitate', meeting: facts });
    if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
    if (meeting.status === 'closed') throw new SeanceRefused('seance.errors.closed');
    if (!(await meetings.openMeeting(this.deps.db, meetingId, actor.personId, this.now(), place)))
      throw new SeanceRefused(meeting.status === 'open' ? 'seance.errors.already_open' : 'seance.errors.closed');
    await this.signal(meetingId);
  }

  /** The facilitator closes the séance; refused while an item is still being processed. */
  async close(actor: Actor, meetingId: string): Promise<void> {
    const { meeting, facts } = await seanceFacts(this.deps.db, actor, meetingId);
    authorize(actor, { type: 'meeting.facilitate', meeting: facts });
    if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
    if (meeting.status === 'closed') throw new SeanceRefused('seance.errors.closed');
    if (meeting.status !== 'open') throw new SeanceRefused('seance.errors.not_open');
    const agenda = await meetings.agendaStages(this.deps.db, meetingId);
    if (agenda.some((a) => inProgress(a.stage))) throw new SeanceRefused('seance.errors.item_in_progress');
    if (!(await meetings.closeMeeting(this.deps.db, meetingId, actor.personId, this.now()))) throw new SeanceRefused('seance.errors.closed');
    await this.signal(meetingId);
  }

  private async signal(meetingId: string): Promise<void> {
    try {
      await this.deps.publisher?.publish({ name: 'meeting-changed', meetingId });
    } catch {
      // the change is committed; views catch up on their next refresh
    }
  }
}
