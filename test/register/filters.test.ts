/**
 * The register reads its pages and ranks its searches on its documents alone (migration 0014):
 * the same decisions, in the same order, as the query it replaces, which joined every decided
 * proposal to its séance. Compared here on a generated register (the benchmarks' seeder) with
 * real séances in two circles, published decisions, a séance moved to another circle and one
 * turned into a training one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { decisionMaker, type DecisionMaker } from '../helpers/decisions.ts';
import { seedLarge } from '../bench/large.ts';
import { registerPage } from '../../src/register/register.service.ts';
import { decodeCursor, EMPTY_FILTERS, toPrefixQuery, type RegisterFilters } from '../../src/register/search.ts';
import { CurationService } from '../../src/register/curation.service.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import type { Actor } from '../../src/accounts/policy.ts';

const NOW = new Date('2026-11-26T10:00:00Z');
const TODAY = '2026-11-26';
let database: TestDatabase;
let town: DecisionMaker;
let schools: DecisionMaker;
let reader: Actor;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedLarge(database.db, 120, { chunk: 50, seed: 7 });
  town = await decisionMaker(database, { circleName: 'Direction générale' });
  schools = await decisionMaker(database, { circleName: 'Écoles', admin: town.admin });
  const practice = await decisionMaker(database, { circleName: 'Formation', admin: town.admin });
  const curation = new CurationService({ db: database.db, proposals: new ProposalService({ db: database.db }) });
  const waste = await town.decide({
    title: 'Collecte des déchets le samedi',
    text: 'La collecte des encombrants a lieu le premier samedi du mois.',
    objection: 'Les agents ne peuvent pas travailler tous les samedis.',
    concern: 'Ma préoccupation porte sur le bruit de la collecte.',
    reviewDate: '2025-06-30',
    at: '2025-01-10T09:00:00.000Z',
  });
  await town.decide({ title: 'Horaires de la médiathèque', text: 'Ouvrir le dimanche.', outcome: 'withdrawn', at: '2025-03-10T09:00:00.000Z' });
  const canteen = await schools.decide({
    title: 'Menus végétariens à la cantine',
    text: 'Un menu végétarien par semaine dans les écoles, avec la collecte des biodéchets.',
    reviewDate: '2027-01-31',
    at: '2025-02-10T09:00:00.000Z',
  });
  await schools.decide({ title: 'Piscine municipale', text: 'Fermer la piscine en août.', outcome: 'postponed', at: '2025-04-10T09:00:00.000Z' });
  await practice.decide({ title: 'Exercice de collecte', text: 'Un texte d’exercice sur la collecte.', at: '2025-05-10T09:00:00.000Z' });
  await curation.publish(town.admin.actor, waste);
  await curation.publish(town.admin.actor, canteen);
  // after the decisions: the documents follow their séance
  await database.db.updateTable('meetings').set({ is_training: true }).where('id', '=', practice.meetingId).execute();
  await database.db.updateTable('meetings').set({ circle_id: town.circleId }).where('id', '=', schools.meetingId).execute();
  reader = town.admin.actor;
}, 300_000);
afterAll(async () => {
  await database.dispose();
});

/** The query the register ran before migration 0014, on the proposals and their séances: every match, in order. */
async function formerIds(filters: RegisterFilters, publishedOnly = false): Promise<string[]> {
  const tsquery = toPrefixQuery(filters.q);
  const query = sql`to_tsquery('french_unaccent', ${tsquery})`;
  const where = [
    sql`p.stage in ('adopted', 'withdrawn', 'postponed')`,
    sql`coalesce(m.is_training, false) = false`,
    ...(publishedOnly ? [sql`p.published_at is not null`] : []),
    ...(filters.circleId ? [sql`m.circle_id = ${filters.circleId}`] : []),
    ...(filters.outcome ? [sql`p.stage = ${filters.outcome}`] : []),
    ...(filters.from ? [sql`p.closed_at >= (${filters.from}::date)::timestamp at time zone 'Europe/Paris'`] : []),
    ...(filters.to ? [sql`p.closed_at < (${filters.to}::date + 1)::timestamp at time zone 'Europe/Paris'`] : []),
    ...(filters.withObjections ? [sql`exists (select 1 from objections o where o.proposal_id = p.id)`] : []),
    ...(filters.review === 'upcoming' ? [sql`p.stage = 'adopted' and p.review_date >= ${TODAY}::date`] : []),
    ...(filters.review === 'overdue' ? [sql`p.stage = 'adopted' and p.review_date < ${TODAY}::date`] : []),
  ];
  const { rows } = tsquery
    ? await sql<{ id: string }>`
        select p.id from proposals p left join meetings m on m.id = p.meeting_id
          join (select proposal_id, ts_rank(search, ${query}) as rank from register_documents where search @@ ${query}) h on h.proposal_id = p.id
        where ${sql.join(where, sql` and `)} order by h.rank desc, p.closed_at desc, p.id desc`.execute(database.db)
    : await sql<{ id: string }>`
        select p.id from proposals p left join meetings m on m.id = p.meeting_id
        where ${sql.join(where, sql` and `)} order by p.closed_at desc, p.id desc`.execute(database.db);
  return rows.map((r) => r.id);
}

