import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
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
  cookie = (await signIn(app, fac.email)).cookie;
  server = await listen(app);
  port = server.port;
});
afterAll(async () => {
  await server.close();
  await bus.close();
  await database.dispose();
});

/** Opens the meeting's stream and resolves with everything received once `until` matches. */
function stream(headers: Record<string, string>, until: RegExp, onOpen?: () => void): Promise<{ status: number; text: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/seances/${meetingId}/flux`, headers: { cookie, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (until.test(text)) {
          res.destroy();
          resolve({ status: res.statusCode ?? 0, text, type: String(res.headers['content-type']) });
        }
      });
      onOpen?.();
    });
    req.on('error', reject);
  });
}

describe('the meeting stream', () => {
  it('when a browser reconnects with Last-Event-ID, then it is told at once to refresh what it missed', async () => {
    const got = await stream({ 'Last-Event-ID': '1795630000000-3' }, /data: reconnected/);
    expect(got.status).toBe(200);
    expect(got.type).toMatch(/^text\/event-stream/);
    expect(got.text).toMatch(/retry: \d+/);
    expect(got.text).toMatch(/id: [^\n]+\nevent: changed\ndata: reconnected/);
  });

  it('when something changes in the meeting, then every open stream receives the named signal', async () => {
    const got = await stream({}, /event: changed\ndata: meeting-changed/, () => {
      // the stream is open (its headers arrived): now something happens in the meeting
      void bus.publish({ name: 'meeting-changed', meetingId });
    });
    expect(got.text).not.toContain('reconnected');
  });
});
