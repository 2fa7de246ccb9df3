/**
 * Two entries of a séance that are one person (a guest who joined twice from two devices, or a
 * guest who is also a member): the facilitator merges the guest entry into the one kept. The
 * hash-chained log is never rewritten: the removed entry keeps its turns, questions, reactions and
 * objections under its own id, and an audited row (`meeting_merges`) makes it an alias of the
 * person kept, through which names are read everywhere (live views, register, relevé). What is
 * not in the log follows the person kept: presence, the device's sessions, the dots (within one
 * allowance). One transaction; the views are told after it commits.
 */
import type { Kysely } from 'kysely';
import type { DB, Executor } from '../db/schema.ts';
import { openRound } from '../consent/index.ts';
import { AccessDenied, authorize, type Actor } from '../accounts/policy.ts';
import { deleteSessionsOf } from '../accounts/sessions.repository.ts';
import { HttpError } from '../http/errors.ts';
import { loadHead } from '../proposals/proposals.repository.ts';
import type { Publisher } from '../realtime/signals.ts';
import * as meetings from './meetings.repository.ts';
import * as dots from './dot-vote.repository.ts';
import * as repo from './merge.repository.ts';
import { loadMeetingFacts } from './meeting.facts.ts';
import { inProgress } from './seance.service.ts';

export type MergeRefusal = 'same' | 'not_in_seance' | 'not_guest' | 'closed' | 'both_in_round' | 'turn_to_come' | 'open_objection';

/** A merge refused, with the i18n key of the reason (`seance.merge.errors.*`); nothing was changed. */
export class MergeRefused extends HttpError {
  constructor(readonly refusal: MergeRefusal) {
    super(
      refusal === 'same' || refusal === 'not_in_seance' || refusal === 'not_guest' ? 422 : 409,
      'seance.merge.refused_title',
      `seance.merge.errors.${refusal}`,
    );
    this.name = 'MergeRefused';
  }
}

export interface MergeChoice {
  meeting: meetings.MeetingRow;
  /** the entry to merge (removed), and the entries it may be merged into */
  entry: meetings.MemberRow;
  others: meetings.MemberRow[];
}

export class MergeService {
  private readonly now: () => Date;
  constructor(private readonly deps: { db: Kysely<DB>; publisher?: Publisher; now?: () => Date }) {
    this.now = deps.now ?? (() => new Date());
  }

  /** What the facilitator chooses from: the guest entry to merge and every other entry of the séance. */
  async choices(actor: Actor, meetingId: string, mergedId: string): Promise<MergeChoice> {
    const { meeting, facts } = await loadMeetingFacts(this.deps.db, actor, meetingId);
    authorize(actor, { type: 'meeting.facilitate', meeting: facts });
    if (meeting.status === 'closed') throw new MergeRefused('closed');
    const members = await meetings.listMembers(this.deps.db, meetingId);
    const entry = members.find((m) => m.personId === mergedId);
    if (!entry) throw new MergeRefused('not_in_seance');
    if (!entry.isGuest) throw new MergeRefused('not_guest');
    return { meeting, entry, others: members.filter((m) => m.personId !== mergedId) };
  }

  /**
   * Merges the guest entry `merged` into `kept`. Refused, changing nothing, when: not whoever runs
   * the séance (403), the same entry, an entry not of this séance, a removed entry that is an
   * account, the séance closed, or when the round would break: both entries hold a place in a round
   * under way, or the removed one has yet to take its turn in it, or its objection is still being
   * handled (nobody could answer for it). Merge once that round or objection is over.
   */
  async merge(actor: Actor, meetingId: string, input: { merged: string; kept: string }): Promise<void> {
    const { facts } = await loadMeetingFacts(this.deps.db, actor, meetingId);
    authorize(actor, { type: 'meeting.facilitate', meeting: facts });
    if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
    if (input.merged === input.kept) throw new MergeRefused('same');
    await this.deps.db.transaction().execute(async (tx) => {
      const meeting = await meetings.findMeeting(tx, meetingId, { lock: true });
      if (!meeting) throw new AccessDenied('not_found');
      if (meeting.status === 'closed') throw new MergeRefused('closed');
      const entries = await repo.lockEntries(tx, meetingId, [input.merged, input.kept]);
      const merged = entries.find((e) => e.personId === input.merged);
      const kept = entries.find((e) => e.personId === input.kept);
      if (!merged || !kept) throw new MergeRefused('not_in_seance');
      if (!merged.isGuest) throw new MergeRefused('not_guest');
      await assertRoundHolds(tx, meetingId, merged.personId, kept.personId);

      await repo.insertMerge(tx, {
        meetingId,
        merged: merged.personId,
        kept: kept.personId,
        mergedName: merged.displayName,
        by: actor.personId,
        at: this.now(),
      });
      await repo.retireEntry(tx, meetingId, merged.personId);
      if (merged.present && !kept.present) await meetings.setPresent(tx, meetingId, kept.personId, true);
      if (merged.hasDevice && !kept.hasDevice) await repo.setHasDevice(tx, meetingId, kept.personId);
      // the device of the removed entry: still signed in as the guest kept; signed out when an account is kept
      if (kept.isGuest) await repo.moveGuestSessions(tx, meetingId, merged.personId, kept.personId);
      else await deleteSessionsOf(tx, merged.personId);
      await moveDots(tx, meetingId, merged.personId, kept.personId);
    });
    try {
      await this.deps.publisher?.publish({ name: 'meeting-changed', meetingId });
    } catch {
      // the merge is committed; views catch up on their next refresh
    }
  }
}

/** Refuses a merge that would break a round or leave an objection nobody can answer for. */
async function assertRoundHolds(tx: Executor, meetingId: string, merged: string, kept: string): Promise<void> {
  for (const item of await meetings.agendaStages(tx, meetingId)) {
    if (!inProgress(item.stage)) continue;
    const p = (await loadHead(tx, item.id))?.state;
    if (!p) continue;
    const round = openRound(p);
    if (round && round.turnIndex < round.order.length) {
      const at = round.order.indexOf(merged);
      if (at >= 0 && round.order.includes(kept)) throw new MergeRefused('both_in_round');
      if (at >= round.turnIndex) throw new MergeRefused('turn_to_come');
    }
    if (p.objections.some((o) => o.objectorId === merged && o.outcome === null)) throw new MergeRefused('open_objection');
  }
}

/** The removed entry's dots go to the person kept, as long as they stay within one person's allowance. */
async function moveDots(tx: Executor, meetingId: string, from: string, to: string): Promise<void> {
  const taken = await repo.takeDots(tx, meetingId, from);
  if (!taken.length) return;
  const allowance = (await dots.findDotVote(tx, meetingId))?.votesPerPerson ?? 0;
  let used = (await dots.listDots(tx, meetingId)).filter((d) => d.personId === to).reduce((a, d) => a + d.dots, 0);
  for (const t of taken) for (let i = 0; i < t.dots && used < allowance; i++, used++) await dots.addDot(tx, meetingId, to, t.proposalId);
}
