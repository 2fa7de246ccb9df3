/** What the relevé de séance and the follow-ups read about a meeting's items: the only SQL about them. */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export interface SeanceItemRow {
  id: string;
  title: string;
  stage: string;
  proposerId: string;
  reviewDate: string | null;
}

/** The meeting's agenda, in the order a dot vote stored, then as items were put on it. */
export async function seanceItems(db: Kysely<DB>, meetingId: string): Promise<SeanceItemRow[]> {
  const rows = await db
    .selectFrom('proposals')
    .leftJoin('agenda_order', 'agenda_order.proposal_id', 'proposals.id')
    .select(['proposals.id', 'proposals.title', 'proposals.stage', 'proposals.proposer_id', 'proposals.review_date'])
    .where('proposals.meeting_id', '=', meetingId)
    .orderBy(sql`agenda_order.rank asc nulls last`)
    .orderBy('proposals.created_at')
    .orderBy('proposals.id')
    .execute();
  return rows.map((r) => ({ id: r.id, title: r.title, stage: r.stage, proposerId: r.proposer_id, reviewDate: r.review_date }));
}

/** Everyone who took a turn, or had one recorded for them, in any round of the meeting's items. */
export async function seanceSpeakers(db: Kysely<DB>, meetingId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('contributions')
    .innerJoin('proposals', 'proposals.id', 'contributions.proposal_id')
    .select('contributions.person_id')
    .distinct()
    .where('proposals.meeting_id', '=', meetingId)
    .execute();
  return rows.map((r) => r.person_id);
}

export interface DeferredObjectionRow {
  proposalId: string;
  proposalTitle: string;
  objectionId: string;
  objectorId: string;
  reasoning: string;
  followUpDate: string | null;
  decidedAt: Date | null;
}

/** Objections of the meeting's items that were deferred, soonest follow-up first. */
export async function deferredObjections(db: Kysely<DB>, meetingId: string): Promise<DeferredObjectionRow[]> {
  const rows = await db
    .selectFrom('objections')
    .innerJoin('proposals', 'proposals.id', 'objections.proposal_id')
    .select([
      'proposals.id as proposal_id',
      'proposals.title',
      'objections.id',
      'objections.objector_id',
      'objections.reasoning',
      'objections.follow_up_date',
      'objections.decided_at',
    ])
    .where('proposals.meeting_id', '=', meetingId)
    .where('objections.outcome', '=', 'deferred')
    .orderBy('objections.follow_up_date')
    .orderBy('objections.raised_at')
    .execute();
  return rows.map((r) => ({
    proposalId: r.proposal_id,
    proposalTitle: r.title,
    objectionId: r.id,
    objectorId: r.objector_id,
    reasoning: r.reasoning,
    followUpDate: r.follow_up_date,
    decidedAt: r.decided_at,
  }));
}

export interface ConcernRow {
  proposalId: string;
  proposalTitle: string;
  personId: string;
  text: string;
  /** 'concern' as raised, or 'objection_not_valid': an objection ruled not valid, kept as a concern */
  source: 'concern' | 'objection_not_valid';
}

/** Concerns recorded on the meeting's adopted items, and objections ruled not valid, kept as concerns. */
export async function concernsToRevisit(db: Kysely<DB>, meetingId: string): Promise<ConcernRow[]> {
  const [concerns, notValid] = await Promise.all([
    db
      .selectFrom('contributions')
      .innerJoin('proposals', 'proposals.id', 'contributions.proposal_id')
      .select(['proposals.id', 'proposals.title', 'proposals.created_at', 'contributions.person_id', 'contributions.body', 'contributions.event_seq'])
      .where('proposals.meeting_id', '=', meetingId)
      .where('proposals.stage', '=', 'adopted')
      .where('contributions.kind', '=', 'concern')
      .execute(),
    db
      .selectFrom('objections')
      .innerJoin('proposals', 'proposals.id', 'objections.proposal_id')
      .select(['proposals.id', 'proposals.title', 'proposals.created_at', 'objections.objector_id', 'objections.reasoning', 'objections.raised_at'])
      .where('proposals.meeting_id', '=', meetingId)
      .where('proposals.stage', '=', 'adopted')
      .where('objections.outcome', '=', 'not_valid')
      .execute(),
  ]);
  const all = [
    ...concerns.map((c) => ({
      item: Number(c.created_at),
      at: c.event_seq,
      row: { proposalId: c.id, proposalTitle: c.title, personId: c.person_id, text: c.body ?? '', source: 'concern' as const },
    })),
    ...notValid.map((o) => ({
      item: Number(o.created_at),
      at: Number(o.raised_at),
      row: { proposalId: o.id, proposalTitle: o.title, personId: o.objector_id, text: o.reasoning, source: 'objection_not_valid' as const },
    })),
  ];
  // grouped by item in agenda order; within an item, concerns as raised, then objections kept as concerns
  const rank = (x: (typeof all)[number]) => (x.row.source === 'concern' ? 0 : 1);
  return all.sort((a, b) => a.item - b.item || a.row.proposalId.localeCompare(b.row.proposalId) || rank(a) - rank(b) || a.at - b.at).map((x) => x.row);
}
