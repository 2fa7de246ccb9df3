/**
 * A live stream belongs to the session that opened it (issue 8, item 3): when the session ends, its
 * streams close on every instance; a session and an instance hold a bounded number of streams.
 * Two app instances share one database, as behind a load balancer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { Express } from 'express';
import { sql } from 'kysely';
import { SignalBus } from '../../src/realtime/bus.ts';
import { SSE_HUB, STREAMS_PER_SESSION, type SseHub } from '../../src/realtime/sse.ts';
import { sha256 } from '../../src/accounts/crypto.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { listen as listenOn, type Listening } from '../helpers/server.ts';
import { joinAsGuest, seedAccount, seedCircle, seedMeeting, signIn, type Session, type SeededAccount } from '../helpers/auth.ts';

let database: TestDatabase;
const buses: SignalBus[] = [];
const servers: Listening[] = [];
let appA: Express;
let appB: Express;
let portB: number;
let meetingId: string;
let code: string;
let fac: SeededAccount;
let admin: SeededAccount;

/** Listens on a free port, closed after the file; returns the port. */
async function listen(app: Express): Promise<number> {
  const server = await listenOn(app);
  servers.push(server);
  return server.port;
}

async function instance(config: Record<string, number> = {}): Promise<Express> {
  const bus = new SignalBus(database);
  await bus.start();
  buses.push(bus);
  return buildApp(database, { bus, config });
}

interface OpenStream {
  status: number;
  body: () => string;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  hasEnded: () => boolean;
  waitFor: (pattern: RegExp) => Promise<void>;
}

