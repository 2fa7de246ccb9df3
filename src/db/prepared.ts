/**
 * Prepared statements for the few queries that run on every request (the session, the facts of a
 * command): PostgreSQL parses and plans them once per connection instead of at each call, which
 * cost more than running them (0.26 and 0.34 ms of planning against 0.05 and 0.23 ms of execution,
 * measured with pg_stat_statements under the write bench). Only marked queries are prepared: a
 * plan kept for every query would keep a generic plan where the data's shape matters (the
 * register's search).
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';

const MARK = '/* prepared */';

/** Appended to a query (`.modifyEnd(PREPARED)`): its statement is prepared once per connection. */
export const PREPARED = sql.raw(MARK);

/**
 * A pg client that names marked statements (by a digest of their text), so that pg prepares each
 * once per connection and then only binds and executes it. Anything else goes through as it is.
 */
export class PreparingClient extends pg.Client {
  // pg's overloads (text or config, values, callback) are passed through untouched
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const [text, values] = args as [unknown, unknown[] | undefined];
    if (args.length <= 2 && typeof text === 'string' && text.endsWith(MARK)) {
      const name = `so_${createHash('sha1').update(text).digest('base64url')}`;
      return super.query({ name, text, values });
    }
    return (super.query as (...a: unknown[]) => unknown)(...args);
  }
}
