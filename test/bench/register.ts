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
import { row, stats } from './stats.ts';

const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 2000);
const QUERIES = ['eau', 'déchets collecte', 'cantine', 'préoccupation', 'energie', 'vélo quartier', 'formation agents', 'budget', 'patrimoine', 'sante'];
const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench');

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export async function benchRegister(database: Database, label: string): Promise<void> {
  const db = database.db;
  const t0 = performance.now();
  // a database that already holds the register (npm run seed:large, then BENCH_REUSE=true) is measured as it is
  const present = Number((await sql<{ n: number }>`select count(*)::int as n from register_documents`.execute(db)).rows[0]!.n);
  if (process.env.BENCH_REUSE === 'true' && present >= DECISIONS) {
    console.log(`\n${label}: register of ${present} decisions already there (BENCH_REUSE)`);
  } else {
    const events = await seedLarge(db, DECISIONS, { parallel: database.kind === 'postgres' ? 2 : 1 });
    console.log(`\n${label}: register of ${DECISIONS} decisions (${events} events) generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  await sql`analyze`.execute(db);
  const reader: Actor = { kind: 'account', personId: '00000000-0000-4000-8000-000000000000', role: 'observer', displayName: 'Bench' };

  const search: number[] = [];
  const searchBare: number[] = [];
  const page: number[] = [];
  const pageBare: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const q of QUERIES) {
      search.push(await time(() => registerPage(db, reader, { ...EMPTY_FILTERS, q })));
      const tsq = toPrefixQuery(q)!;
      searchBare.push(
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
      page.push(await time(async () => (result = await registerPage(db, reader, filters))));
      next = result!.next;
      const cursor: { closedAt: string; id: string } | null = after;
      const bare = await time(() =>
        cursor
          ? sql`select id, closed_at::text as k from proposals where stage in ('adopted', 'withdrawn', 'postponed') and (closed_at, id) < (${cursor.closedAt}::timestamptz, ${cursor.id}::uuid) order by closed_at desc, id desc limit 26`.execute(
              db,
            )
          : sql`select id, closed_at::text as k from proposals where stage in ('adopted', 'withdrawn', 'postponed') order by closed_at desc, id desc limit 26`.execute(
              db,
            ),
      );
      pageBare.push(bare);
      const rows: { id: string; k: string }[] = (
        await sql<{
          id: string;
          k: string;
        }>`select id, closed_at::text as k from proposals where stage in ('adopted', 'withdrawn', 'postponed') ${cursor ? sql`and (closed_at, id) < (${cursor.closedAt}::timestamptz, ${cursor.id}::uuid)` : sql``} order by closed_at desc, id desc limit 25`.execute(
          db,
        )
      ).rows;
      const last: { id: string; k: string } | undefined = rows[rows.length - 1];
      after = last ? { closedAt: last.k, id: last.id } : null;
      if (!next) break;
    }
  }
  console.log(row('register search (registerPage, q=…)', stats(search.slice(10))));
  console.log(row('baseline: bare full-text SQL', stats(searchBare.slice(10))));
  console.log(row('register page (registerPage, keyset)', stats(page.slice(10))));
  console.log(row('baseline: bare keyset SQL', stats(pageBare.slice(10))));

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
}
