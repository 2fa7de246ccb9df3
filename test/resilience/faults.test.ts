/**
 * Faults a real meeting meets, on a PostgreSQL 15 of this test's own (it stops and starts it):
 *   - the database stops for 10 s mid-meeting: a French 503 within a bounded time (no hang),
 *     /healthz says so, the live streams end (the views say « connexion perdue, reprise… »), and
 *     once the server is back the app recovers without a restart, LISTEN included; no
 *     acknowledged write is lost;
 *   - the app is killed (SIGKILL) while everyone presses « Passer »: after a restart the read
 *     models equal the fold of the log, every acknowledged turn is in it, and a live stream that
 *     reconnects is told to look again.
 * The app runs as `npm start` runs it, in a child process.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import { LiveMeetingService } from '../../src/meetings/live.service.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { verifyReadModels } from '../../src/ledger/read-models.ts';
import { PASSWORD, seedAccount, seedCircle, seedMeeting } from '../helpers/auth.ts';
import { startServer, type RunningServer } from '../e2e/support.ts';
import { Device, within } from './client.ts';

const OUTAGE_MS = Number(process.env.OUTAGE_SECONDS ?? 10) * 1000;
const SCRIPT = path.resolve(import.meta.dirname, '../../.ci/postgres.sh');
const postgres = (command: 'start' | 'stop' | 'halt' | 'resume', dir: string): string => execFileSync('bash', [SCRIPT, command, dir], { encoding: 'utf8' });

let pgDir: string;
let database: Database;
let server: RunningServer;
let url: string;
let seed: { admin: Awaited<ReturnType<typeof seedAccount>>; fac: Awaited<ReturnType<typeof seedAccount>>; circleId: string };

/** A séance with a proposal drafted by its facilitator, and the path of its actions. */
async function meeting(): Promise<{ meetingId: string; code: string; proposalId: string; action: (name: string) => string }> {
  const { id: meetingId, code } = await seedMeeting(database.db, seed.fac.actor, seed.circleId);
  const live = new LiveMeetingService({ db: database.db, proposals: new ProposalService({ db: database.db }) });
  const proposalId = await live.draft(seed.fac.actor, meetingId, {
    title: 'Horaires d’été',
    tension: 'Il fait trop chaud l’après-midi.',
    text: 'Ouvrir de 7 h à 14 h en juillet.',
    criteria: '',
    reviewDate: null,
    validitySet: 'importante_argumentee',
  });
  return { meetingId, code, proposalId, action: (name) => `/seances/${meetingId}/propositions/${proposalId}/${name}` };
}

async function eventTypes(proposalId: string): Promise<string[]> {
  return (await database.db.selectFrom('events').select('type').where('stream_id', '=', proposalId).orderBy('seq').execute()).map((e) => e.type);
}

beforeAll(async () => {
  pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'so-faults-pg-'));
  url = /export DATABASE_URL=(\S+)/.exec(postgres('start', pgDir))![1]!;
  database = await openDatabase({ databaseUrl: url, pgliteDir: '' });
  await migrateToLatest(database.db);
  const admin = await seedAccount(database.db, 'admin');
  const fac = await seedAccount(database.db, 'facilitator', { name: 'Farid Facilitateur' });
  seed = { admin, fac, circleId: await seedCircle(database.db, admin.actor) };
  server = await startServer({ DATABASE_URL: url, LOG_LEVEL: 'error' });
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
  if (pgDir) postgres('stop', pgDir);
});

