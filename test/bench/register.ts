/**
 * The register on a large generated set: search p95 and page p95 through the service, each next
 * to the bare SQL query measured in the same run; the EXPLAIN ANALYZE of the main queries is
 * saved under bench/. BENCH_DECISIONS sets the size (2 000 by default: the generation takes about a minute per thousand on a loaded 2-core machine).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompiledQuery, sql } from 'kysely';
import type { Database } from '../../src/db/database.ts';
import { registerPage } from '../../src/register/register.service.ts';
import { compileDecisionsQuery } from '../../src/register/register.repository.ts';
import { decodeCursor, EMPTY_FILTERS, toPrefixQuery } from '../../src/register/search.ts';
import type { Actor } from '../../src/accounts/policy.ts';
import { seedLarge } from './large.ts';
import { gather, row, show, stats } from './stats.ts';
import type { Section } from './results.ts';

const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 2000);
const QUERIES = ['eau', 'déchets collecte', 'cantine', 'préoccupation', 'energie', 'vélo quartier', 'formation agents', 'budget', 'patrimoine', 'sante'];
const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench');

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** One repetition: every search word, then the first ten pages, `rounds` times; each figure next to its bare SQL. */
async function repetition(db: Database['db'], reader: Actor, rounds: number): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = { search: [], searchBare: [], page: [], pageBare: [] };
  for (let round = 0; round < rounds; round++) {
    for (const q of QUERIES) {
      out.search!.push(await time(() => registerPage(db, reader, { ...EMPTY_FILTERS, q })));
      const tsq = toPrefixQuery(q)!;
      out.searchBare!.push(
        await time(() =>
          sql`select proposal_id from register_documents where search @@ to_tsquery('french_unaccent', ${tsq}) order by ts_rank(search, to_tsquery('french_unaccent', ${tsq})) desc limit 26`.execute(
            db,
          ),
        ),
      );
    }
    // the first ten pages, newest first, following the keyset cursor
    let next: string | null = null;
    let after: { closedAt: string; id: string } | null = null;
    for (let p = 0; p < 10; p++) {
      const filters = { ...EMPTY_FILTERS, after: next ? decodeCursor(next) : null };
      let result: Awaited<ReturnType<typeof registerPage>> | null = null;
      out.page!.push(await time(async () => (result = await registerPage(db, reader, filters))));
      next = result!.next;
      const cursor: { closedAt: string; id: string } | null = after;
      const bare = () =>
        sql<{
          id: string;
          k: string;
        }>`select id, closed_at::text as k from proposals where stage in ('adopted', 'withdrawn', 'postponed') ${cursor ? sql`and (closed_at, id) < (${cursor.closedAt}::timestamptz, ${cursor.id}::uuid)` : sql``} order by closed_at desc, id desc limit 26`.execute(
          db,
        );
      let rows: { id: string; k: string }[] = [];
      out.pageBare!.push(await time(async () => (rows = (await bare()).rows)));
      const last: { id: string; k: string } | undefined = rows[24];
      after = last ? { closedAt: last.k, id: last.id } : null;
      if (!next) break;
    }
  }
  return out;
}

