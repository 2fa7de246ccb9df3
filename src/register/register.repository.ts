/** The decision register's SQL: the list with its filters and full-text search, one decision, the exports. */
import { sql, type AliasedSelectQueryBuilder, type Kysely, type SqlBool } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { RegisterTables } from './schema.ts';
import { EMPTY_FILTERS, toPrefixQuery, type Cursor, type RegisterFilters } from './search.ts';

type RegisterDB = Kysely<DB & RegisterTables>;
const withRegister = (db: Kysely<DB>): RegisterDB => db.withTables<RegisterTables>();

export const TERMINAL_STAGES = ['adopted', 'withdrawn', 'postponed'] as const;

/** How many matches of a search are ranked by relevance: the newest ones; the list says when there are more. */
export const RANKED_MATCHES = 1000;

/** Marks around the words ts_headline found; private-use characters, turned into <mark> after escaping. */
export const HIT_START = '\uE000';
export const HIT_END = '\uE001';
const HEADLINE_OPTIONS = `StartSel=${HIT_START}, StopSel=${HIT_END}, MaxFragments=2, MaxWords=20, MinWords=8, FragmentDelimiter=" … "`;

export interface DecisionRow {
  id: string;
  title: string;
  stage: string;
  closed_at: Date;
  /** closed_at as PostgreSQL prints it: exact, for the page cursor */
  closed_key: string;
  review_date: string | null;
  criteria: string;
  tension: string;
  circle_id: string | null;
  circle_name: string | null;
  meeting_id: string | null;
  meeting_title: string | null;
  meeting_at: Date | null;
  proposer_id: string;
  current_version: number;
  objection_count: number;
  last_seq: number;
  last_hash: string;
  rank_key: string | null;
  snippet: string | null;
  published_at: Date | null;
  /** searching: more matches than RANKED_MATCHES, the oldest ones are not ranked */
  more?: boolean;
}

export interface ListOptions {
  /** today in Paris, 'YYYY-MM-DD': what « révision à venir / dépassée » compares to */
  today: string;
  limit: number;
  /** Only published decisions (/decisions-publiques). */
  publishedOnly?: boolean;
  /** false: every match newest first, without rank or highlighted excerpts (the exports). */
  ranked?: boolean;
  /** how many of the newest matches a search ranks (RANKED_MATCHES) */
  rankedMatches?: number;
}

/**
 * The register's documents matching the filters (everything but the search words and the page),
 * read from the documents alone: each carries what the filters and the order need (migration 0014),
 * so a page walks one index and a search ranks its matches without joining anything.
 */
function matchingDocuments(db: Kysely<DB>, filters: RegisterFilters, options: Pick<ListOptions, 'today' | 'publishedOnly'>) {
  // a training session's outcomes are exercises, not decisions
  let qb = withRegister(db).selectFrom('register_documents as d').where('d.is_training', '=', false);
  if (options.publishedOnly) qb = qb.where('d.published_at', 'is not', null);
  if (filters.circleId) qb = qb.where('d.circle_id', '=', filters.circleId);
  if (filters.outcome) qb = qb.where('d.stage', '=', filters.outcome);
  if (filters.from) qb = qb.where(sql<SqlBool>`d.closed_at >= (${filters.from}::date)::timestamp at time zone 'Europe/Paris'`);
  if (filters.to) qb = qb.where(sql<SqlBool>`d.closed_at < (${filters.to}::date + 1)::timestamp at time zone 'Europe/Paris'`);
  if (filters.withObjections) qb = qb.where('d.objection_count', '>', 0);
  if (filters.review === 'upcoming') qb = qb.where('d.stage', '=', 'adopted').where(sql<SqlBool>`d.review_date >= ${options.today}::date`);
  if (filters.review === 'overdue') qb = qb.where('d.stage', '=', 'adopted').where(sql<SqlBool>`d.review_date < ${options.today}::date`);
  return qb;
}

