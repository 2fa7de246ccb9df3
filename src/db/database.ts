/** The one Kysely instance: a pg pool to PostgreSQL, or the embedded PGlite through its node-postgres adapter. */
import fs from 'node:fs/promises';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import type { DB } from './schema.ts';
import { PreparingClient } from './prepared.ts';

// Timestamps are exchanged as ISO strings and bigint ids as JS numbers on both databases,
// so the embedded and the server paths return identical rows.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// A calendar date (a review date, a follow-up date) is a day, not an instant: keep 'YYYY-MM-DD'.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type DatabaseKind = 'postgres' | 'pglite';

/** How long a request waits for a connection to the server, then for a query, before it fails. */
export const CONNECT_TIMEOUT_MS = 5_000;
export const QUERY_TIMEOUT_MS = 15_000;

// SQLSTATE classes and codes that mean "the server is not there right now", not "the query is wrong".
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Whether an error says the database cannot be reached (stopped, restarting, failing over, out of
 * connections), as opposed to a fault of the query: those become a 503, the others stay a 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_ERRNO.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08'))) return true;
  if (/^Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/.test(error.message))
    return true;
  return error instanceof AggregateError && error.errors.some(isDatabaseUnavailable);
}

export interface Database {
  readonly db: Kysely<DB>;
  readonly kind: DatabaseKind;
  /** The embedded instance, for LISTEN/NOTIFY; null on a PostgreSQL server. */
  readonly pglite: PGlite | null;
  /** The connection string, for dedicated connections (LISTEN); null when embedded. */
  readonly url: string | null;
  /** Answers true when a trivial query succeeds. */
  ping(): Promise<boolean>;
  /** Closes the pool and, when embedded, shuts PGlite down cleanly so its folder stays sound. */
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | null;
  pgliteDir: string;
  poolSize?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      Client: PreparingClient,
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // A server that does not answer (stopped, failing over, cut off) is an error after these
      // delays, never a request that hangs: the visitor gets the 503 page and may try again.
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
    });
    // An idle client that loses its server must not crash the process; the next query reports it.
    pool.on('error', () => {});
    return wrap(new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), 'postgres', null, options.databaseUrl);
  }
  const inMemory = options.pgliteDir.startsWith('memory://');
  if (!inMemory) await fs.mkdir(options.pgliteDir, { recursive: true });
  // unaccent: the decision register searches French without regard to accents (migration 0005)
  const pglite = await PGlite.create(options.pgliteDir, { extensions: { unaccent } });
  const pool = new pg.Pool({ ...createPgConfig(pglite), Client: PreparingClient, max: 1 });
  const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return wrap(kysely, 'pglite', pglite, null);
}

function wrap(db: Kysely<DB>, kind: DatabaseKind, pglite: PGlite | null, url: string | null): Database {
  let closed = false;
  return {
    db,
    kind,
    pglite,
    url,
    async ping() {
      if (closed) return false;
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      if (pglite && !pglite.closed) await pglite.close();
    },
  };
}
