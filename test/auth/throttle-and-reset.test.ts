import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Express } from 'express';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { anonymous, csrfOf, PASSWORD, seedAccount, signIn } from '../helpers/auth.ts';
import { SIGN_IN_THROTTLE } from '../../src/accounts/throttle.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from '../../src/accounts/demo.ts';
import { PASSWORD_HASH_COST, setPasswordHashCostForTests, verifyPassword } from '../../src/accounts/crypto.ts';
import { TEST_PASSWORD_HASH_COST } from '../setup.ts';
import { createAdminCommand } from '../../src/cli/create-admin.ts';
import { verifyLog } from '../../src/ledger/verify.ts';
import { verifyReadModels } from '../../src/ledger/read-models.ts';
import { openDatabase } from '../../src/db/database.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});

async function attempt(app: Express, email: string, password: string, address = '203.0.113.7') {
  const anon = await anonymous(app);
  return anon.agent.post('/connexion').set('X-Forwarded-For', address).type('form').send({ _csrf: anon.csrf, email, password });
}

const ago = (seconds: number): Date => new Date(Date.now() - seconds * 1000);

describe('the sign-in throttle', () => {
  it('when wrong passwords come from many addresses, spread over two app instances, then the account is never locked: its owner signs in and is told how many attempts failed', async () => {
    const first = buildApp(database, { config: { trustProxy: 1 } });
    const second = buildApp(database, { config: { trustProxy: 1 } });
    const admin = await seedAccount(database.db, 'admin');
    for (let i = 0; i < 20; i++) {
      const res = await attempt(i % 2 === 0 ? first : second, admin.email, 'mauvais mot de passe', `198.51.100.${i}`);
      expect(res.status).toBe(401);
    }
    const anon = await anonymous(second);
    const res = await anon.agent
      .post('/connexion')
      .set('X-Forwarded-For', '198.51.100.200')
      .type('form')
      .send({ _csrf: anon.csrf, email: admin.email, password: PASSWORD });
    expect(res.status).toBe(303);
    const home = await anon.agent.get('/').expect(200);
    expect(home.text).toContain('20\u00a0tentatives de connexion échouées depuis votre dernière connexion.');
    // told once: the next page and the next sign-in say nothing more
    expect((await anon.agent.get('/').expect(200)).text).not.toContain('tentatives de connexion échouées');
    const again = await signIn(first, admin.email);
    expect((await again.agent.get('/').expect(200)).text).not.toContain('tentative');
  });

  it('when one address fails 5 times on one account, then that address waits for that account, with the right password too, and another address does not', async () => {
    const app = buildApp(database, { config: { trustProxy: 1 } });
    const member = await seedAccount(database.db, 'member');
    for (let i = 0; i < SIGN_IN_THROTTLE.perAccountAndAddress; i++) expect((await attempt(app, member.email, 'faux', '203.0.113.20')).status).toBe(401);
    const refused = await attempt(app, member.email, PASSWORD, '203.0.113.20');
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('Trop de tentatives de connexion échouées');
    expect((await attempt(app, member.email, PASSWORD, '203.0.113.21')).status).toBe(303);
  });

  it('when the wait is over and the same address fails again, then it waits twice as long', async () => {
    const app = buildApp(database, { config: { trustProxy: 1 } });
    const member = await seedAccount(database.db, 'member');
    for (let i = 0; i < SIGN_IN_THROTTLE.perAccountAndAddress; i++) await attempt(app, member.email, 'faux', '203.0.113.30');
    expect((await attempt(app, member.email, PASSWORD, '203.0.113.30')).status).toBe(429);
    // a minute later the first wait (1 minute) is over…
    await database.db
      .updateTable('sign_in_failures')
      .set({ failed_at: ago(61) })
      .where('email', '=', member.email)
      .execute();
    expect((await attempt(app, member.email, 'encore faux', '203.0.113.30')).status).toBe(401);
    // …the next one is 2 minutes: still refused 61 seconds after that failure, allowed after 121
    await database.db
      .updateTable('sign_in_failures')
      .set({ failed_at: ago(61) })
      .where('email', '=', member.email)
      .execute();
    expect((await attempt(app, member.email, PASSWORD, '203.0.113.30')).status).toBe(429);
    await database.db
      .updateTable('sign_in_failures')
      .set({ failed_at: ago(121) })
      .where('email', '=', member.email)
      .execute();
    expect((await attempt(app, member.email, PASSWORD, '203.0.113.30')).status).toBe(303);
  });

  it('when one address fails on many accounts, then that address is locked, and another address is not', async () => {
    const first = buildApp(database, { config: { trustProxy: 1 } });
    const second = buildApp(database, { config: { trustProxy: 1 } });
    for (let i = 0; i < SIGN_IN_THROTTLE.perAddress; i++) {
      await attempt(i % 2 ? first : second, `inconnu-${i}@test.local`, 'x', '192.0.2.50');
    }
    const member = await seedAccount(database.db, 'member');
    expect((await attempt(second, member.email, PASSWORD, '192.0.2.50')).status).toBe(429);
    expect((await attempt(first, member.email, PASSWORD, '192.0.2.51')).status).toBe(303);
  });

  it('when the sign-in succeeds, then earlier failures of that account from that address are forgotten, not those from elsewhere', async () => {
    const app = buildApp(database, { config: { trustProxy: 1 } });
    const member = await seedAccount(database.db, 'member');
    for (let i = 0; i < SIGN_IN_THROTTLE.perAccountAndAddress - 1; i++) await attempt(app, member.email, 'faux', '203.0.113.40');
    await attempt(app, member.email, 'faux', '203.0.113.41');
    expect((await attempt(app, member.email, PASSWORD, '203.0.113.40')).status).toBe(303);
    const left = await database.db.selectFrom('sign_in_failures').select('address').where('email', '=', member.email).execute();
    expect(left).toEqual([{ address: '203.0.113.41' }]);
  });
});