/** The chosen page of documents (`page`: id, closed_at, rank, objection_count, snippet) with what the list shows of each decision. */
function withDecisions(db: Kysely<DB>, page: AliasedSelectQueryBuilder<PageRow, 'page'>) {
  return withRegister(db)
    .selectFrom(page)
    .innerJoin('proposals as p', 'p.id', 'page.id')
    .leftJoin('meetings as m', 'm.id', 'p.meeting_id')
    .leftJoin('circles as c', 'c.id', 'm.circle_id')
    .select([
      'p.id',
      'p.title',
      'p.stage',
      'p.review_date',
      'p.criteria',
      'p.tension',
      'p.proposer_id',
      'p.current_version',
      'p.last_seq',
      'p.last_hash',
      'p.published_at',
      'c.id as circle_id',
      'c.name as circle_name',
      'm.id as meeting_id',
      'm.title as meeting_title',
      'm.scheduled_for as meeting_at',
      sql<Date>`page.closed_at`.as('closed_at'),
      sql<string>`page.closed_at::text`.as('closed_key'),
      sql<number>`page.objection_count`.as('objection_count'),
      sql<string | null>`page.rank_key`.as('rank_key'),
      sql<string | null>`page.snippet`.as('snippet'),
    ]);
}

interface PageRow {
  id: string;
  closed_at: Date;
  objection_count: number;
  rank_key: string | null;
  snippet: string | null;
}

const PAGE_COLUMNS = ['d.proposal_id as id', 'd.closed_at', 'd.objection_count'] as const;

function decisionsQuery(db: Kysely<DB>, filters: RegisterFilters, options: ListOptions) {
  const tsquery = toPrefixQuery(filters.q);
  const qb = matchingDocuments(db, filters, options);
  const after = filters.after;
  if (!tsquery) {
    const page = (after ? qb.where(sql<SqlBool>`(d.closed_at, d.proposal_id) < (${after.closedAt}::timestamptz, ${after.id}::uuid)`) : qb)
      .select([...PAGE_COLUMNS, sql<string | null>`null::text`.as('rank_key'), sql<string | null>`null::text`.as('snippet')])
      .orderBy(sql`d.closed_at desc, d.proposal_id desc`)
      .limit(options.limit);
    return withDecisions(db, page.as('page')).orderBy(sql`page.closed_at desc, page.id desc`);
  }
  const query = sql`to_tsquery('french_unaccent', ${tsquery})`;
  const matches = qb.where(sql<SqlBool>`d.search @@ ${query}`);
  if (options.ranked === false) {
    // the exports: every match, newest first
    const page = (after ? matches.where(sql<SqlBool>`(d.closed_at, d.proposal_id) < (${after.closedAt}::timestamptz, ${after.id}::uuid)`) : matches)
      .select([...PAGE_COLUMNS, sql<string | null>`null::text`.as('rank_key'), sql<string | null>`null::text`.as('snippet')])
      .orderBy(sql`d.closed_at desc, d.proposal_id desc`)
      .limit(options.limit);
    return withDecisions(db, page.as('page')).orderBy(sql`page.closed_at desc, page.id desc`);
  }
  // Searching: best match first, then newest; the rank travels in the cursor as text so it compares exactly.
  // Ranking reads each match's whole vector, so it is bounded: the matches are found by the index, the
  // newest RANKED_MATCHES of them are ranked, and the list says when there were more (a period or a
  // circle then narrows it). Each candidate brings its row's address (ctid, stable within the statement)
  // from the scan that found it, so its vector is read back with one page access instead of a walk down
  // the primary key. Only the rows shown get their excerpt highlighted: ts_headline reads and parses a
  // whole text (register_texts, migration 0017).
  const cap = options.rankedMatches ?? RANKED_MATCHES;
  const candidates = matches
    .select(['d.proposal_id as id', 'd.closed_at', 'd.objection_count', sql<string>`d.ctid`.as('row')])
    .orderBy(sql`d.closed_at desc, d.proposal_id desc`)
    .limit(cap + 1);
  const rankedMatches = withRegister(db)
    .with('candidates', () => candidates)
    .selectFrom((eb) =>
      eb
        .selectFrom('candidates')
        .selectAll()
        .orderBy(sql`closed_at desc, id desc`)
        .limit(cap)
        .as('c'),
    )
    .select([
      'c.id',
      'c.closed_at',
      'c.objection_count',
      sql<number>`ts_rank((select r.search from register_documents r where r.ctid = c.row), ${query})`.as('rank'),
      sql<boolean>`(select count(*) from candidates) > ${cap}`.as('more'),
    ]);
  let ranked = withRegister(db).selectFrom(rankedMatches.as('m')).selectAll('m');
  if (after?.rank) ranked = ranked.where(sql<SqlBool>`(m.rank, m.closed_at, m.id) < (${after.rank}::real, ${after.closedAt}::timestamptz, ${after.id}::uuid)`);
  else if (after) ranked = ranked.where(sql<SqlBool>`(m.closed_at, m.id) < (${after.closedAt}::timestamptz, ${after.id}::uuid)`);
  const limited = ranked.orderBy(sql`m.rank desc, m.closed_at desc, m.id desc`).limit(options.limit);
  const snippet = sql<
    string | null
  >`ts_headline('french_unaccent', (select t.body from register_texts t where t.proposal_id = ranked.id), ${query}, ${HEADLINE_OPTIONS})`;
  const page = withRegister(db)
    .selectFrom(limited.as('ranked'))
    .selectAll('ranked')
    .select([sql<string>`ranked.rank::text`.as('rank_key'), snippet.as('snippet')]);
  return withDecisions(db, page.as('page'))
    .select(sql<boolean>`page.more`.as('more'))
    .orderBy(sql`page.rank desc, page.closed_at desc, page.id desc`);
}

