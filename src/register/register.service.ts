/** The decision register, as elected officials read it: authorise, query, map rows to what the pages show. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { authorize, type Actor } from '../accounts/policy.ts';
import { HIT_END, HIT_START, listCircles, listDecisions, RANKED_MATCHES, type DecisionRow } from './register.repository.ts';
import { encodeCursor, type RegisterFilters } from './search.ts';
import { parisToday } from '../i18n/dates.ts';

export const PAGE_SIZE = 25;

export type DecisionOutcome = 'adopted' | 'withdrawn' | 'postponed';
export type ReviewState = 'upcoming' | 'overdue' | null;

/** A piece of a search snippet: `hit` pieces are the words that matched. */
export interface SnippetPart {
  text: string;
  hit: boolean;
}

export interface DecisionSummary {
  id: string;
  title: string;
  outcome: DecisionOutcome;
  closedAt: Date;
  reviewDate: string | null;
  reviewState: ReviewState;
  circleName: string | null;
  meetingTitle: string | null;
  objectionCount: number;
  snippet: SnippetPart[] | null;
  publishedAt: Date | null;
}

export interface RegisterPage {
  decisions: DecisionSummary[];
  circles: { id: string; name: string }[];
  /** the cursor of the next page, or null on the last one */
  next: string | null;
  /** searching: more matches than the RANKED_MATCHES newest, which alone are ranked and listed */
  moreMatches: number | null;
}

/** Splits ts_headline's output on its private marks; the text itself is escaped by the view. */
export function snippetParts(headline: string | null): SnippetPart[] | null {
  if (!headline) return null;
  const parts: SnippetPart[] = [];
  for (const piece of headline.split(HIT_START)) {
    const end = piece.indexOf(HIT_END);
    if (end < 0) {
      if (piece) parts.push({ text: piece, hit: false });
      continue;
    }
    parts.push({ text: piece.slice(0, end), hit: true });
    const rest = piece.slice(end + 1).replaceAll(HIT_END, '');
    if (rest) parts.push({ text: rest, hit: false });
  }
  return parts;
}

export function reviewState(stage: string, reviewDate: string | null, today: string): ReviewState {
  if (stage !== 'adopted' || !reviewDate) return null;
  return reviewDate >= today ? 'upcoming' : 'overdue';
}

export function toSummary(row: DecisionRow, today: string): DecisionSummary {
  return {
    id: row.id,
    title: row.title,
    outcome: row.stage as DecisionOutcome,
    closedAt: new Date(row.closed_at),
    reviewDate: row.review_date,
    reviewState: reviewState(row.stage, row.review_date, today),
    circleName: row.circle_name,
    meetingTitle: row.meeting_title,
    objectionCount: row.objection_count,
    snippet: snippetParts(row.snippet),
    publishedAt: row.published_at ? new Date(row.published_at) : null,
  };
}

/** Which register: the whole one (accounts), or its published decisions (anyone, /decisions-publiques). */
export interface Scope {
  publishedOnly?: boolean;
}

/** Authorises the actor for the scope. */
export function authorizeScope(actor: Actor, scope: Scope): void {
  authorize(actor, { type: scope.publishedOnly ? 'register.read_published' : 'register.read' });
}

/** One page of the register. */
export async function registerPage(
  db: Kysely<DB>,
  actor: Actor,
  filters: RegisterFilters,
  options: { now?: Date; pageSize?: number; rankedMatches?: number } & Scope = {},
): Promise<RegisterPage> {
  authorizeScope(actor, options);
  const today = parisToday(options.now ?? new Date());
  const size = options.pageSize ?? PAGE_SIZE;
  const rankedMatches = options.rankedMatches ?? RANKED_MATCHES;
  const rows = await listDecisions(db, filters, { today, limit: size + 1, publishedOnly: options.publishedOnly ?? false, rankedMatches });
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  const next = rows.length > size && last ? encodeCursor({ closedAt: last.closed_key, id: last.id, ...(last.rank_key ? { rank: last.rank_key } : {}) }) : null;
  return { decisions: page.map((r) => toSummary(r, today)), circles: await listCircles(db), next, moreMatches: rows[0]?.more ? rankedMatches : null };
}