function open(port: number, cookie: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/seances/${meetingId}/flux`, headers: { cookie, ...headers } }, (res) => {
      let text = '';
      let done = false;
      const waiters: { pattern: RegExp; resolve: () => void }[] = [];
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const w of [...waiters]) if (w.pattern.test(text)) w.resolve();
      });
      const ended = new Promise<void>((r) => res.on('end', () => ((done = true), r())));
      resolve({
        status: res.statusCode ?? 0,
        body: () => text,
        ended,
        hasEnded: () => done,
        waitFor: (pattern) => (pattern.test(text) ? Promise.resolve() : new Promise((r) => waiters.push({ pattern, resolve: r }))),
      });
    });
    req.on('error', reject);
  });
}

const cookieToken = (s: Session): string => s.cookie.replace(/^so_session=/, '');

beforeAll(async () => {
  database = await createTestDatabase();
  appA = await instance();
  appB = await instance();
  await listen(appA);
  portB = await listen(appB);
  admin = await seedAccount(database.db, 'admin');
  fac = await seedAccount(database.db, 'facilitator');
  ({ id: meetingId, code } = await seedMeeting(database.db, fac.actor, await seedCircle(database.db, admin.actor)));
});
afterAll(async () => {
  for (const server of servers) await server.close();
  for (const bus of buses) await bus.close();
  await database.dispose();
});

describe('a stream ends with its session, on every instance', () => {
  it('when the facilitator removes a guest on one instance, then the guest’s stream on the other closes, and reconnecting is refused', async () => {
    const guest = await joinAsGuest(appA, database.db, code, 'Gaspard Retiré');
    const runner = await signIn(appA, fac.email);
    const guestStream = await open(portB, guest.cookie);
    const runnerStream = await open(portB, runner.cookie);
    expect([guestStream.status, runnerStream.status]).toEqual([200, 200]);
    await runner.agent.post(`/seances/${meetingId}/invites/${guest.personId}/retirer`).type('form').send({ _csrf: runner.csrf }).expect(303);
    await guestStream.ended;
    // the facilitator's stream is still open and still hears the meeting
    await buses[0]!.publish({ name: 'meeting-changed', meetingId });
    await runnerStream.waitFor(/data: meeting-changed/);
    expect(runnerStream.hasEnded()).toBe(false);
    const again = await open(portB, guest.cookie, { 'Last-Event-ID': '1795630000000-1' });
    expect(again.status).toBe(303);
  });

  it('when someone signs out, then the streams of that session close and those of their other session stay open', async () => {
    const laptop = await signIn(appA, fac.email);
    const phone = await signIn(appA, fac.email);
    const laptopStream = await open(portB, laptop.cookie);
    const phoneStream = await open(portB, phone.cookie);
    await laptop.agent.post('/deconnexion').type('form').send({ _csrf: laptop.csrf }).expect(303);
    await laptopStream.ended;
    // its last word tells the page to stop listening (sse-close="fin"), so it does not reconnect and log an error
    expect(laptopStream.body()).toMatch(/event: fin\ndata: fin\n\n$/);
    await buses[0]!.publish({ name: 'meeting-changed', meetingId });
    await phoneStream.waitFor(/data: meeting-changed/);
    expect(phoneStream.hasEnded()).toBe(false);
  });

  it('when an admin changes someone’s role, then their streams close and the reconnection is checked under the new role', async () => {
    const member = await seedAccount(database.db, 'member');
    const session = await signIn(appA, member.email);
    const stream = await open(portB, session.cookie);
    expect(stream.status).toBe(200);
    const boss = await signIn(appA, admin.email);
    await boss.agent.post(`/admin/comptes/${member.personId}/role`).type('form').send({ _csrf: boss.csrf, role: 'observer' }).expect(303);
    await stream.ended;
    expect(stream.body()).not.toContain('event: fin'); // the session lives on: the page reconnects, under the new role
    const again = await open(portB, session.cookie, { 'Last-Event-ID': '1795630000000-2' });
    expect(again.status).toBe(200); // an observer may follow the meeting
    await again.waitFor(/data: reconnected/);
  });

  it('when a session goes idle past SESSION_IDLE_MINUTES, then the periodic check closes its stream', async () => {
    const session = await signIn(appA, fac.email);
    const stream = await open(portB, session.cookie);
    await sql`update sessions set last_seen_at = now() - interval '3 days' where id_hash = ${sha256(cookieToken(session))}`.execute(database.db);
    await (appB.get(SSE_HUB) as SseHub).sweep();
    await stream.ended;
    expect(stream.hasEnded()).toBe(true);
    expect(stream.body()).toMatch(/event: fin\ndata: fin\n\n$/);
  });
});

describe('streams are bounded', () => {
  it(`when one session opens more than ${STREAMS_PER_SESSION} streams, then the next is refused in French (429) and another session still connects`, async () => {
    const session = await signIn(appA, fac.email);
    const streams = [];
    for (let i = 0; i < STREAMS_PER_SESSION; i++) streams.push(await open(portB, session.cookie));
    expect(streams.map((s) => s.status)).toEqual(Array(STREAMS_PER_SESSION).fill(200));
    const refused = await open(portB, session.cookie);
    expect(refused.status).toBe(429);
    await refused.ended;
    expect(refused.body()).toContain('Trop de vues en direct sont ouvertes avec votre session');
    const other = await signIn(appA, fac.email);
    expect((await open(portB, other.cookie)).status).toBe(200);
  });

  it('when an instance holds SSE_MAX_STREAMS streams, then the next is refused (503, French, Retry-After)', async () => {
    const small = await instance({ sseMaxStreams: 2 });
    const port = await listen(small);
    for (let i = 0; i < 2; i++) expect((await open(port, (await signIn(appA, fac.email)).cookie)).status).toBe(200);
    const refused = await new Promise<{ status: number; retry: string | undefined; body: string }>((resolve, reject) => {
      void signIn(appA, fac.email).then((s) =>
        http
          .get({ host: '127.0.0.1', port, path: `/seances/${meetingId}/flux`, headers: { cookie: s.cookie } }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, retry: res.headers['retry-after'] as string | undefined, body }));
          })
          .on('error', reject),
      );
    });
    expect(refused.status).toBe(503);
    expect(refused.retry).toBe('30');
    expect(refused.body).toContain('Le serveur suit déjà autant de vues en direct');
  });
});
