import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { seedAccount, seedCircle, seedMeeting } from '../helpers/auth.ts';
import { insertPerson } from '../../src/accounts/accounts.repository.ts';
import { insertMember } from '../../src/meetings/meetings.repository.ts';
import { openSession } from '../../src/accounts/sessions.ts';
import { LiveMeetingService } from '../../src/meetings/live.service.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { actionCommand } from '../../src/proposals/actions.ts';
import type { Actor } from '../../src/accounts/policy.ts';

let database: TestDatabase;
let app: Express;
/** Renders of the shared part, counted through the renderer the app is given (not a mock of anything it reads). */
const renders: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database, {
    liveRender: (render) => (view, locals) => {
      renders.push(`${view} ${String(locals.lang)}`);
      return render(view, locals);
    },
  });
});
afterAll(async () => {
  await database.dispose();
});

interface Guest {
  personId: string;
  cookie: string;
  csrf: string;
}

/** A meeting in its clarification round with `n` guests present, each with a session of their own. */
async function seedRound(n: number): Promise<{ meetingId: string; proposalId: string; guests: Guest[]; live: LiveMeetingService; facilitator: Actor }> {
  const admin = await seedAccount(database.db, 'admin');
  const fac = await seedAccount(database.db, 'facilitator');
  const { id: meetingId } = await seedMeeting(database.db, fac.actor, await seedCircle(database.db, admin.actor));
  const guests: Guest[] = [];
  for (let i = 0; i < n; i++) {
    const personId = await insertPerson(database.db, `Personne ${i}`);
    await insertMember(database.db, { meetingId, personId, role: 'participant', isGuest: true, present: true, hasDevice: true });
    const s = await openSession(database.db, { kind: 'guest', personId, meetingId });
    guests.push({ personId, cookie: `so_session=${s.token}`, csrf: s.csrfToken });
  }
  const live = new LiveMeetingService({ db: database.db, proposals: new ProposalService({ db: database.db }) });
  const proposalId = await live.draft(fac.actor, meetingId, {
    title: 'Un texte',
    tension: 'T',
    text: 'Texte',
    criteria: '',
    reviewDate: null,
    validitySet: 's3',
  });
  await live.act(fac.actor, meetingId, proposalId, actionCommand('presenter', { reponses: {} }));
  await live.act(fac.actor, meetingId, proposalId, actionCommand('ouvrir-clarification', { reponses: {} }));
  return { meetingId, proposalId, guests, live, facilitator: fac.actor };
}

const fragment = (meetingId: string, proposalId: string, g: Guest, lang = 'fr') =>
  request(app)
    .get(`/seances/${meetingId}/participant?proposition=${proposalId}`)
    .set('Cookie', `${g.cookie}; lang=${lang}`)
    .set('HX-Request', 'true')
    .set('HX-Target', 'live')
    .expect(200);

const shared = () => renders.filter((r) => r.startsWith('meetings/live/_shared'));
const seqOf = (html: string) => Number(/data-seq="(\d+)"/.exec(html)![1]);

describe('the shared part of a live view', () => {
  it('when N participants fetch their view at one seq, then what they share is rendered once, and each gets their own part', async () => {
    const { meetingId, proposalId, guests } = await seedRound(6);
    const before = shared().length;
    const pages = await Promise.all(guests.map((g) => fragment(meetingId, proposalId, g)));
    expect(shared().length - before).toBe(1);
    expect(new Set(pages.map((p) => seqOf(p.text))).size).toBe(1);

    // the first in the round has « À vous » and the forms of a turn; the others do not, and see whose turn it is
    const [first, second] = pages;
    expect(first!.text).toContain('id="your-turn"');
    expect(first!.text).toContain('id="btn-question"');
    expect(first!.text).toContain(`data-person="${guests[0]!.personId}" data-me`);
    expect(second!.text).not.toContain('id="your-turn"');
    expect(second!.text).not.toContain('id="btn-question"');
    expect(second!.text).toContain('id="no-actions"');
    expect(second!.text).toContain(`data-person="${guests[1]!.personId}" data-me`);
    expect(second!.text).not.toContain(`data-person="${guests[0]!.personId}" data-me`);
    expect(second!.text).toContain('id="turn-banner"');
    // the first one's form carries their session's token, never the other's, and no empty slot is left
    expect(first!.text).toContain(`value="${guests[0]!.csrf}"`);
    expect(second!.text).not.toContain(guests[0]!.csrf);
    for (const p of pages) expect(p.text).not.toContain('hx-preserve');

    // a full page (no JavaScript) is built on the same shared part
    const page = await request(app).get(`/seances/${meetingId}/participant?proposition=${proposalId}`).set('Cookie', guests[2]!.cookie).expect(200);
    expect(page.text).toContain('<html');
    expect(shared().length - before).toBe(1);
  });

  it('when the proposal moves on or the meeting changes, then the next fetch renders the shared part again, once', async () => {
    const { meetingId, proposalId, guests, live, facilitator } = await seedRound(4);
    const first = await fragment(meetingId, proposalId, guests[1]!);
    const count = shared().length;

    await request(app)
      .post(`/seances/${meetingId}/propositions/${proposalId}/passer`)
      .set('Cookie', guests[0]!.cookie)
      .type('form')
      .send({ _csrf: guests[0]!.csrf, retour: 'participant' })
      .expect(303);
    const after = await Promise.all(guests.map((g) => fragment(meetingId, proposalId, g)));
    expect(shared().length - count).toBe(1);
    expect(seqOf(after[1]!.text)).toBeGreaterThan(seqOf(first.text));
    expect(after[1]!.text).toContain('id="your-turn"');
    expect(after[0]!.text).not.toContain('id="your-turn"');

    // someone added in the room changes no proposal seq, but what everyone sees
    await live.addInRoom(facilitator, meetingId, 'Dominique Sans-Téléphone');
    const again = await fragment(meetingId, proposalId, guests[2]!);
    expect(shared().length - count).toBe(2);
    expect(seqOf(again.text)).toBe(seqOf(after[2]!.text));

    // another language is another rendering
    const english = await fragment(meetingId, proposalId, guests[2]!, 'en');
    expect(shared().length - count).toBe(3);
    expect(english.text).toContain('Clarifying round');
  });
});
