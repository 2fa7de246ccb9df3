/** Test helpers for accounts and sessions: seeded accounts, signed-in agents, a fingerprint of the whole database. */
import type { Express } from 'express';
import request from 'supertest';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import type { AccountRole } from '../../src/db/schema-accounts.ts';
import { createAccount, createCircle } from '../../src/accounts/account.service.ts';
import { createMeeting } from '../../src/meetings/meeting.service.ts';
import type { Actor } from '../../src/accounts/policy.ts';

export const PASSWORD = 'un mot de passe assez long';

let counter = 0;
/** A unique suffix for names and emails made by one test file. */
export const unique = (): string => `${Date.now().toString(36)}${(counter++).toString(36)}`;

export interface SeededAccount {
  personId: string;
  email: string;
  role: AccountRole;
  actor: Actor;
}

export async function seedAccount(db: Kysely<DB>, role: AccountRole, options: { password?: string | null; name?: string } = {}): Promise<SeededAccount> {
  const email = `${role}-${unique()}@test.local`;
  const displayName = options.name ?? `${role} ${unique()}`;
  const password = options.password === undefined ? PASSWORD : options.password;
  const created = await createAccount(db, 'system', { email, displayName, role, password });
  if (!created.ok) throw new Error('account not created');
  return { personId: created.personId, email, role, actor: { kind: 'account', personId: created.personId, role, displayName } };
}

export async function seedCircle(db: Kysely<DB>, admin: Actor, name = `Cercle ${unique()}`): Promise<string> {
  const created = await createCircle(db, admin, { name, description: '' });
  if (!created.ok) throw new Error('circle not created');
  return created.id;
}

/** The one way tests create a meeting (through the real service): its id and join code. Each test seeds its own. */
export async function seedMeeting(db: Kysely<DB>, facilitator: Actor, circleId: string, title = `Séance ${unique()}`): Promise<{ id: string; code: string }> {
  const created = await createMeeting(db, facilitator, { circleId, title, scheduledFor: new Date('2026-03-14T09:30:00Z') });
  if (!created.ok) throw new Error('meeting not created');
  const row = await db.selectFrom('meetings').select('join_code').where('id', '=', created.id).executeTakeFirstOrThrow();
  return { id: created.id, code: row.join_code };
}

export type Agent = ReturnType<typeof request.agent>;

export function csrfOf(html: string): string {
  const match = /<meta name="csrf-token" content="([^"]+)">/.exec(html);
  if (!match) throw new Error('no csrf token in the page');
  return match[1]!;
}

export interface Session {
  agent: Agent;
  csrf: string;
  cookie: string;
}

function cookieOf(res: request.Response, name = 'so_session'): string {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  const found = (raw ?? []).find((c) => c.startsWith(`${name}=`));
  return found ? found.split(';')[0]! : '';
}

/** An anonymous visitor holding a visitor cookie and its signed CSRF token (as after opening the sign-in form). */
export async function anonymous(app: Express): Promise<Session> {
  const agent = request.agent(app);
  const res = await agent.get('/connexion').expect(200);
  return { agent, csrf: csrfOf(res.text), cookie: cookieOf(res, 'so_visitor') };
}

export async function signIn(app: Express, email: string, password = PASSWORD): Promise<Session> {
  const anon = await anonymous(app);
  const res = await anon.agent.post('/connexion').type('form').send({ _csrf: anon.csrf, email, password });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  const page = await anon.agent.get('/').expect(200);
  return { agent: anon.agent, csrf: csrfOf(page.text), cookie: cookieOf(res) };
}

/** Joins a meeting as a guest over HTTP; returns the session and the guest's person id. */
export async function joinAsGuest(app: Express, db: Kysely<DB>, code: string, displayName = `Invité ${unique()}`): Promise<Session & { personId: string }> {
  const agent = request.agent(app);
  const form = await agent.get('/rejoindre').expect(200);
  const res = await agent
    .post('/rejoindre')
    .type('form')
    .send({ _csrf: csrfOf(form.text), code, displayName });
  if (res.status !== 303) throw new Error(`join failed: ${res.status} ${res.text.slice(0, 200)}`);
  const page = await agent.get(res.headers.location!).expect(200);
  const person = await db.selectFrom('persons').select('id').where('display_name', '=', displayName).executeTakeFirstOrThrow();
  return { agent, csrf: csrfOf(page.text), cookie: cookieOf(res), personId: person.id };
}

/** A signed-in account joins a meeting with its code (the join form, as a member or an observer would). */
export async function joinWithAccount(session: Session, code: string): Promise<void> {
  const page = await session.agent.get(`/rejoindre/${code}`);
  await session.agent
    .post('/rejoindre')
    .type('form')
    .send({ _csrf: csrfOf(page.text), code })
    .expect(303);
}

/** What stands for a row of a table in its digest: the whole row, but a session without its last-seen time. */
function rowText(table: string) {
  return table === 'sessions' ? sql`t.id_hash || t.kind || coalesce(t.person_id::text, '') || coalesce(t.meeting_id::text, '') || t.csrf_token` : sql`t::text`;
}

/** The tables fingerprint() digests, read once per migrated database: information_schema took a quarter of each fingerprint. */
const tableLists = new WeakMap<Kysely<DB>, Promise<string[]>>();

function tablesOf(db: Kysely<DB>): Promise<string[]> {
  let names = tableLists.get(db);
  if (!names) {
    names = sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'kysely_%'
      order by table_name`
      .execute(db)
      .then((r) => {
        // a database not migrated yet is asked again next time
        if (r.rows.length === 0) tableLists.delete(db);
        return r.rows.map((row) => row.table_name);
      });
    tableLists.set(db, names);
  }
  return names;
}

/**
 * A digest of every table (sessions without their last-seen time): equal digests, unchanged database.
 * One statement for all the tables (the security matrix takes hundreds of them). A table's digest is
 * its count of rows and the sum of a 64-bit hash of each: an added, removed or changed row changes
 * it, and no sort is needed (sorting every row as text made each digest grow with the file's data).
 */
export async function fingerprint(db: Kysely<DB>): Promise<Record<string, string>> {
  const names = await tablesOf(db);
  if (names.length === 0) return {};
  const digests = sql.join(
    names.map((name) => sql`(select count(*) || ':' || coalesce(sum(hashtextextended(${rowText(name)}, 0)), 0) from ${sql.table(name)} t) as ${sql.ref(name)}`),
  );
  const row = (await sql<Record<string, string>>`select ${digests}`.execute(db)).rows[0]!;
  return Object.fromEntries(names.map((name) => [name, row[name]!]));
}