export async function benchRegister(database: Database, label: string, reps = 3): Promise<Section> {
  const db = database.db;
  const t0 = performance.now();
  // a database that already holds the register (npm run seed:large, then BENCH_REUSE=true) is measured as it is
  const present = Number((await sql<{ n: number }>`select count(*)::int as n from register_documents`.execute(db)).rows[0]!.n);
  let seeded: string;
  if (process.env.BENCH_REUSE === 'true' && present >= DECISIONS) {
    console.log(`\n${label}: register of ${present} decisions already there (BENCH_REUSE)`);
    seeded = `${present} decisions already there (npm run seed:large)`;
  } else {
    const events = await seedLarge(db, DECISIONS, { parallel: database.kind === 'postgres' ? 2 : 1 });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`\n${label}: register of ${DECISIONS} decisions (${events} events) generated in ${seconds.toFixed(1)} s`);
    seeded = `${DECISIONS} decisions (${events} events) generated in ${seconds.toFixed(0)} s`;
  }
  await sql`analyze`.execute(db);
  const reader: Actor = { kind: 'account', personId: '00000000-0000-4000-8000-000000000000', role: 'observer', displayName: 'Bench' };

  // warm-up, not counted: the pool's connections, the caches
  await repetition(db, reader, 1);
  const runs: Record<string, number>[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const r = await repetition(db, reader, 3);
    console.log(row(`rep ${rep + 1}: register search (registerPage, q=…)`, stats(r.search!)));
    console.log(row(`rep ${rep + 1}: baseline: bare full-text SQL`, stats(r.searchBare!)));
    console.log(row(`rep ${rep + 1}: register page (registerPage, keyset)`, stats(r.page!)));
    console.log(row(`rep ${rep + 1}: baseline: bare keyset SQL`, stats(r.pageBare!)));
    const figures: Record<string, number> = {};
    for (const [key, samples] of Object.entries(r)) {
      const s = stats(samples);
      figures[`${key}.p50`] = s.p50;
      figures[`${key}.p95`] = s.p95;
    }
    runs.push(figures);
  }
  const g = gather(runs);
  const ms = (key: string) => `${show(g[`${key}.p50`]!, 1, ' ms')} / ${show(g[`${key}.p95`]!, 1, ' ms')}`;
  const searchMet = g['search.p95']!.median <= 50;
  const pageMet = g['page.p95']!.median <= 30;
  await fs.mkdir(OUT, { recursive: true });
  const explain = async (name: string, filters: typeof EMPTY_FILTERS) => {
    const compiled = compileDecisionsQuery(db, filters, { today: '2026-11-26', limit: 26 });
    const plan = await db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain (analyze, buffers) ${compiled.sql}`, [...compiled.parameters]));
    const text = [`-- ${label}, ${DECISIONS} decisions, ${new Date().toISOString()}`, compiled.sql, '', ...plan.rows.map((r) => r['QUERY PLAN'])].join('\n');
    await fs.writeFile(path.join(OUT, `${name}.txt`), `${text}\n`);
  };
  const slug = label.includes('PGlite') ? 'pglite' : 'postgresql';
  await explain(`explain-register-page-${slug}`, EMPTY_FILTERS);
  await explain(`explain-register-search-${slug}`, { ...EMPTY_FILTERS, q: 'déchets collecte' });
  console.log(`EXPLAIN ANALYZE saved in bench/explain-register-{page,search}-${slug}.txt`);
  return {
    part: 'register',
    title: `The decision register at ${present >= DECISIONS && process.env.BENCH_REUSE === 'true' ? present : DECISIONS} decisions`,
    rows: [
      {
        figure: 'search, one page with excerpts (registerPage): p50 / p95',
        value: ms('search'),
        baseline: `bare full-text SQL (match, rank all, 26 ids): ${ms('searchBare')}`,
        ratio: (g['search.p95']!.median / g['searchBare.p95']!.median).toFixed(2),
        goal: 'p95 ≤ 50 ms',
        met: searchMet,
      },
      {
        figure: 'register page, keyset (registerPage): p50 / p95',
        value: ms('page'),
        baseline: `bare keyset SQL on proposals (26 ids): ${ms('pageBare')}`,
        ratio: (g['page.p95']!.median / g['pageBare.p95']!.median).toFixed(2),
        goal: 'p95 ≤ 30 ms',
        met: pageMet,
      },
    ],
    how: `In process, through the service (registerPage: the page, its circles, excerpts when searching), ${label}; ${seeded}. Each repetition: the ${QUERIES.length} search words (${QUERIES.join(', ')}) three times, and the first ten pages newest first three times, after one uncounted warm-up round. The EXPLAIN ANALYZE of both queries is in bench/explain-register-{page,search}-*.txt.`,
  };
}
