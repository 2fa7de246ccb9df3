import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { Express } from 'express';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import {
  anonymous,
  csrfOf,
  fingerprint,
  joinAsGuest,
  PASSWORD,
  seedAccount,
  seedCircle,
  seedMeeting,
  signIn,
  unique,
  type SeededAccount,
} from '../helpers/auth.ts';

let database: TestDatabase;
let app: Express;
let admin: SeededAccount;
let facilitator: SeededAccount;
let circleId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  admin = await seedAccount(database.db, 'admin');
  facilitator = await seedAccount(database.db, 'facilitator');
  circleId = await seedCircle(database.db, admin.actor);
});
afterAll(async () => {
  await database.dispose();
});

describe('CSRF', () => {
  const attempts: [string, (csrf: string, other: string) => Record<string, string>][] = [
    ['missing', () => ({})],
    ['wrong', () => ({ _csrf: 'A'.repeat(43) })],
    ['from another session', (_mine, other) => ({ _csrf: other })],
  ];

  it.each(attempts)('when the token is %s, then a state-changing request is refused with 403 and nothing changes', async (_label, token) => {
    const session = await signIn(app, admin.email);
    const other = await signIn(app, facilitator.email);
    const before = await fingerprint(database.db);
    const posts: [string, Record<string, string>][] = [
      ['/admin/cercles', { name: `Cercle ${unique()}` }],
      ['/seances/nouvelle', { circleId, title: 'Séance pirate', scheduledFor: '2026-05-04T14:00' }],
      ['/deconnexion', {}],
      ['/admin/comptes', { email: `x-${unique()}@test.local`, displayName: 'X', role: 'admin' }],
    ];
    for (const [path, body] of posts) {
      const res = await session.agent
        .post(path)
        .type('form')
        .send({ ...body, ...token(session.csrf, other.csrf) });
      expect(res.status, path).toBe(403);
      expect(res.text).toContain('Formulaire expiré');
    }
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when htmx sends the token in the X-CSRF-Token header, then the request goes through', async () => {
    const session = await signIn(app, admin.email);
    await session.agent
      .post('/admin/cercles')
      .type('form')
      .set('X-CSRF-Token', session.csrf)
      .set('HX-Request', 'true')
      .send({ name: `Cercle ${unique()}` })
      .expect(303);
  });

  it('when the page is rendered, then <body> carries the token for htmx in hx-headers', async () => {
    const session = await signIn(app, admin.email);
    const res = await session.agent.get('/').expect(200);
    expect(res.text).toContain(`hx-headers="{&#34;X-CSRF-Token&#34;:&#34;${session.csrf}&#34;}"`);
  });

  it('when an anonymous visitor posts the sign-in form without its pre-session token, then it is refused', async () => {
    await request(app).post('/connexion').type('form').send({ email: admin.email, password: PASSWORD }).expect(403);
  });
});

describe('open redirects', () => {
  it.each(['https://evil.example/', '//evil.example/', '/\\evil.example', '/\t/evil.example', 'javascript:alert(1)', 'http:evil.example'])(
    'when next is %j, then sign-in lands on the séances',
    async (next) => {
      const anon = await anonymous(app);
      const res = await anon.agent.post('/connexion').type('form').send({ _csrf: anon.csrf, email: admin.email, password: PASSWORD, next }).expect(303);
      expect(res.headers.location).toBe('/seances');
    },
  );

  it('when next is a local path, then sign-in goes back to it', async () => {
    const anon = await anonymous(app);
    const res = await anon.agent
      .post('/connexion')
      .type('form')
      .send({ _csrf: anon.csrf, email: admin.email, password: PASSWORD, next: '/seances?vue=liste' })
      .expect(303);
    expect(res.headers.location).toBe('/seances?vue=liste');
  });

  // the URL parser resolves dot segments: each of these becomes "//evil.example" once parsed
  const DOT_SEGMENTS = [
    '/.//evil.example',
    '/..//evil.example',
    '/x/..//evil.example',
    '/%2e//evil.example',
    '/%2e%2e//evil.example',
    '/seances/..//evil.example',
  ];

  it.each(DOT_SEGMENTS)('when a signed-in person opens /connexion?next=%s, then they land on the séances', async (next) => {
    const session = await signIn(app, admin.email);
    const res = await session.agent.get(`/connexion?next=${encodeURIComponent(next)}`).expect(303);
    expect(res.headers.location).toBe('/seances');
  });

  it.each(DOT_SEGMENTS)('when a visitor signs in from /connexion?next=%s, then the form does not carry it and sign-in lands on the home page', async (next) => {
    const agent = request.agent(app);
    const page = await agent.get(`/connexion?next=${encodeURIComponent(next)}`).expect(200);
    expect(page.text).toContain('name="next" value="/seances"');
    const res = await agent
      .post('/connexion')
      .type('form')
      .send({ _csrf: csrfOf(page.text), email: admin.email, password: PASSWORD, next })
      .expect(303);
    expect(res.headers.location).toBe('/seances');
  });

  it.each(['/connexion', '/deconnexion', '/healthz', '/inconnue', '/seancesX'])(
    'when next is %s, a path outside the pages one goes back to, then sign-in lands on the séances',
    async (next) => {
      const anon = await anonymous(app);
      const res = await anon.agent.post('/connexion').type('form').send({ _csrf: anon.csrf, email: admin.email, password: PASSWORD, next }).expect(303);
      expect(res.headers.location).toBe('/seances');
    },
  );

  it('when next is a meeting page with dot segments that stay on the site, then sign-in goes there', async () => {
    const anon = await anonymous(app);
    const res = await anon.agent
      .post('/connexion')
      .type('form')
      .send({ _csrf: anon.csrf, email: admin.email, password: PASSWORD, next: '/seances/./nouvelle' })
      .expect(303);
    expect(res.headers.location).toBe('/seances/nouvelle');
  });

  it('when a signed-in person opens /connexion with an outside next, then they stay on the site', async () => {
    const session = await signIn(app, admin.email);
    const res = await session.agent.get('/connexion?next=//evil.example').expect(303);
    expect(res.headers.location).toBe('/seances');
  });
});

