import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { Express } from 'express';
import request from 'supertest';
import { SignalBus } from '../../src/realtime/bus.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { listen, type Listening } from '../helpers/server.ts';
import { seedAccount, seedCircle, seedMeeting, signIn } from '../helpers/auth.ts';
import { insertPerson } from '../../src/accounts/accounts.repository.ts';
import { insertMember } from '../../src/meetings/meetings.repository.ts';
import { openSession } from '../../src/accounts/sessions.ts';
import { LiveMeetingService } from '../../src/meetings/live.service.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { actionCommand } from '../../src/proposals/actions.ts';
import { DotVoteService } from '../../src/meetings/dot-vote.service.ts';
import type { Actor } from '../../src/accounts/policy.ts';
import { eventReader, type ServerEvent } from '../helpers/event-stream.ts';

let database: TestDatabase;
let bus: SignalBus;
let app: Express;
let server: Listening;
let port: number;
const renders: string[] = [];
let meetingId: string;
let proposalId: string;
let facilitatorCookie: string;
const guests: { personId: string; cookie: string; csrf: string }[] = [];
let live: LiveMeetingService;
let facilitator: Actor;

beforeAll(async () => {
  database = await createTestDatabase();
  bus = new SignalBus(database);
  await bus.start();
  app = buildApp(database, {
    bus,
    liveRender: (render) => (view, locals) => {
      renders.push(view);
      return render(view, locals);
    },
  });
  const admin = await seedAccount(database.db, 'admin');
  const fac = await seedAccount(database.db, 'facilitator');
  ({ id: meetingId } = await seedMeeting(database.db, fac.actor, await seedCircle(database.db, admin.actor)));
  for (let i = 0; i < 5; i++) {
    const personId = await insertPerson(database.db, `Personne ${i}`);
    await insertMember(database.db, { meetingId, personId, role: 'participant', isGuest: true, present: true, hasDevice: true });
    const s = await openSession(database.db, { kind: 'guest', personId, meetingId });
    guests.push({ personId, cookie: `so_session=${s.token}`, csrf: s.csrfToken });
  }
  live = new LiveMeetingService({ db: database.db, proposals: new ProposalService({ db: database.db }) });
  facilitator = fac.actor;
  proposalId = await live.draft(fac.actor, meetingId, { title: 'Un texte', tension: 'T', text: 'Texte', criteria: '', reviewDate: null, validitySet: 's3' });
  await live.act(fac.actor, meetingId, proposalId, actionCommand('presenter', { reponses: {} }));
  await live.act(fac.actor, meetingId, proposalId, actionCommand('ouvrir-clarification', { reponses: {} }));
  facilitatorCookie = (await signIn(app, fac.email)).cookie;
  server = await listen(app);
  port = server.port;
});
afterAll(async () => {
  await server.close();
  await bus.close();
  await database.dispose();
});

/** An open stream that collects its messages; `next(event)` waits for the next one of that name. */
function open(path: string, cookie: string, headers: Record<string, string> = {}) {
  const messages: ServerEvent[] = [];
  let wake: (() => void) | null = null;
  let req!: http.ClientRequest;
  const ready = new Promise<void>((resolve, reject) => {
    req = http.get({ host: '127.0.0.1', port, path, headers: { cookie, ...headers } }, (res) => {
      expect(res.statusCode).toBe(200);
      res.setEncoding('utf8');
      res.on(
        'data',
        eventReader((e) => {
          messages.push(e);
          wake?.();
        }),
      );
      resolve();
    });
    req.on('error', reject);
  });
  let read = 0;
  return {
    ready,
    messages,
    /** Resolves with the messages received up to and including the next `event`. */
    async until(event: string): Promise<ServerEvent[]> {
      for (;;) {
        const at = messages.findIndex((m, i) => i >= read && m.event === event);
        if (at >= 0) {
          const got = messages.slice(read, at + 1);
          read = at + 1;
          return got;
        }
        await new Promise<void>((r) => (wake = r));
      }
    },
    close: () => req.destroy(),
  };
}

/** The stream a participant's page opens, as the page says (with the fingerprint of its own part). */
async function pushed(g: { cookie: string }): Promise<string> {
  const page = await request(app).get(`/seances/${meetingId}/participant?proposition=${proposalId}`).set('Cookie', g.cookie).expect(200);
  return /sse-connect="([^"]+)"/.exec(page.text)![1]!.replace(/&amp;/g, '&');
}