/** What the register lists now, page after page (7 a page, to cross several cursors). */
async function listedIds(filters: RegisterFilters, publishedOnly = false): Promise<string[]> {
  const ids: string[] = [];
  let after = null;
  for (let pages = 0; pages < 100; pages++) {
    const page = await registerPage(database.db, reader, { ...filters, after }, { now: NOW, pageSize: 7, publishedOnly });
    ids.push(...page.decisions.map((d) => d.id));
    if (!page.next) return ids;
    after = decodeCursor(page.next);
  }
  throw new Error('more than 100 pages');
}

const CASES: [string, Partial<RegisterFilters>][] = [
  ['no filter', {}],
  ['an outcome', { outcome: 'withdrawn' }],
  ['adopted', { outcome: 'adopted' }],
  ['a period', { from: '2025-01-01', to: '2025-12-31' }],
  ['with objections', { withObjections: true }],
  ['review overdue', { review: 'overdue' }],
  ['review upcoming', { review: 'upcoming' }],
  ['a search word', { q: 'collecte' }],
  ['two search words', { q: 'déchets collecte' }],
  ['a search word of the concerns, without its accents', { q: 'preoccupation' }],
  ['a search and an outcome and objections', { q: 'service', outcome: 'adopted', withObjections: true }],
  ['a search and a period', { q: 'cantine', from: '2024-06-01', to: '2025-12-31' }],
];

