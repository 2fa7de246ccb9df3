/**
 * The live-update path, measured in one run against its baselines:
 *   - fan-out: a signal published (NOTIFY) until every one of N open SSE streams has received it,
 *     next to the same signal reaching a single stream;
 *   - refresh: the participant fragment an htmx element re-fetches after a signal (HX-Target: live),
 *     next to GET /healthz (the floor of any request through the same app).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '../../src/db/database.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/http/logger.ts';
import { SignalBus } from '../../src/realtime/bus.ts';
import { createAccount, createCircle } from '../../src/accounts/account.service.ts';
import { createMeeting } from '../../src/meetings/meeting.service.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { LiveMeetingService } from '../../src/meetings/live.service.ts';
import { actionCommand } from '../../src/proposals/actions.ts';
import { row, stats } from './stats.ts';

function get(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string; cookies: string[] }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers }, (res) => {
        let body = '';
        res
          .on('data', (d) => (body += d))
          .on('end', () => resolve({ status: res.statusCode ?? 0, body, cookies: (res.headers['set-cookie'] as string[]) ?? [] }));
      })
      .on('error', reject);
  });
}

export async function benchLive(database: Database, label: string, streams: number): Promise<void> {
  const bus = new SignalBus(database);
  await bus.start();
  const config = Object.freeze({ ...loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent' }) });
  const app = createApp({ config, database, logger: createLogger('silent'), bus });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  try {
    const stamp = Date.now().toString(36);
    const admin = await createAccount(database.db, 'system', {
      email: `admin-${stamp}@bench.local`,
      displayName: 'Admin',
      role: 'admin',
      password: 'un mot de passe de banc',
    });
    const fac = await createAccount(database.db, 'system', {
      email: `fac-${stamp}@bench.local`,
      displayName: 'Facilitation',
      role: 'facilitator',
      password: 'un mot de passe de banc',
    });
    if (!admin.ok || !fac.ok) throw new Error('bench: accounts');
    const adminActor = { kind: 'account', personId: admin.personId, role: 'admin', displayName: 'Admin' } as const;
    const facActor = { kind: 'account', personId: fac.personId, role: 'facilitator', displayName: 'Facilitation' } as const;
    const circle = await createCircle(database.db, adminActor, { name: `Banc ${stamp}`, description: '' });
    if (!circle.ok) throw new Error('bench: circle');
    const meeting = await createMeeting(database.db, facActor, { circleId: circle.id, title: 'Banc', scheduledFor: new Date() });
    if (!meeting.ok) throw new Error('bench: meeting');
    const meetingId = meeting.id;
    const live = new LiveMeetingService({ db: database.db, proposals: new ProposalService({ db: database.db }) });
    for (let i = 0; i < streams; i++) await live.addInRoom(facActor, meetingId, `Participant·e ${i}`);
    const proposalId = await live.draft(facActor, meetingId, { title: 'Banc', tension: 'T', text: 'Texte', criteria: '', reviewDate: null, validitySet: 's3' });
    await live.act(facActor, meetingId, proposalId, actionCommand('presenter', { reponses: {} }));
    await live.act(facActor, meetingId, proposalId, actionCommand('ouvrir-clarification', { reponses: {} }));

    // A signed-in session, through the real sign-in form.
    const signInPage = await get(port, '/connexion', {});
    const pre = signInPage.cookies.map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(signInPage.body)![1]!;
    const cookie = await new Promise<string>((resolve, reject) => {
      const body = new URLSearchParams({ _csrf: csrf, email: `fac-${stamp}@bench.local`, password: 'un mot de passe de banc' }).toString();
      const req = http.request(
        { host: '127.0.0.1', port, path: '/connexion', method: 'POST', headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' } },
        (res) => {
          res.resume();
          resolve(((res.headers['set-cookie'] as string[]) ?? []).map((c) => c.split(';')[0]).join('; '));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

    // Open N streams and time how long one signal takes to reach the last of them.
    async function openStreams(n: number): Promise<{ waitAll: () => Promise<number>; close: () => void }> {
      const pending: ((t: number) => void)[] = [];
      const sockets: http.ClientRequest[] = [];
      let seen = 0;
      let target = 0;
      let resolveAll: ((t: number) => void) | null = null;
      await Promise.all(
        Array.from(
          { length: n },
          () =>
            new Promise<void>((ready) => {
              const req = http.get({ host: '127.0.0.1', port, path: `/seances/${meetingId}/flux`, headers: { cookie, accept: 'text/event-stream' } }, (res) => {
                ready();
                res.setEncoding('utf8');
                res.on('data', (chunk: string) => {
                  if (chunk.includes('event: changed')) {
                    seen += 1;
                    if (resolveAll && seen >= target) resolveAll(performance.now());
                  }
                });
              });
              sockets.push(req);
            }),
        ),
      );
      void pending;
      return {
        waitAll: () => {
          target = seen + n;
          return new Promise<number>((r) => (resolveAll = r));
        },
        close: () => sockets.forEach((s) => s.destroy()),
      };
    }
    const fanout = async (n: number, rounds: number) => {
      const s = await openStreams(n);
      const samples: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const done = s.waitAll();
        const t = performance.now();
        await bus.publish({ name: 'meeting-changed', meetingId: meetingId });
        samples.push((await done) - t);
      }
      s.close();
      return stats(samples.slice(3));
    };
    const one = await fanout(1, 40);
    const many = await fanout(streams, 40);

    const refresh: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < 60; i++) {
      let t = performance.now();
      const r = await get(port, `/seances/${meetingId}/participant`, { cookie, 'hx-request': 'true', 'hx-target': 'live' });
      if (r.status !== 200) throw new Error(`bench: fragment ${r.status}`);
      refresh.push(performance.now() - t);
      t = performance.now();
      await get(port, '/healthz', {});
      floor.push(performance.now() - t);
    }
    console.log(`\n${label}: live updates of a meeting with ${streams} people present`);
    console.log(row(`fan-out: signal → ${streams} open streams`, many));
    console.log(row('baseline: signal → 1 open stream', one));
    console.log(row(`refresh: participant fragment (${streams} in round)`, stats(refresh.slice(10))));
    console.log(row('baseline: GET /healthz', stats(floor.slice(10))));
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await bus.close();
  }
}