describe('the participant view pushed on the stream', () => {
  it('when the speaker passes, then every participant receives the new #live itself, rendered once, and only those whose turn changed are told to fetch their own part', async () => {
    const streams = await Promise.all(guests.map(async (g) => open(await pushed(g), g.cookie)));
    const consoleStream = open(`/seances/${meetingId}/flux?vue=console`, facilitatorCookie);
    await Promise.all([...streams, consoleStream].map((s) => s.ready));
    const before = renders.filter((r) => r.endsWith('/_shared')).length;

    await request(app)
      .post(`/seances/${meetingId}/propositions/${proposalId}/passer`)
      .set('Cookie', guests[0]!.cookie)
      .type('form')
      .send({ _csrf: guests[0]!.csrf, retour: 'participant' })
      .expect(303);
    const first = await Promise.all(streams.map((s) => s.until('live')));
    for (const got of first) {
      const live = got[got.length - 1]!;
      expect(live.data.trimStart()).toMatch(/^<div id="live" data-proposal="[^"]+" data-seq="\d+"/);
      // the person's own parts are left in place by htmx (hx-preserve), and they say whose turn it is now
      expect(live.data).toContain('<div id="mine-actions" class="mine" hx-preserve');
      expect(live.data).toContain('<div id="mine-turn" class="mine" hx-preserve');
      expect(live.data).toContain('<p id="announce" hx-swap-oob="innerHTML">');
      expect(live.data).toContain('Personne 1');
      expect(live.data).not.toContain('data-me');
      expect(live.data).not.toContain('_csrf');
    }
    expect(new Set(first.map((got) => got[got.length - 1]!.data)).size).toBe(1);
    expect(renders.filter((r) => r.endsWith('/_shared')).length - before).toBe(1);
    // the console, one of a kind, is told to look again
    expect((await consoleStream.until('changed')).length).toBeGreaterThan(0);

    // a second change (presence): by the time its #live arrives, every `mine` of the first has arrived too
    await bus.publish({ name: 'meeting-changed', meetingId });
    const second = await Promise.all(streams.map((s) => s.until('live')));
    const told = second.map((got) => got.some((m) => m.event === 'mine'));
    expect(told).toEqual([true, true, false, false, false]);
    // a stream opened without the fingerprint of its page fetches its own part at the first change
    const blind = open(`/seances/${meetingId}/flux?vue=participant&proposition=${proposalId}`, guests[4]!.cookie);
    await blind.ready;
    await bus.publish({ name: 'meeting-changed', meetingId });
    expect((await blind.until('live')).length).toBeGreaterThan(0);
    await bus.publish({ name: 'meeting-changed', meetingId });
    const third = await Promise.all([...streams, blind].map((s) => s.until('live')));
    expect(third.map((got) => got.some((m) => m.event === 'mine'))).toEqual([false, false, false, false, false, true]);
    blind.close();

    // the one told fetches their own part: « À vous » and the forms of a turn, out of band
    const mine = await request(app)
      .get(`/seances/${meetingId}/participant?proposition=${proposalId}&part=mine`)
      .set('Cookie', guests[1]!.cookie)
      .set('HX-Request', 'true')
      .set('HX-Target', 'mine-refresh')
      .expect(200);
    expect(mine.text).toContain('<div id="mine-turn" class="mine" hx-swap-oob="true"');
    expect(mine.text).toContain('id="your-turn"');
    expect(mine.text).toContain('id="btn-passer"');
    expect(mine.text).toContain(`value="${guests[1]!.csrf}"`);
    expect(mine.text).not.toContain('id="live"');
    for (const s of [...streams, consoleStream]) s.close();
  });

  it('when a pushed browser reconnects with Last-Event-ID, then it is told to fetch everything again', async () => {
    const s = open(await pushed(guests[2]!), guests[2]!.cookie, { 'Last-Event-ID': '1795630000000-3' });
    await s.ready;
    const got = await s.until('changed');
    expect(got[got.length - 1]!.data).toBe('reconnected');
    s.close();
  });

  it('when a participant places a dot, then everyone gets the new bars, each told to fetch their own part, and only the voter’s counts the dot', async () => {
    const draft = (title: string) =>
      live.draft(facilitator, meetingId, { title, tension: 'T', text: 'Texte', criteria: '', reviewDate: null, validitySet: 's3' });
    const first = await draft('Le jardin partagé');
    await draft('Les horaires de la médiathèque');
    await new DotVoteService({ db: database.db, publisher: bus }).handle(facilitator, meetingId, { type: 'open' });
    const streams = await Promise.all(guests.slice(0, 3).map(async (g) => open(await pushed(g), g.cookie)));
    await Promise.all(streams.map((s) => s.ready));

    await request(app)
      .post(`/seances/${meetingId}/vote-a-points/voix`)
      .set('Cookie', guests[0]!.cookie)
      .type('form')
      .send({ _csrf: guests[0]!.csrf, retour: 'participant', proposition: first, sens: 'ajouter' })
      .expect(303);
    const got = await Promise.all(streams.map((s) => s.until('live')));
    for (const messages of got) {
      const shared = messages[messages.length - 1]!.data;
      // the bars and the forms are each person's own: a slot in what everyone gets
      expect(shared).toContain('<div id="mine-dots" class="mine" hx-preserve');
      expect(shared).not.toContain('dot-add');
    }
    // whoever may vote sees the bars move in their own part: all three are told to fetch it
    await Promise.all(streams.map((s) => s.until('mine')));
    const mine = async (g: { cookie: string }) =>
      (
        await request(app)
          .get(`/seances/${meetingId}/participant?proposition=${proposalId}&part=mine`)
          .set('Cookie', g.cookie)
          .set('HX-Request', 'true')
          .expect(200)
      ).text;
    const voter = await mine(guests[0]!);
    const other = await mine(guests[1]!);
    for (const html of [voter, other]) expect(html).toMatch(new RegExp(`data-item="${first}" data-dots="1"`));
    expect(voter).toContain('dot-remove');
    expect(other).not.toContain('dot-remove');
    for (const s of streams) s.close();
  });
});