const PAYLOADS = [
  `<script>alert(1)</script>`,
  `"><img src=x onerror=alert(1)>`,
  `'><svg onload=alert(1)>`,
  `</textarea><script>alert(2)</script>`,
  `{{constructor.constructor('alert(3)')()}}`,
];

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');

/** The payload is not in the page as markup; when `shown`, its escaped text is. */
function assertEscaped(html: string, payload: string, shown = false): void {
  if (/[<>"']/.test(payload)) expect(html).not.toContain(payload);
  expect(html).not.toMatch(/<script>alert|<img src=x|<svg onload/);
  if (shown) expect(html).toContain(escapeHtml(payload));
}

describe('XSS: every free-text field comes back escaped wherever it is shown', () => {
  it.each(PAYLOADS)('when a guest name, a meeting title, a circle name and description, and an account name are %j', async (payload) => {
    const session = await signIn(app, admin.email);
    // circle name and description
    await session.agent
      .post('/admin/cercles')
      .type('form')
      .send({ _csrf: session.csrf, name: `${payload} ${unique()}`.slice(0, 120), description: payload })
      .expect(303);
    assertEscaped((await session.agent.get('/admin/cercles').expect(200)).text, payload, true);
    // account display name (accounts page and the reset-link page)
    const created = await session.agent
      .post('/admin/comptes')
      .type('form')
      .send({ _csrf: session.csrf, email: `x-${unique()}@test.local`, displayName: payload, role: 'member' })
      .expect(201);
    assertEscaped(created.text, payload);
    assertEscaped((await session.agent.get('/admin/comptes').expect(200)).text, payload, true);
    // meeting title: list, page, new-meeting form re-rendered after an error
    const circle = await database.db.selectFrom('circles').select('id').where('description', '=', payload).executeTakeFirstOrThrow();
    const made = await session.agent
      .post('/seances/nouvelle')
      .type('form')
      .send({ _csrf: session.csrf, circleId: circle.id, title: payload, scheduledFor: '2026-05-04T14:00' })
      .expect(303);
    assertEscaped((await session.agent.get(made.headers.location!).expect(200)).text, payload, true);
    assertEscaped((await session.agent.get('/seances').expect(200)).text, payload);
    const failed = await session.agent
      .post('/seances/nouvelle')
      .type('form')
      .send({ _csrf: session.csrf, circleId: circle.id, title: payload, scheduledFor: 'demain' })
      .expect(400);
    assertEscaped(failed.text, payload, true);
    expect(failed.text).toContain('Indiquez la date et l’heure de la séance');
    // guest name: shown in the nav to the guest and in the member list to the facilitator
    const meetingId = made.headers.location!.split('/').pop()!;
    const code = (await database.db.selectFrom('meetings').select('join_code').where('id', '=', meetingId).executeTakeFirstOrThrow()).join_code;
    const guest = await joinAsGuest(app, database.db, code, `${payload.slice(0, 100)} ${unique()}`);
    assertEscaped((await guest.agent.get(`/seances/${meetingId}`).expect(200)).text, payload);
    assertEscaped((await session.agent.get(`/seances/${meetingId}`).expect(200)).text, payload);
    // the sign-in form keeps the typed email, escaped
    const anon = await anonymous(app);
    const back = await anon.agent.post('/connexion').type('form').send({ _csrf: anon.csrf, email: payload, password: 'x' });
    assertEscaped(back.text, payload);
    // the join form keeps the code and the name, escaped
    const j = await anon.agent.post('/rejoindre').type('form').send({ _csrf: anon.csrf, code: 'ZZZZZZ', displayName: payload });
    assertEscaped(j.text, payload, true);
  });
});

describe('SQL-looking input', () => {
  it("when a name is Robert'); DROP TABLE persons;--, then it is stored and shown verbatim", async () => {
    const session = await signIn(app, admin.email);
    const name = `Robert'); DROP TABLE persons;-- ${unique()}`;
    await session.agent.post('/admin/cercles').type('form').send({ _csrf: session.csrf, name, description: "1' OR '1'='1" }).expect(303);
    const row = await database.db.selectFrom('circles').select(['name', 'description']).where('name', '=', name).executeTakeFirstOrThrow();
    expect(row).toEqual({ name, description: "1' OR '1'='1" });
    const page = await session.agent.get('/admin/cercles').expect(200);
    expect(page.text).toContain('Robert&#39;); DROP TABLE persons;--');
    expect(await database.db.selectFrom('persons').select('id').execute()).not.toHaveLength(0);
  });
});

describe('bodies and fields', () => {
  it('when a 3 MB body is posted, then the answer is the French 413 page, not a 500', async () => {
    const session = await signIn(app, admin.email);
    const before = await fingerprint(database.db);
    const res = await session.agent
      .post('/admin/cercles')
      .type('form')
      .send(`_csrf=${session.csrf}&name=x&description=${'a'.repeat(3 * 1024 * 1024)}`);
    expect(res.status).toBe(413);
    expect(res.text).toContain('Envoi trop volumineux');
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when a field is longer than its limit, then the form comes back with the input and the error next to the field', async () => {
    const session = await signIn(app, admin.email);
    const long = 'x'.repeat(121);
    const res = await session.agent.post('/admin/cercles').type('form').send({ _csrf: session.csrf, name: long, description: 'gardée' }).expect(400);
    expect(res.text).toContain('Raccourcissez ce texte à 120 caractères au plus.');
    expect(res.text).toContain(`value="${long}"`);
    expect(res.text).toContain('gardée</textarea>');
    expect(res.text).toMatch(/id="f-name-error"[^>]*>Raccourcissez ce texte à 120/);
  });

  it('when unknown fields are sent, then they are ignored and nothing else is stored', async () => {
    const session = await signIn(app, admin.email);
    const email = `role-${unique()}@test.local`;
    await session.agent
      .post('/admin/comptes')
      .type('form')
      .send({
        _csrf: session.csrf,
        email,
        displayName: 'Sans extra',
        role: 'member',
        password_hash: 'x',
        disabled_at: 'now',
        person_id: '00000000-0000-0000-0000-000000000000',
      })
      .expect(201);
    const row = await database.db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    expect(row.password_hash).toBeNull();
    expect(row.disabled_at).toBeNull();
    expect(row.person_id).not.toBe('00000000-0000-0000-0000-000000000000');
  });

  it('when a field is sent twice, then it is refused as invalid, not stored as a list', async () => {
    const session = await signIn(app, admin.email);
    const res = await session.agent.post('/admin/cercles').type('form').send(`_csrf=${session.csrf}&name=a&name=b`);
    expect(res.status).toBe(400);
  });
});

describe('headers', () => {
  it('when any page is served, then a strict CSP, nosniff, a referrer policy and no framing are sent', async () => {
    const res = await request(app).get('/connexion').expect(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(res.text).not.toMatch(/\sstyle="/);
    expect(res.text).toContain('"allowEval":false');
  });
});

describe('guests', () => {
  it('when the code is typed in lower case with a dash, then the guest still joins', async () => {
    const meeting = await seedMeeting(database.db, facilitator.actor, circleId);
    const code = `${meeting.code.slice(0, 3)}-${meeting.code.slice(3)}`.toLowerCase();
    const guest = await joinAsGuest(app, database.db, code);
    await guest.agent.get(`/seances/${meeting.id}`).expect(200);
  });

  it('when the code is unknown, then the form says so and keeps the name', async () => {
    const agent = request.agent(app);
    const page = await agent.get('/rejoindre/ZZZZZZ').expect(200);
    expect(page.text).toContain('value="ZZZZZZ"');
    const res = await agent
      .post('/rejoindre')
      .type('form')
      .send({ _csrf: csrfOf(page.text), code: 'ZZZZZZ', displayName: 'Camille' })
      .expect(404);
    expect(res.text).toContain('Aucune séance ouverte ne correspond à ce code.');
    expect(res.text).toContain('value="Camille"');
  });

  it('when a guest has no name, then the error is next to the name field', async () => {
    const meeting = await seedMeeting(database.db, facilitator.actor, circleId);
    const agent = request.agent(app);
    const page = await agent.get('/rejoindre').expect(200);
    const res = await agent
      .post('/rejoindre')
      .type('form')
      .send({ _csrf: csrfOf(page.text), code: meeting.code, displayName: '  ' })
      .expect(400);
    expect(res.text).toMatch(/id="f-displayName-error"[^>]*>Remplissez ce champ, il est obligatoire/);
  });
});
