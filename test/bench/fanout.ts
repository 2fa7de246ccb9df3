/**
 * The live fan-out end to end, from outside: the app runs in its own process (as in production,
 * NODE_ENV=production) on PostgreSQL; N participants hold the meeting's event stream over real
 * HTTP and behave as the browser does (`changed`: re-fetch #live; `live`: the fragment is in the
 * message; `mine`: re-fetch one's own part). Measured: the time from the triggering POST (the
 * speaker's « passer ») to each client holding the new state, over several changes; lost updates;
 * the same clients fetching /healthz as the baseline; the app's RSS at rest, with the streams open,
 * and its peak (VmHWM) during the fan-outs.
 *
 *   DATABASE_URL=postgres://… [APP_ROOT=dir] npx tsx test/bench/fanout.ts [clients=200] [changes=12] [streams for memory=500]
 *
 * Asserts nothing; prints figures.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import { createAccount, createCircle } from '../../src/accounts/account.service.ts';
import { createMeeting } from '../../src/meetings/meeting.service.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { LiveMeetingService } from '../../src/meetings/live.service.ts';
import { actionCommand } from '../../src/proposals/actions.ts';
import { insertPerson } from '../../src/accounts/accounts.repository.ts';
import { insertMember } from '../../src/meetings/meetings.repository.ts';
import { openSession } from '../../src/accounts/sessions.ts';
import { stats } from './stats.ts';

// APP_ROOT: another checkout to measure (a baseline), with the same database
const root = process.env.APP_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLIENTS = Number(process.argv[2] ?? 200);
const CHANGES = Number(process.argv[3] ?? 12);
const MEMORY_STREAMS = Number(process.argv[4] ?? 500);
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required (bash .ci/postgres.sh start DIR)');

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function request(port: number, method: string, p: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function rss(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)![1]) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

// ---- seed: a facilitator, a proposal in its clarification round, N guests present with a session each
const database = await openDatabase({ databaseUrl: url, pgliteDir: '' });
await migrateToLatest(database.db);
const stamp = Date.now().toString(36);
const people = Math.max(CLIENTS, MEMORY_STREAMS);
const admin = await createAccount(database.db, 'system', {
  email: `a-${stamp}@bench.local`,
  displayName: 'Admin',
  role: 'admin',
  password: 'un mot de passe de banc',
});
const fac = await createAccount(database.db, 'system', {
  email: `f-${stamp}@bench.local`,
  displayName: 'Facilitation',
  role: 'facilitator',
  password: 'un mot de passe de banc',
});
if (!admin.ok || !fac.ok) throw new Error('bench: accounts');
const facActor = { kind: 'account', personId: fac.personId, role: 'facilitator', displayName: 'Facilitation' } as const;
const circle = await createCircle(
  database.db,
  { kind: 'account', personId: admin.personId, role: 'admin', displayName: 'Admin' },
  { name: `Banc ${stamp}`, description: '' },
);
if (!circle.ok) throw new Error('bench: circle');
const meeting = await createMeeting(database.db, facActor, { circleId: circle.id, title: 'Banc', scheduledFor: new Date() });
if (!meeting.ok) throw new Error('bench: meeting');
const meetingId = meeting.id;
const guests: { personId: string; cookie: string; csrf: string }[] = [];
for (let i = 0; i < people; i++) {
  const personId = await insertPerson(database.db, `Participant·e ${i}`);
  await insertMember(database.db, { meetingId, personId, role: 'participant', isGuest: true, present: true, hasDevice: true });
  const s = await openSession(database.db, { kind: 'guest', personId, meetingId });
  guests.push({ personId, cookie: `so_session=${s.token}`, csrf: s.csrfToken });
}
const live = new LiveMeetingService({ db: database.db, proposals: new ProposalService({ db: database.db }) });
const proposalId = await live.draft(facActor, meetingId, { title: 'Banc', tension: 'T', text: 'Texte', criteria: '', reviewDate: null, validitySet: 's3' });
await live.act(facActor, meetingId, proposalId, actionCommand('presenter', { reponses: {} }));
await live.act(facActor, meetingId, proposalId, actionCommand('ouvrir-clarification', { reponses: {} }));
await database.close();

// ---- the app, in its own process
const port = await freePort();
const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
  cwd: root,
  env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'silent', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url, SSE_MAX_STREAMS: '5000' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
// the app never outlives the bench, however it ends
process.on('exit', () => child.kill('SIGKILL'));
process.on('SIGTERM', () => process.exit(1));
for (let i = 0; ; i++) {
  const ok = await request(port, 'GET', '/healthz', {}).then(
    (r) => r.status === 200,
    () => false,
  );
  if (ok) break;
  if (i > 300) throw new Error('bench: the app did not start');
  await new Promise((r) => setTimeout(r, 100));
}
const view = `/seances/${meetingId}/participant?proposition=${proposalId}`;
// warm the view cache and the JIT like a meeting that has been going for a while
for (let i = 0; i < 20; i++) await request(port, 'GET', view, { cookie: guests[i % guests.length]!.cookie, 'hx-request': 'true', 'hx-target': 'live' });
const idle = rss(child.pid!);

interface Client {
  seq: number;
  /** a re-fetch of one's own part is under way or was asked for this change */
  minePending: number;
  onUpdate: () => void;
  res?: http.IncomingMessage;
}
const seqOf = (text: string) => Number(/data-seq="(\d+)"/.exec(text)?.[1] ?? -1);

