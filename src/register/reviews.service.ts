/**
 * Reviews: the decisions whose review date is near or past, and « Réviser », which tables a new
 * proposal pre-filled with the adopted text and criteria, linked both ways to the decision it
 * revises (the link is in the new proposal's ProposalCreated event).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { authorize, type Actor } from '../accounts/policy.ts';
import type { LiveMeetingService } from '../meetings/live.service.ts';
import { notFound } from '../http/errors.ts';
import { parisToday } from '../i18n/dates.ts';
import { decisionContributions, decisionObjections, findDecision } from './register.repository.ts';
import { finalTexts } from './export.repository.ts';
import { meetingsForDraft, reviewsDue, type ReviewRow } from './reviews.repository.ts';

/** How far ahead « révision à venir » looks, in days. */
export const REVIEW_HORIZON_DAYS = 90;

export interface ReviewsPage {
  overdue: ReviewRow[];
  upcoming: ReviewRow[];
  today: string;
  until: string;
}

export async function reviewsPage(db: Kysely<DB>, actor: Actor, now = new Date()): Promise<ReviewsPage> {
  authorize(actor, { type: 'register.read' });
  const today = parisToday(now);
  const until = parisToday(new Date(now.getTime() + REVIEW_HORIZON_DAYS * 86_400_000));
  const rows = await reviewsDue(db, until, 500);
  return { overdue: rows.filter((r) => r.review_date < today), upcoming: rows.filter((r) => r.review_date >= today), today, until };
}

export interface DraftFields {
  title: string;
  tension: string;
  text: string;
  criteria: string;
  reviewDate: string | null;
  validitySet: 'holacracy' | 's3' | 'importante_argumentee';
}

export interface RevisionDraft {
  decision: { id: string; title: string; reviewDate: string | null; criteria: string; finalText: string; tension: string };
  /** what the decision's objections and concerns said, to keep in mind when revising */
  objections: { reasoning: string; outcome: string | null }[];
  concerns: string[];
  meetings: { id: string; title: string; scheduled_for: Date }[];
}

/** What « Réviser » starts from; null unless the decision exists and was adopted. */
export async function revisionDraft(db: Kysely<DB>, actor: Actor, id: string): Promise<RevisionDraft | null> {
  authorize(actor, { type: 'register.curate' });
  if (actor.kind !== 'account') return null;
  const row = await findDecision(db, id);
  if (!row || row.stage !== 'adopted') return null;
  const [texts, objections, contributions, meetings] = await Promise.all([
    finalTexts(db, [id]),
    decisionObjections(db, id),
    decisionContributions(db, id),
    meetingsForDraft(db, actor.personId, actor.role === 'admin'),
  ]);
  return {
    decision: { id, title: row.title, reviewDate: row.review_date, criteria: row.criteria, finalText: texts.get(id) ?? '', tension: row.tension },
    objections: objections.map((o) => ({ reasoning: o.reasoning, outcome: o.outcome })),
    concerns: contributions.filter((c) => c.kind === 'concern' && c.body).map((c) => c.body!),
    meetings,
  };
}

/** Tables the revision in a séance; returns the new proposal's id. The séance's own rules apply (live.draft). */
export async function revise(db: Kysely<DB>, live: LiveMeetingService, actor: Actor, id: string, meetingId: string, fields: DraftFields): Promise<string> {
  authorize(actor, { type: 'register.curate' });
  const row = await findDecision(db, id);
  if (!row || row.stage !== 'adopted') throw notFound();
  return live.draft(actor, meetingId, { ...fields, revises: id });
}