describe('one-time password-reset links', () => {
  it('when an admin issues a link, then the person sets a password once, their sessions close, and the link dies', async () => {
    const app = buildApp(database);
    const admin = await seedAccount(database.db, 'admin');
    const member = await seedAccount(database.db, 'member');
    const memberSession = await signIn(app, member.email);
    const session = await signIn(app, admin.email);
    const issued = await session.agent.post(`/admin/comptes/${member.personId}/reinitialisation`).type('form').send({ _csrf: session.csrf }).expect(200);
    expect(issued.headers['referrer-policy']).toBe('no-referrer');
    const link = /(\/reinitialiser\/[A-Za-z0-9_-]{43})/.exec(issued.text)![1]!;
    // a token is only stored hashed
    const token = link.split('/').pop()!;
    expect(await database.db.selectFrom('password_resets').select('token_hash').where('token_hash', '=', token).execute()).toHaveLength(0);

    const visitor = request.agent(app);
    const form = await visitor.get(link).expect(200);
    expect(form.text).toContain(member.email);
    const mismatch = await visitor
      .post(link)
      .type('form')
      .send({ _csrf: csrfOf(form.text), password: 'nouveau mot de passe 1', confirm: 'autre' })
      .expect(400);
    expect(mismatch.text).toContain('Les deux mots de passe ne sont pas identiques.');
    const short = await visitor
      .post(link)
      .type('form')
      .send({ _csrf: csrfOf(form.text), password: 'court', confirm: 'court' })
      .expect(400);
    expect(short.text).toContain('Écrivez au moins 12 caractères.');
    const done = await visitor
      .post(link)
      .type('form')
      .send({ _csrf: csrfOf(form.text), password: 'nouveau mot de passe 1', confirm: 'nouveau mot de passe 1' })
      .expect(303);
    expect(done.headers.location).toBe('/connexion?reinitialise=1');

    await memberSession.agent.get('/seances').expect(303); // signed out everywhere
    await visitor.get(link).expect(404);
    expect((await attempt(app, member.email, PASSWORD)).status).toBe(401);
    expect((await attempt(app, member.email, 'nouveau mot de passe 1')).status).toBe(303);
  });

  it('when a new link is issued, then the previous one stops working', async () => {
    const app = buildApp(database);
    const admin = await seedAccount(database.db, 'admin');
    const member = await seedAccount(database.db, 'member', { password: null });
    const session = await signIn(app, admin.email);
    const first = /(\/reinitialiser\/[A-Za-z0-9_-]{43})/.exec(
      (await session.agent.post(`/admin/comptes/${member.personId}/reinitialisation`).type('form').send({ _csrf: session.csrf })).text,
    )![1]!;
    await session.agent.post(`/admin/comptes/${member.personId}/reinitialisation`).type('form').send({ _csrf: session.csrf }).expect(200);
    await request(app).get(first).expect(404);
  });

  it('when a link is made up, then it is a French 404', async () => {
    const res = await request(buildApp(database))
      .get(`/reinitialiser/${'a'.repeat(43)}`)
      .expect(404);
    expect(res.text).toContain('Lien invalide ou expiré');
  });
});