/** Opens one stream and plays the browser's part on it. */
async function connect(g: (typeof guests)[number], client: Client): Promise<void> {
  // the stream the page opens (with what the page was drawn from), as a browser does
  const page = await request(port, 'GET', view, { cookie: g.cookie });
  const found = /sse-connect="([^"]+)"/.exec(page.text);
  const streamPath = found ? found[1]!.replace(/&amp;/g, '&') : `/seances/${meetingId}/flux`;
  return new Promise((ready, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: streamPath, headers: { cookie: g.cookie, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`bench: stream ${res.statusCode}`));
      client.res = res;
      res.on('error', () => {});
      ready();
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(message)?.[1];
          const data = message
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(l.startsWith('data: ') ? 6 : 5))
            .join('\n');
          if (event === 'changed') {
            void request(port, 'GET', view, { cookie: g.cookie, 'hx-request': 'true', 'hx-target': 'live' }).then(
              (r) => {
                client.seq = Math.max(client.seq, seqOf(r.text));
                client.onUpdate();
              },
              () => {},
            );
          } else if (event === 'live') {
            client.seq = Math.max(client.seq, seqOf(data));
            client.onUpdate();
          } else if (event === 'mine') {
            client.minePending += 1;
            void request(port, 'GET', `${view}&part=mine`, { cookie: g.cookie, 'hx-request': 'true', 'hx-target': 'mine-refresh' }).then(
              () => {
                client.minePending -= 1;
                client.onUpdate();
              },
              () => {},
            );
          }
        }
      });
    });
    req.on('error', reject);
  });
}

process.on('unhandledRejection', () => {});
const clients: Client[] = [];
for (let i = 0; i < CLIENTS; i++) {
  const c: Client = { seq: 0, minePending: 0, onUpdate: () => {} };
  clients.push(c);
  await connect(guests[i]!, c);
}
const withStreams = rss(child.pid!);

// ---- the changes: the speaker passes; each client is done when it holds the new seq (and its own part, if asked)
const samples: number[] = [];
let lost = 0;
let seq = (await request(port, 'GET', view, { cookie: guests[0]!.cookie, 'hx-request': 'true', 'hx-target': 'live' }).then((r) => seqOf(r.text))) || 0;
let peakSampled = 0;
const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, rss(child.pid!).rss)), 10);
for (let k = 0; k < CHANGES; k++) {
  const speaker = guests[k]!;
  const target = seq + 1;
  const t0 = performance.now();
  const times: number[] = [];
  const done = new Promise<void>((resolve) => {
    let left = clients.length;
    clients.forEach((c) => {
      let finished = false;
      c.onUpdate = () => {
        if (finished || c.seq < target || c.minePending > 0) return;
        finished = true;
        times.push(performance.now() - t0);
        if (--left === 0) resolve();
      };
    });
  });
  const r = await request(
    port,
    'POST',
    `/seances/${meetingId}/propositions/${proposalId}/passer`,
    { cookie: speaker.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    new URLSearchParams({ _csrf: speaker.csrf, retour: 'participant' }).toString(),
  );
  if (r.status !== 303) throw new Error(`bench: passer ${r.status} ${r.text.slice(0, 300)}`);
  // a client still without the new state after 30 s counts as lost
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000));
  if ((await Promise.race([done, timeout])) === 'timeout') lost += clients.length - times.length;
  samples.push(...times);
  seq = target;
  await new Promise((r) => setTimeout(r, 200));
}
clearInterval(sampler);

// ---- baseline: the same clients each fetching /healthz at once
const floor: number[] = [];
for (let k = 0; k < CHANGES; k++) {
  const t0 = performance.now();
  await Promise.all(clients.map(() => request(port, 'GET', '/healthz', {}).then(() => floor.push(performance.now() - t0))));
}

// ---- memory with MEMORY_STREAMS open streams, and its peak during fan-outs to all of them
for (let i = CLIENTS; i < MEMORY_STREAMS; i++) {
  const c: Client = { seq: 0, minePending: 0, onUpdate: () => {} };
  clients.push(c);
  await connect(guests[i]!, c);
}
const many = rss(child.pid!);
let peakMany = 0;
const sampler2 = setInterval(() => (peakMany = Math.max(peakMany, rss(child.pid!).rss)), 10);
for (let k = CHANGES; k < CHANGES + 3; k++) {
  const speaker = guests[k]!;
  await request(
    port,
    'POST',
    `/seances/${meetingId}/propositions/${proposalId}/passer`,
    { cookie: speaker.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    new URLSearchParams({ _csrf: speaker.csrf, retour: 'participant' }).toString(),
  );
  await new Promise((r) => setTimeout(r, 1500));
}
clearInterval(sampler2);
const end = rss(child.pid!);

const fmt = (s: ReturnType<typeof stats>, max: number) => `p50 ${s.p50.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms, max ${max.toFixed(0)} ms (n=${s.n})`;
console.log(`fan-out to ${CLIENTS} participants, ${CHANGES} changes: ${fmt(stats(samples), Math.max(...samples))}; lost ${lost}`);
console.log(`baseline, the same clients fetching /healthz: ${fmt(stats(floor), Math.max(...floor))}`);
console.log(`ratio p95: ${(stats(samples).p95 / stats(floor).p95).toFixed(1)}×`);
console.log(
  `app RSS: idle ${idle.rss.toFixed(0)} MiB; ${CLIENTS} streams ${withStreams.rss.toFixed(0)} MiB, peak during fan-outs ${peakSampled.toFixed(0)} MiB; ` +
    `${MEMORY_STREAMS} streams ${many.rss.toFixed(0)} MiB, peak during fan-outs ${peakMany.toFixed(0)} MiB; VmHWM ${end.hwm.toFixed(0)} MiB`,
);
for (const c of clients) c.res?.destroy();
agent.destroy();
child.kill('SIGTERM');
