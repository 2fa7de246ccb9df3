/**
 * Prepared statements for the few queries that run on every request (the session, the facts of a
 * command): PostgreSQL parses and plans them once per connection instead of at each call, which
 * cost more than running them (0.26 and 0.34 ms of planning against 0.05 and 0.23 ms of execution,
 * measured with pg_stat_statements under the write bench). Only marked queries are prepared: a
 * plan kept for every query would keep a generic plan where the data's shape matters (the
 * register's search).
 */
import { createHash } from 'node:crypto';
import { CompiledQuery, sql, type Compilable } from 'kysely';
import pg from 'pg';
import type { Executor } from './schema.ts';

const MARK = '/* prepared */';
const SHAPE_MARK = '/* prepared shape */';

/** Appended to a query (`.modifyEnd(PREPARED)`): its statement is prepared once per connection. */
export const PREPARED = sql.raw(MARK);

/**
 * Appended to a statement whose text varies with its data (a write of as many rows as events,
 * say): prepared like PREPARED, but only once its text has come SHAPE_USES times on a connection,
 * and for no more than SHAPES_KEPT texts per connection, so that what each keeps stays bounded
 * and a text met once (a séance's first creation, the demo's history) is not kept at all. Planning
 * a contribution's write took 0.34 ms against 0.53 ms to run it (pg_stat_statements).
 */
export const PREPARED_SHAPE = sql.raw(SHAPE_MARK);
const SHAPE_USES = 3;
const SHAPES_KEPT = 32;

const statementName = (text: string) => `so_${createHash('sha1').update(text).digest('base64url')}`;

/**
 * A pg client that names marked statements (by a digest of their text), so that pg prepares each
 * once per connection and then only binds and executes it. Anything else goes through as it is.
 */
export class PreparingClient extends pg.Client {
  /** How often each PREPARED_SHAPE text came on this connection (by its statement name), until it is kept. */
  private readonly shapeUses = new Map<string, number>();
  private readonly shapesKept = new Set<string>();

  // pg's overloads (text or config, values, callback) are passed through untouched
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const [text, values] = args as [unknown, unknown[] | undefined];
    if (args.length <= 2 && typeof text === 'string') {
      if (text.endsWith(MARK)) return super.query({ name: statementName(text), text, values });
      if (text.endsWith(SHAPE_MARK)) {
        const name = statementName(text);
        if (this.keepShape(name)) return super.query({ name, text, values });
      }
    }
    return (super.query as (...a: unknown[]) => unknown)(...args);
  }

  /** Whether a statement marked PREPARED_SHAPE is to be prepared, counting this use. */
  private keepShape(name: string): boolean {
    if (this.shapesKept.has(name)) return true;
    if (this.shapesKept.size >= SHAPES_KEPT) return false;
    const uses = (this.shapeUses.get(name) ?? 0) + 1;
    if (uses < SHAPE_USES) {
      if (this.shapeUses.size >= 1000) this.shapeUses.clear();
      this.shapeUses.set(name, uses);
      return false;
    }
    this.shapeUses.delete(name);
    this.shapesKept.add(name);
    return true;
  }
}

/** A value a prepared query is given at each call. */
type Parameter = string | number | boolean | null;

const SENTINEL = '\u0000so-parameter-';

/**
 * A prepared query built and compiled by Kysely once, at its first call: later calls only bind
 * their values to the SQL it compiled (building and compiling the two queries of every
 * contribution cost about a tenth of the app's time in the write bench's profile). `build` must
 * use each value as a parameter, untransformed, and have one shape whatever the values: it is
 * compiled with placeholders, and refused at that first call if a placeholder went anywhere but
 * a parameter of its own.
 */
export function preparedQuery<A extends Parameter[], R>(build: (db: Executor, ...values: A) => Compilable<R>): (db: Executor, ...values: A) => Promise<R[]> {
  let compiled: { sql: string; bind: (values: A) => unknown[] } | null = null;
  return async (db, ...values) => {
    compiled ??= compileWithPlaceholders(db, build, values.length);
    const result = await db.executeQuery<R>(CompiledQuery.raw(compiled.sql, compiled.bind(values)) as CompiledQuery<R>);
    return result.rows;
  };
}

function compileWithPlaceholders<A extends Parameter[], R>(db: Executor, build: (db: Executor, ...values: A) => Compilable<R>, count: number) {
  const placeholders = Array.from({ length: count }, (_, i) => `${SENTINEL}${i}`) as A;
  const query = build(db, ...placeholders).compile();
  if (!query.sql.endsWith(MARK)) throw new TypeError('preparedQuery: the query must end with PREPARED');
  if (query.sql.includes(SENTINEL)) throw new TypeError('preparedQuery: a value was written into the SQL text');
  // each compiled parameter is either one of the values (by its placeholder) or a constant of the query
  const slots = query.parameters.map((p) => {
    if (typeof p !== 'string' || !p.includes(SENTINEL)) return { constant: p };
    const index = placeholders.indexOf(p as A[number]);
    if (index < 0) throw new TypeError('preparedQuery: a value was transformed before it became a parameter');
    return { index };
  });
  const used = new Set(slots.flatMap((s) => ('index' in s ? [s.index] : [])));
  if (used.size !== count) throw new TypeError('preparedQuery: every value must be a parameter');
  return { sql: query.sql, bind: (values: A) => slots.map((s) => ('index' in s ? values[s.index!] : s.constant)) };
}