/** The SQL of one page, for EXPLAIN ANALYZE in the benchmarks (npm run bench). */
export function compileDecisionsQuery(db: Kysely<DB>, filters: RegisterFilters, options: ListOptions) {
  return decisionsQuery(db, filters, options).compile();
}

/** One page of decisions, newest first (best match first when searching). */
export async function listDecisions(db: Kysely<DB>, filters: RegisterFilters, options: ListOptions): Promise<DecisionRow[]> {
  return (await decisionsQuery(db, filters, options).execute()) as DecisionRow[];
}

export async function listCircles(db: Kysely<DB>): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('circles').select(['id', 'name']).orderBy('name').execute();
}

/** A decided proposal with its meeting and circle; null for an unknown or undecided one. */
export async function findDecision(db: Kysely<DB>, id: string, options: { publishedOnly?: boolean } = {}): Promise<DecisionRow | null> {
  const one = matchingDocuments(db, EMPTY_FILTERS, { today: '1970-01-01', ...options })
    .where('d.proposal_id', '=', id)
    .select([...PAGE_COLUMNS, sql<string | null>`null::text`.as('rank_key'), sql<string | null>`null::text`.as('snippet')]);
  const rows = await withDecisions(db, one.as('page')).execute();
  return (rows[0] as DecisionRow | undefined) ?? null;
}

export async function decisionVersions(db: Kysely<DB>, id: string) {
  return db.selectFrom('proposal_versions').selectAll().where('proposal_id', '=', id).orderBy('number').execute();
}

export async function decisionObjections(db: Kysely<DB>, id: string) {
  return db.selectFrom('objections').selectAll().where('proposal_id', '=', id).orderBy('raised_at').orderBy('id').execute();
}

export async function decisionContributions(db: Kysely<DB>, id: string) {
  return db.selectFrom('contributions').selectAll().where('proposal_id', '=', id).orderBy('event_seq').execute();
}

/** The events of the proposal's log the record reads: stage changes, confirmations, the adoption. */
export async function decisionEvents(db: Kysely<DB>, id: string) {
  return db
    .selectFrom('events')
    .select(['seq', 'type', 'data', 'actor_id', sql<string>`occurred_at::text`.as('occurred_at')])
    .where('stream_id', '=', id)
    .orderBy('seq')
    .execute();
}

/** Decisions matching the filters, one keyset page at a time (for the exports). */
export async function* decisionPages(db: Kysely<DB>, filters: RegisterFilters, options: ListOptions): AsyncGenerator<DecisionRow[]> {
  let after: Cursor | null = null;
  for (;;) {
    const rows = await listDecisions(db, { ...filters, after }, options);
    if (rows.length) yield rows;
    if (rows.length < options.limit) return;
    const last = rows[rows.length - 1]!;
    after = { closedAt: last.closed_key, id: last.id, ...(last.rank_key ? { rank: last.rank_key } : {}) };
  }
}