describe('the database stops for a while mid-meeting', () => {
  it('when PostgreSQL is down, then pages and forms get a French 503 at once, /healthz says so and streams end; when it is back, the same app goes on, signals included, and nothing acknowledged is lost', async () => {
    const m = await meeting();
    const facilitator = new Device(server.url);
    await facilitator.signIn(seed.fac.email, PASSWORD);
    const guest = new Device(server.url);
    await guest.join(m.code, 'Gaëlle Invitée');
    expect((await facilitator.request(m.action('presenter'), { form: { retour: 'console' } })).status).toBe(303);
    const stream = guest.stream(m.meetingId);
    expect(await stream.opened).toBe(200);

    const cut = Date.now();
    postgres('halt', pgDir);
    // the views are told at once: their stream ends, and the browser shows « connexion perdue »
    await within(stream.ended, 20_000, 'the live stream ends');
    const health = await facilitator.request('/healthz', { timeoutMs: 20_000 });
    expect(health.status).toBe(503);
    expect(JSON.parse(health.text)).toMatchObject({ status: 'unavailable' });
    const page = await facilitator.request(`/seances/${m.meetingId}/console`, { timeoutMs: 20_000 });
    expect(page.status).toBe(503);
    expect(page.text).toContain('La base de données ne répond pas pour l’instant');
    expect(page.headers.get('retry-after')).toBe('5');
    const refused = await facilitator.request(m.action('ouvrir-clarification'), { form: { retour: 'console' }, timeoutMs: 20_000 });
    expect(refused.status).toBe(503);
    expect(refused.text).toContain('rien n’a été enregistré');
    const reconnecting = guest.stream(m.meetingId);
    expect(await within(reconnecting.opened, 20_000, 'a stream asked during the outage')).toBe(503);
    reconnecting.close();

    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - cut))));
    postgres('resume', pgDir);
    // the same process recovers: no restart
    const deadline = Date.now() + 30_000;
    while ((await facilitator.request('/healthz').catch(() => ({ status: 0 }))).status !== 200) {
      if (Date.now() > deadline) throw new Error(`the app did not recover:\n${server.output()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const back = guest.stream(m.meetingId);
    expect(await back.opened).toBe(200);
    // LISTEN is in place again: a change made now reaches the stream (it went through NOTIFY and back)
    const listenDeadline = Date.now() + 30_000;
    let answer = await facilitator.request(m.action('ouvrir-clarification'), { form: { retour: 'console' } });
    while (answer.status === 503 && Date.now() < listenDeadline) {
      await new Promise((r) => setTimeout(r, 250));
      answer = await facilitator.request(m.action('ouvrir-clarification'), { form: { retour: 'console' } });
    }
    expect(answer.status).toBe(303);
    await back.waitFor(1);
    back.close();

    expect(await eventTypes(m.proposalId)).toEqual(['ProposalCreated', 'ProposalPresented', 'ClarificationRoundStarted']);
    const report = await verifyReadModels(database.db);
    expect(report.differences).toEqual([]);
    expect(report.replayFailures).toEqual([]);
  });
});

describe('the app is killed mid-meeting', () => {
  it('when the process is killed while everyone presses « Passer », then after a restart the read models equal the fold of the log, every acknowledged turn is in it, and a reconnecting stream is told to look again', async () => {
    const m = await meeting();
    const facilitator = new Device(server.url);
    await facilitator.signIn(seed.fac.email, PASSWORD);
    const guests = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const d = new Device(server.url);
        await d.join(m.code, `Participant·e ${i + 1}`);
        return d;
      }),
    );
    expect((await facilitator.request(m.action('presenter'), { form: { retour: 'console' } })).status).toBe(303);
    expect((await facilitator.request(m.action('ouvrir-clarification'), { form: { retour: 'console' } })).status).toBe(303);
    const stream = guests[0]!.stream(m.meetingId);
    expect(await stream.opened).toBe(200);

    // everyone presses « Passer » until it is accepted; the app dies after the third acknowledgement
    const acknowledged = new Set<number>();
    let dead = false;
    const killed = new Promise<void>((resolve) => {
      const presses = guests.map(async (g, i) => {
        while (!dead && !acknowledged.has(i)) {
          const res = await g.request(m.action('passer'), { form: {} }).catch(() => null);
          if (res?.status === 303) {
            acknowledged.add(i);
            if (acknowledged.size === 3) {
              dead = true;
              await server.kill();
              resolve();
            }
          }
        }
      });
      void Promise.all(presses).then(() => resolve());
    });
    await within(killed, 60_000, 'three turns acknowledged');
    await within(stream.ended, 10_000, 'the stream of the killed app ends');
    const lastId = stream.lastEventId();

    const port = new URL(server.url).port;
    server = await startServer({ DATABASE_URL: url, LOG_LEVEL: 'error', PORT: port });
    const report = await verifyReadModels(database.db);
    expect(report.differences).toEqual([]);
    expect(report.replayFailures).toEqual([]);
    const names = await database.db
      .selectFrom('events as e')
      .innerJoin('persons as p', 'p.id', 'e.actor_id')
      .select('p.display_name')
      .where('e.stream_id', '=', m.proposalId)
      .where('e.type', '=', 'TurnPassed')
      .execute();
    const recorded = new Set(names.map((n) => n.display_name));
    for (const i of acknowledged) expect(recorded).toContain(`Participant·e ${i + 1}`);

    // the browser reconnects as EventSource does, with the last id it saw: it is told to look again
    const again = guests[0]!.stream(m.meetingId, lastId ?? 'before-the-crash');
    expect(await again.opened).toBe(200);
    expect(await again.waitFor(1)).toEqual(['reconnected']);
    again.close();
    // and the meeting goes on where it was
    const console = await facilitator.request(`/seances/${m.meetingId}/console`);
    expect(console.status).toBe(200);
  });
});