describe('the register on its documents alone, against the query it replaces', () => {
  it.each(CASES)('when filtered by %s, then it lists the same decisions in the same order', async (_name, partial) => {
    const filters = { ...EMPTY_FILTERS, ...partial };
    const former = await formerIds(filters);
    expect(former.length, 'the case selects something').toBeGreaterThan(0);
    expect(await listedIds(filters)).toEqual(former);
  });

  it('when filtered by circle, including a séance moved to another circle after its decisions, then the lists are the same', async () => {
    for (const circleId of [town.circleId, schools.circleId]) {
      const filters = { ...EMPTY_FILTERS, circleId };
      expect(await listedIds(filters)).toEqual(await formerIds(filters));
    }
    // the moved séance's four decisions are now in the town's circle, its own circle has none left
    expect((await listedIds({ ...EMPTY_FILTERS, circleId: town.circleId })).length).toBe(4);
    expect(await listedIds({ ...EMPTY_FILTERS, circleId: schools.circleId })).toEqual([]);
  });

  it('when a séance became a training one after its decision, then its decision is listed nowhere, as before', async () => {
    const exercise = await formerIds({ ...EMPTY_FILTERS, q: 'exercice' });
    expect(exercise).toEqual([]);
    expect(await listedIds({ ...EMPTY_FILTERS, q: 'exercice' })).toEqual([]);
  });

  it('when only published decisions are read (/decisions-publiques), then both lists are the two published ones', async () => {
    const former = await formerIds(EMPTY_FILTERS, true);
    expect(former).toHaveLength(2);
    expect(await listedIds(EMPTY_FILTERS, true)).toEqual(former);
    expect(await listedIds({ ...EMPTY_FILTERS, q: 'collecte' }, true)).toEqual(await formerIds({ ...EMPTY_FILTERS, q: 'collecte' }, true));
  });

  it('when a search matches more decisions than it ranks, then it ranks the newest ones and says there are more', async () => {
    const filters = { ...EMPTY_FILTERS, q: 'service' };
    const matches = await formerIds({ ...filters, q: '' });
    const all = await formerIds(filters);
    expect(all.length).toBeGreaterThan(5);
    const page = await registerPage(database.db, reader, filters, { now: NOW, pageSize: 25, rankedMatches: 5 });
    expect(page.moreMatches).toBe(5);
    // the five newest matches, best first
    const newest = matches.filter((id) => all.includes(id)).slice(0, 5);
    expect(page.decisions.map((d) => d.id)).toEqual(all.filter((id) => newest.includes(id)));
    expect(page.next).toBeNull();
    // with every match ranked, nothing is said
    expect((await registerPage(database.db, reader, filters, { now: NOW, pageSize: 25 })).moreMatches).toBeNull();
  });

  it('when a page is shown, then each decision counts its objections as the objections table does', async () => {
    const page = await registerPage(database.db, reader, { ...EMPTY_FILTERS, withObjections: true }, { now: NOW, pageSize: 50 });
    const { rows } = await sql<{ id: string; n: number }>`select proposal_id as id, count(*)::int as n from objections group by proposal_id`.execute(
      database.db,
    );
    const counts = new Map(rows.map((r) => [r.id, r.n]));
    expect(page.decisions.length).toBeGreaterThan(0);
    for (const d of page.decisions) expect(d.objectionCount, d.id).toBe(counts.get(d.id));
  });

  it('when the seeder wrote the documents in bulk, then they are exactly what the decision trigger writes', async () => {
    const snapshot = () =>
      sql<Record<string, unknown>>`
        select d.proposal_id, t.title, t.body, d.search::text as search, d.closed_at, d.stage, d.is_training, d.meeting_id, d.circle_id,
               d.published_at, d.review_date, d.objection_count
        from register_documents d join register_texts t using (proposal_id) order by d.proposal_id`.execute(database.db);
    const before = (await snapshot()).rows;
    // touching every decided proposal runs the deferred trigger of migration 0006 for each, at commit
    await database.db
      .transaction()
      .execute((trx) => sql`update proposals set updated_at = updated_at where stage in ('adopted', 'withdrawn', 'postponed')`.execute(trx));
    expect((await snapshot()).rows).toEqual(before);
    expect(before.length).toBe(125);
  });

  it('when a decision is recorded, then its text goes to the side table and its searched vector is made of that very text', async () => {
    // migration 0017: the documents keep the vector, register_texts the title and body the excerpts read
    const { rows } = await sql<{ documents: number; texts: number; out_of_step: number }>`
      select (select count(*)::int from register_documents) as documents,
             (select count(*)::int from register_texts) as texts,
             (select count(*)::int from register_documents d join register_texts t using (proposal_id)
               where d.search <> setweight(to_tsvector('french_unaccent', t.title), 'A') || setweight(to_tsvector('french_unaccent', t.body), 'B'))
               as out_of_step`.execute(database.db);
    expect(rows[0]).toEqual({ documents: 125, texts: 125, out_of_step: 0 });
    const waste = await sql<{ title: string; body: string }>`
      select t.title, t.body from register_texts t join proposals p on p.id = t.proposal_id where p.title = 'Collecte des déchets le samedi'`.execute(
      database.db,
    );
    expect(waste.rows[0]!.title).toBe('Collecte des déchets le samedi');
    expect(waste.rows[0]!.body).toContain('Ma préoccupation porte sur le bruit de la collecte.');
    // an excerpt is highlighted from that text
    const page = await registerPage(database.db, reader, { ...EMPTY_FILTERS, q: 'preoccupation bruit' }, { now: NOW });
    expect(page.decisions.map((d) => d.title)).toEqual(['Collecte des déchets le samedi']);
    expect(page.decisions[0]!.snippet).toContainEqual({ text: 'bruit', hit: true });
  });
});
