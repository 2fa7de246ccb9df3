import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import zlib from 'node:zlib';
import { SignalBus } from '../../src/realtime/bus.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { listen, type Listening } from '../helpers/server.ts';
import { seedAccount, seedCircle, seedMeeting, signIn } from '../helpers/auth.ts';

let database: TestDatabase;
let bus: SignalBus;
let server: Listening;
let port: number;
let cookie: string;
let meetingId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  bus = new SignalBus(database);
  await bus.start();
  const app = buildApp(database, { bus });
  const admin = await seedAccount(database.db, 'admin');
  const fac = await seedAccount(database.db, 'facilitator');
  ({ id: meetingId } = await seedMeeting(database.db, fac.actor, await seedCircle(database.db, admin.actor)));
  const session = await signIn(app, fac.email);
  cookie = session.cookie;
  // a proposal on the floor, so that the live fragment holds its text (a few kilobytes, as in a meeting)
  const text = 'Nous proposons d’ouvrir la médiathèque le dimanche matin, par roulement des équipes. '.repeat(30);
  await session.agent
    .post(`/seances/${meetingId}/propositions`)
    .type('form')
    .send({ _csrf: session.csrf, title: 'Ouverture du dimanche', tension: 'Les familles ne peuvent venir qu’en fin de semaine.', text, validitySet: 's3' })
    .expect(303);
  server = await listen(app);
  port = server.port;
});
afterAll(async () => {
  await server.close();
  await bus.close();
  await database.dispose();
});

/** A GET whose body is kept as sent (not decompressed), with its headers. */
function get(path: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: { cookie, ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('compression', () => {
  it('when a browser accepts gzip, then the participant page comes back gzipped and reads the same once inflated', async () => {
    const plain = await get(`/seances/${meetingId}/participant`, {});
    const zipped = await get(`/seances/${meetingId}/participant`, { 'accept-encoding': 'gzip' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const html = zlib.gunzipSync(zipped.body).toString('utf8');
    expect(html).toContain('<html');
    expect(zipped.body.length).toBeLessThan(plain.body.length);
  });

  it('when htmx re-fetches the live fragment, then the fragment is compressed too', async () => {
    const res = await get(`/seances/${meetingId}/participant`, { 'accept-encoding': 'gzip, br', 'hx-request': 'true', 'hx-target': 'live' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(res.body).toString('utf8')).not.toContain('<html');
  });

  it('when the page loads its script and style sheet, then both come back gzipped', async () => {
    for (const path of ['/vendor/htmx/htmx.min.js', '/static/css/app.css']) {
      const res = await get(path, { 'accept-encoding': 'gzip' });
      expect(res.status, path).toBe(200);
      expect(res.headers['content-encoding'], path).toBe('gzip');
      expect(zlib.gunzipSync(res.body).length, path).toBeGreaterThan(res.body.length);
    }
  });

  it('when a browser that accepts gzip holds the live stream, then it is not compressed and a signal arrives as it is sent', async () => {
    const got = await new Promise<{ encoding: string | undefined; text: string }>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: `/seances/${meetingId}/flux`, headers: { cookie, 'accept-encoding': 'gzip, br' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (/event: changed\ndata: meeting-changed/.test(text)) {
            res.destroy();
            resolve({ encoding: res.headers['content-encoding'], text });
          }
        });
        // the stream is open: something happens in the meeting, and nothing else is sent after it
        void bus.publish({ name: 'meeting-changed', meetingId });
      });
      req.on('error', reject);
    });
    expect(got.encoding).toBeUndefined();
    expect(got.text).toContain('retry:');
  });
});
