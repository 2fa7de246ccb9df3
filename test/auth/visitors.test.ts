import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { anonymous, csrfOf, PASSWORD, seedAccount, signIn } from '../helpers/auth.ts';
import { pruneExpired } from '../../src/accounts/sessions.ts';
import { sha256 } from '../../src/accounts/crypto.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});

const countSessions = async (): Promise<number> => Number((await sql<{ n: number }>`select count(*)::int as n from sessions`.execute(database.db)).rows[0]!.n);

describe('visitors get a signed CSRF token, not a session row', () => {
  it('when anonymous visitors open the sign-in and join pages 200 times, then no session is stored', async () => {
    const app = buildApp(database);
    const before = await countSessions();
    for (let i = 0; i < 100; i++) {
      const path = i % 2 ? '/connexion' : '/rejoindre';
      const res = await request(app).get(path).expect(200);
      expect(csrfOf(res.text)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await request(app).get('/rejoindre/ABCDEF').expect(200);
    }
    expect(await countSessions()).toBe(before);
  });

  it('when a visitor signs in with the token of their page, then one session is stored and the visitor cookie is cleared', async () => {
    const app = buildApp(database);
    const member = await seedAccount(database.db, 'member');
    const anon = await anonymous(app);
    expect(anon.cookie).toMatch(/^so_visitor=[A-Za-z0-9_-]{43}$/);
    const before = await countSessions();
    const res = await anon.agent.post('/connexion').type('form').send({ _csrf: anon.csrf, email: member.email, password: PASSWORD }).expect(303);
    expect(String(res.headers['set-cookie'])).toMatch(/so_visitor=;/);
    expect(await countSessions()).toBe(before + 1);
  });

  it('when a visitor posts with the token of another visitor, then it is refused', async () => {
    const app = buildApp(database);
    const member = await seedAccount(database.db, 'member');
    const first = await anonymous(app);
    const second = await anonymous(app);
    expect(second.csrf).not.toBe(first.csrf);
    await first.agent.post('/connexion').type('form').send({ _csrf: second.csrf, email: member.email, password: PASSWORD }).expect(403);
  });

  it('when the page comes from one app instance and the form goes to another, then the token is accepted (the secret is shared through the database)', async () => {
    const one = buildApp(database);
    const other = buildApp(database);
    const member = await seedAccount(database.db, 'member');
    const page = await request(one).get('/connexion').expect(200);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    await request(other)
      .post('/connexion')
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrfOf(page.text), email: member.email, password: PASSWORD })
      .expect(303);
  });

  it('when a visitor joins a meeting, then the visitor token works there too', async () => {
    const app = buildApp(database);
    const agent = request.agent(app);
    const page = await agent.get('/rejoindre').expect(200);
    const res = await agent
      .post('/rejoindre')
      .type('form')
      .send({ _csrf: csrfOf(page.text), code: 'ZZZZZZ', displayName: 'Camille' });
    expect(res.status).toBe(404); // refused for the code, not for the token
  });
});

describe('pruning expired sessions and failures', () => {
  it('when pruneExpired runs, then sessions idle too long and failures older than the window go, the others stay', async () => {
    const app = buildApp(database);
    const member = await seedAccount(database.db, 'member');
    const fresh = await signIn(app, member.email);
    const stale = await signIn(app, member.email);
    const staleHash = sha256(stale.cookie.split('=')[1]!);
    await database.db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - 121 * 60_000) })
      .where('id_hash', '=', staleHash)
      .execute();
    await database.db
      .insertInto('sign_in_failures')
      .values([
        { email: 'old@test.local', address: '192.0.2.1', failed_at: new Date(Date.now() - 16 * 60_000) },
        { email: 'new@test.local', address: '192.0.2.1' },
      ])
      .execute();

    await pruneExpired(database.db, 120, 15);

    const hashes = (await database.db.selectFrom('sessions').select('id_hash').execute()).map((r) => r.id_hash);
    expect(hashes).not.toContain(staleHash);
    expect(hashes).toContain(sha256(fresh.cookie.split('=')[1]!));
    const emails = (await database.db.selectFrom('sign_in_failures').select('email').execute()).map((r) => r.email);
    expect(emails).toContain('new@test.local');
    expect(emails).not.toContain('old@test.local');
  });
});
