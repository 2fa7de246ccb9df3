import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { anonymous, csrfOf, PASSWORD, seedAccount, signIn } from '../helpers/auth.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});

describe('sign-in and sessions', () => {
  it('when the right password is given, then a session cookie is set HttpOnly, SameSite=Lax, and the person is signed in', async () => {
    const app = buildApp(database);
    const member = await seedAccount(database.db, 'member', { name: 'Marie Pradel' });
    const anon = await anonymous(app);
    const res = await anon.agent.post('/connexion').type('form').send({ _csrf: anon.csrf, email: member.email.toUpperCase(), password: PASSWORD }).expect(303);
    expect(res.headers.location).toBe('/seances'); // the séances, not the home page
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/so_session=[A-Za-z0-9_-]{43}/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const home = await anon.agent.get('/').expect(200);
    expect(home.text).toContain('Marie Pradel');
  });

  it('when a page asked for sign-in, then sign-in lands back on that page', async () => {
    const app = buildApp(database);
    const member = await seedAccount(database.db, 'member');
    const anon = await anonymous(app);
    const asked = await anon.agent.get('/registre?q=eau').expect(303);
    expect(asked.headers.location).toBe('/connexion?next=%2Fregistre%3Fq%3Deau');
    const page = await anon.agent.get(String(asked.headers.location)).expect(200);
    expect(page.text).toContain('name="next" value="/registre?q=eau"');
    const res = await anon.agent
      .post('/connexion')
      .type('form')
      .send({ _csrf: csrfOf(page.text), email: member.email, password: PASSWORD, next: '/registre?q=eau' })
      .expect(303);
    expect(res.headers.location).toBe('/registre?q=eau');
  });

  it('when a session id is stored, then only its hash is in the database', async () => {
    const app = buildApp(database);
    const member = await seedAccount(database.db, 'member');
    const session = await signIn(app, member.email);
    const token = session.cookie.split('=')[1]!;
    const rows = await database.db.selectFrom('sessions').select('id_hash').execute();
    expect(rows.some((r) => r.id_hash === token)).toBe(false);
  });

  it('when behind a TLS proxy that is trusted, then the cookie is Secure', async () => {
    const app = buildApp(database, { config: { trustProxy: 1 } });
    const res = await request(app).get('/connexion').set('X-Forwarded-Proto', 'https').expect(200);
    expect(String(res.headers['set-cookie'])).toMatch(/Secure/);
  });

  it('when the pre-session id is known before sign-in, then sign-in gives another id (no fixation)', async () => {
    const app = buildApp(database);
    const member = await seedAccount(database.db, 'member');
    const anon = await anonymous(app);
    const res = await anon.agent.post('/connexion').type('form').send({ _csrf: anon.csrf, email: member.email, password: PASSWORD }).expect(303);
    const after = String(res.headers['set-cookie']).match(/so_session=([^;]+)/)![1];
    expect(`so_session=${after}`).not.toBe(anon.cookie);
    // the old id no longer opens anything: its CSRF token is refused and it is anonymous
    const old = await request(app).get('/seances').set('Cookie', anon.cookie);
    expect(old.status).toBe(303);
    expect(old.headers.location).toMatch(/^\/connexion/);
  });

  it('when the password is wrong, then the form comes back with the email kept and a French message', async () => {
    const app = buildApp(database);
    const member = await seedAccount(database.db, 'member');
    const anon = await anonymous(app);
    const res = await anon.agent.post('/connexion').type('form').send({ _csrf: anon.csrf, email: member.email, password: 'pas le bon' }).expect(401);
    expect(res.text).toContain('Adresse ou mot de passe incorrect.');
    expect(res.text).toContain(`value="${member.email}"`);
    expect(res.text).not.toContain('pas le bon');
  });

  it('when a session has been idle longer than the limit, then it no longer signs anyone in', async () => {
    const app = buildApp(database, { config: { sessionIdleMinutes: 5 } });
    const member = await seedAccount(database.db, 'member');
    const session = await signIn(app, member.email);
    await session.agent.get('/seances').expect(200);
    await database.db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - 6 * 60_000) })
      .execute();
    const res = await session.agent.get('/seances').expect(303);
    expect(res.headers.location).toBe('/connexion?next=%2Fseances');
  });

  it('when someone signs out, then the session is gone from the database', async () => {
    const app = buildApp(database);
    const member = await seedAccount(database.db, 'member');
    const session = await signIn(app, member.email);
    const before = await database.db.selectFrom('sessions').select('id_hash').execute();
    await session.agent.post('/deconnexion').type('form').send({ _csrf: session.csrf }).expect(303);
    const after = await database.db.selectFrom('sessions').select('id_hash').execute();
    expect(after.length).toBe(before.length - 1);
    await session.agent.get('/seances').expect(303);
  });

  it('when the account is disabled, then its open session stops working', async () => {
    const app = buildApp(database);
    const member = await seedAccount(database.db, 'member');
    const session = await signIn(app, member.email);
    await database.db.updateTable('accounts').set({ disabled_at: new Date() }).where('person_id', '=', member.personId).execute();
    await session.agent.get('/seances').expect(303);
  });

  it('when the sign-in page is shown, then it carries a CSRF token and labelled fields', async () => {
    const res = await request(buildApp(database)).get('/connexion').expect(200);
    expect(csrfOf(res.text)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.text).toContain('<label for="f-email">');
    expect(res.text).toContain('<label for="f-password">');
  });
});
