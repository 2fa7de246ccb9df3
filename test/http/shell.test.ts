import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { openDatabase } from '../../src/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.dispose();
});

describe('the app shell', () => {
  it('when the home page is asked for, then it answers in French and says what the app is for', async () => {
    const res = await request(buildApp(database)).get('/').expect(200);
    expect(res.text).toContain('<html lang="fr">');
    expect(res.text).toContain('décision par consentement');
    expect(res.text).toContain('/vendor/htmx/htmx.min.js');
  });

  it('when the browser prefers English, then the page is in English and says so', async () => {
    const res = await request(buildApp(database)).get('/').set('Accept-Language', 'en-GB,en;q=0.9').expect(200);
    expect(res.text).toContain('<html lang="en">');
    expect(res.text).toContain('consent decision');
  });

  it('when the language is switched with ?lang=en, then a cookie keeps the choice and the page reloads without the parameter', async () => {
    const app = buildApp(database);
    const res = await request(app).get('/registre?q=eau&lang=en').expect(303);
    expect(res.headers.location).toBe('/registre?q=eau');
    const cookie = res.headers['set-cookie'];
    expect(String(cookie)).toMatch(/lang=en/);
    expect(String(cookie)).toMatch(/HttpOnly/);
    const next = await request(app).get('/').set('Cookie', 'lang=en').expect(200);
    expect(next.text).toContain('<html lang="en">');
  });

  it('when someone switches to English then back to French and goes back in history, then the page stays in French', async () => {
    const agent = request.agent(buildApp(database));
    await agent.get('/?lang=en').expect(303);
    expect((await agent.get('/').expect(200)).text).toContain('<html lang="en">');
    await agent.get('/?lang=fr').expect(303);
    // « back » reloads the address in history, which no longer carries ?lang=en
    expect((await agent.get('/').expect(200)).text).toContain('<html lang="fr">');
    // the link in the header still offers the other language
    expect((await agent.get('/').expect(200)).text).toContain('href="?lang=en"');
  });

  it('when the address tries to leave the site through the language switch, then the reload stays on it', async () => {
    const res = await request(buildApp(database)).get('/.//evil.example/?lang=en').expect(303);
    expect(res.headers.location).toBe('/evil.example/');
  });

  it('when htmx is requested, then the pinned 2.0 release is served', async () => {
    const res = await request(buildApp(database)).get('/vendor/htmx/htmx.min.js').expect(200);
    expect(res.text).toMatch(/version:"2\.0\.\d+"/);
    await request(buildApp(database)).get('/vendor/htmx-ext-sse/sse.min.js').expect(200);
  });

  it('when the database answers, then /healthz is 200', async () => {
    const res = await request(buildApp(database)).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: database.kind });
  });

  it('when the database server cannot be reached, then /healthz is 503', async () => {
    const unreachable = await openDatabase({ databaseUrl: 'postgres://nobody:x@127.0.0.1:1/none', pgliteDir: '' });
    try {
      const res = await request(buildApp(unreachable)).get('/healthz').expect(503);
      expect(res.body.status).toBe('unavailable');
    } finally {
      await unreachable.close();
    }
  });

  it('when the embedded database has been closed, then /healthz is 503', async () => {
    const closing = await createTestDatabase({ migrate: false });
    const app = buildApp(closing);
    await request(app).get('/healthz').expect(200);
    await closing.dispose();
    await request(app).get('/healthz').expect(503);
  });

  it('when a path is unknown, then the French 404 page is shown', async () => {
    const res = await request(buildApp(database)).get('/nulle-part').expect(404);
    expect(res.headers['content-type']).toMatch(/html/);
    expect(res.text).toContain('Page introuvable');
    expect(res.text).toContain('<html lang="fr">');
  });

  it('when a route throws in production, then the French 500 page is shown without the stack', async () => {
    const app = buildApp(database, {
      config: { env: 'production' },
      extraRoutes: (a) =>
        a.get('/boom', () => {
          throw new Error('secret internals at /srv/app/src/boom.ts');
        }),
    });
    const res = await request(app).get('/boom').expect(500);
    expect(res.text).toContain('Erreur du serveur');
    expect(res.text).not.toContain('secret internals');
    expect(res.text).not.toContain('boom.ts');
    expect(res.text).toContain(res.headers['x-request-id']);
  });

  it('when an async route rejects in development, then the 500 page shows the stack to the developer', async () => {
    const app = buildApp(database, {
      config: { env: 'development' },
      extraRoutes: (a) =>
        a.get('/boom', async () => {
          throw new Error('visible in development');
        }),
    });
    const res = await request(app).get('/boom').expect(500);
    expect(res.text).toContain('visible in development');
  });

  it('when the database cannot be reached (refused, shut down, timed out), then the French 503 page says nothing was saved and when to retry; a wrong query stays a 500', async () => {
    const failures: Record<string, () => Error> = {
      refused: () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      shutdown: () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      timeout: () => new Error('timeout exceeded when trying to connect'),
      broken: () => Object.assign(new Error('column "x" does not exist'), { code: '42703' }),
    };
    const app = buildApp(database, {
      config: { env: 'production' },
      extraRoutes: (a) =>
        a.get('/db/:kind', async (req) => {
          throw failures[req.params.kind as string]!();
        }),
    });
    for (const kind of ['refused', 'shutdown', 'timeout']) {
      const res = await request(app).get(`/db/${kind}`).expect(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.text).toContain('Service momentanément indisponible');
      expect(res.text).toContain('rien n’a été enregistré');
    }
    await request(app).get('/db/broken').expect(500);
  });

  it('when a client asks for JSON, then an error is JSON too', async () => {
    const res = await request(buildApp(database)).get('/nulle-part').set('Accept', 'application/json').expect(404);
    expect(res.body.error.status).toBe(404);
  });
});