describe('first run', () => {
  it('when the demo is seeded on an empty installation, then the README accounts sign in with the demo password, once', async () => {
    const fresh = await createTestDatabase();
    try {
      expect(await seedDemo(fresh.db)).toBe(true);
      expect(await seedDemo(fresh.db)).toBe(false);
      const app = buildApp(fresh);
      for (const account of DEMO_ACCOUNTS) await signIn(app, account.email, DEMO_PASSWORD);

      // with the accounts, a year of the circle's register, taken through the séances and the consent method
      const elue = await signIn(app, 'elue@demo.local', DEMO_PASSWORD);
      const register = (await elue.agent.get('/registre').expect(200)).text;
      for (const title of [
        'Gestion de l’eau des espaces verts',
        'Schéma directeur de diversification des activités',
        'Comité de pilotage de la collecte des déchets',
      ])
        expect(register).toContain(title);
      expect(register).toContain('Ouverture de la médiathèque le dimanche');
      const decisions = await fresh.db.selectFrom('proposals').select(['id', 'title', 'stage', 'review_date', 'published_at']).execute();
      expect(decisions.map((d) => d.stage).sort()).toEqual(['adopted', 'adopted', 'adopted', 'adopted', 'postponed']);
      expect(decisions.filter((d) => d.published_at).map((d) => d.title)).toEqual(['Gestion de l’eau des espaces verts']);
      expect(decisions.filter((d) => d.review_date)).toHaveLength(1);
      const outcomes = await fresh.db.selectFrom('objections').select('outcome').execute();
      expect(outcomes.map((o) => o.outcome).sort()).toEqual(['deferred', 'integrated', 'withdrawn']);
      const meetings = await fresh.db.selectFrom('meetings').select('status').execute();
      expect(meetings.map((m) => m.status)).toEqual(['closed', 'closed', 'closed', 'closed']);
      // the water decision's record: its objection, the version that integrated it, and its publication
      const water = decisions.find((d) => d.published_at)!;
      const record = (await elue.agent.get(`/registre/${water.id}`).expect(200)).text;
      expect(record).toContain('jardins partagés');
      expect(record).toContain('Chaîne vérifiée');
      expect((await request(app).get(`/decisions-publiques/${water.id}`).expect(200)).text).toContain('Gestion de l’eau des espaces verts');
      // every chain verifies and the read models are what the log projects
      expect((await verifyLog(fresh.db)).breaks).toEqual([]);
      expect((await verifyReadModels(fresh.db)).differences).toEqual([]);
    } finally {
      await fresh.dispose();
    }
  });

  it('when create-admin is given too short a password, then it says what is wrong and exits 1', async () => {
    const lines: string[] = [];
    const code = await createAdminCommand(
      ['--email', 'b@mairie.test', '--name', 'B', '--password', 'court'],
      { ...process.env, ...database.env },
      { out: (l) => lines.push(l), err: (l) => lines.push(l) },
    );
    expect(code).toBe(1);
    expect(lines.join('\n')).toContain('12 caractères au moins');
  });

  it('when npm run create-admin is given its values (a real process), then the admin exists with an argon2id hash', async () => {
    // the command opens the database itself, so the test's own connection is closed first
    const fresh = await createTestDatabase();
    await fresh.close();
    const env = { ...process.env, NODE_ENV: 'production', ...fresh.env };
    try {
      const out = await promisify(execFile)(
        'node_modules/.bin/tsx',
        ['src/cli/create-admin.ts', '--email', 'Premiere.Admin@mairie.test', '--name', 'Première Admin', '--password', 'une phrase de passe solide'],
        { env },
      );
      expect(out.stdout).toContain('Compte administrateur créé : premiere.admin@mairie.test');
      const reopened = await openDatabase({ databaseUrl: fresh.url, pgliteDir: fresh.env.PGLITE_DIR ?? '' });
      try {
        const row = await reopened.db.selectFrom('accounts').select(['email', 'role', 'password_hash']).executeTakeFirstOrThrow();
        expect(row).toMatchObject({ email: 'premiere.admin@mairie.test', role: 'admin', password_hash: expect.stringMatching(/^\$argon2id\$/) });
      } finally {
        await reopened.close();
      }
    } finally {
      await fresh.dispose().catch(() => {});
    }
  }, 120_000);
});

describe('argon2id', () => {
  // the production cost, not the cheap one test/setup.ts sets for the other tests
  beforeAll(() => setPasswordHashCostForTests(PASSWORD_HASH_COST));
  afterAll(() => setPasswordHashCostForTests(TEST_PASSWORD_HASH_COST));

  it('when a password is hashed, then it is argon2id and verifies only the right password', async () => {
    const member = await seedAccount(database.db, 'member');
    const row = await database.db.selectFrom('accounts').select('password_hash').where('person_id', '=', member.personId).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(row.password_hash, PASSWORD)).toBe(true);
    expect(await verifyPassword(row.password_hash, 'autre')).toBe(false);
  });
});
