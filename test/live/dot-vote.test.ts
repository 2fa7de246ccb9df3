/**
 * The dot vote (« C’est mon choix ») on a real séance's agenda, over plain HTTP: the facilitator
 * opens it, participants place their dots, the bars follow, and closing it stores the order the
 * agenda follows; every refused action says why in French and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { csrfOf, fingerprint, joinAsGuest, seedAccount, seedCircle, signIn, type Session, joinWithAccount } from '../helpers/auth.ts';
import { createMeeting } from '../../src/meetings/meeting.service.ts';
import { readableSpaced as readable } from '../helpers/html.ts';

let database: TestDatabase;
let app: Express;
let meetingId: string;
let facilitator: Session;
let observer: Session;
let alice: Session;
let bob: Session;
let carole: Session;
const items: Record<'budget' | 'horaires' | 'teletravail', string> = { budget: '', horaires: '', teletravail: '' };

const post = (who: Session, path: string, fields: Record<string, string> = {}) =>
  who.agent
    .post(`/seances/${meetingId}/vote-a-points/${path}`)
    .type('form')
    .send({ _csrf: who.csrf, ...fields });
const dot = (who: Session, item: string, sens: 'ajouter' | 'retirer' = 'ajouter') => post(who, 'voix', { proposition: item, sens, retour: 'participant' });
/** The bars' order on a page: item id and its dots. */
const bars = (html: string) => [...html.matchAll(/data-item="([0-9a-f-]{36})" data-dots="(\d+)"/g)].map((m) => `${m[1]}:${m[2]}`);
const agendaOrder = async () =>
  (await database.db.selectFrom('agenda_order').select(['proposal_id', 'rank']).where('meeting_id', '=', meetingId).orderBy('rank').execute()).map(
    (r) => r.proposal_id,
  );

async function draft(title: string): Promise<string> {
  const form = await facilitator.agent.get(`/seances/${meetingId}/propositions/nouvelle`).expect(200);
  await facilitator.agent
    .post(`/seances/${meetingId}/propositions`)
    .type('form')
    .send({ _csrf: csrfOf(form.text), title, tension: 'Une tension vécue.', text: 'Un texte à décider.', validitySet: 'importante_argumentee' })
    .expect(303);
  return (await database.db.selectFrom('proposals').select('id').where('title', '=', title).executeTakeFirstOrThrow()).id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  const admin = await seedAccount(database.db, 'admin');
  const fac = await seedAccount(database.db, 'facilitator', { name: 'Farid Facilitateur' });
  const elue = await seedAccount(database.db, 'observer', { name: 'Élise Élue' });
  const circle = await seedCircle(database.db, admin.actor, 'Direction générale');
  const created = await createMeeting(database.db, fac.actor, {
    circleId: circle,
    title: 'Séance de direction',
    scheduledFor: new Date('2026-11-26T13:30:00Z'),
  });
  if (!created.ok) throw new Error('meeting not created');
  meetingId = created.id;
  const code = (await database.db.selectFrom('meetings').select('join_code').where('id', '=', meetingId).executeTakeFirstOrThrow()).join_code;
  facilitator = await signIn(app, fac.email);
  observer = await signIn(app, elue.email);
  await joinWithAccount(observer, code);
  alice = await joinAsGuest(app, database.db, code, 'Alice Agente');
  bob = await joinAsGuest(app, database.db, code, 'Bob Habitant');
  carole = await joinAsGuest(app, database.db, code, 'Carole Usagère');
  items.budget = await draft('Budget participatif');
  items.horaires = await draft('Horaires d’ouverture');
  items.teletravail = await draft('Télétravail des agents');
  // the first item is already taken up: it is no longer a candidate, and keeps its place
  await facilitator.agent
    .post(`/seances/${meetingId}/propositions/${items.budget}/presenter`)
    .type('form')
    .send({ _csrf: facilitator.csrf, retour: 'console' })
    .expect(303);
});
afterAll(async () => {
  await database.dispose();
});

describe('the dot vote on a séance’s agenda', () => {
  it('when nobody has opened it, then a dot is refused in French and a participant may not open it; nothing changes', async () => {
    const before = await fingerprint(database.db);
    const early = await dot(alice, items.horaires);
    expect(early.status).toBe(422);
    expect(readable(early.text)).toContain('Aucun vote à points n’est ouvert : la facilitation doit d’abord l’ouvrir.');
    expect(early.text).toContain('id="live"');
    await post(alice, 'ouvrir').expect(403);
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when the facilitator opens it, then the items not yet taken up are offered to everyone, with 2 votes each', async () => {
    const console = readable((await facilitator.agent.get(`/seances/${meetingId}/console`).expect(200)).text);
    expect(console).toContain('Ouvrir le vote à points sur l’ordre du jour');
    await post(facilitator, 'ouvrir').expect(303);
    const page = readable((await alice.agent.get(`/seances/${meetingId}/participant`).expect(200)).text);
    expect(page).toContain('« C’est mon choix » : le vote à points sur l’ordre du jour');
    expect(page).toContain('Il vous reste 2 voix sur 2.');
    expect(bars(page)).toEqual([`${items.horaires}:0`, `${items.teletravail}:0`]);
    // opened twice: refused, nothing changes
    const before = await fingerprint(database.db);
    const again = await post(facilitator, 'ouvrir');
    expect(again.status).toBe(422);
    expect(readable(again.text)).toContain('Un vote à points est déjà ouvert');
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when participants place their dots, then the bars grow and order the items; a third dot, an observer’s, an item taken up or a stranger are refused', async () => {
    await dot(alice, items.teletravail).expect(303);
    await dot(alice, items.teletravail).expect(303);
    await dot(bob, items.horaires).expect(303);
    await dot(bob, items.teletravail).expect(303);
    await dot(carole, items.horaires).expect(303);
    await dot(carole, items.horaires).expect(303);
    await dot(carole, items.horaires, 'retirer').expect(303);
    const projector = (await facilitator.agent.get(`/seances/${meetingId}/projection`).expect(200)).text;
    expect(bars(projector)).toEqual([`${items.teletravail}:3`, `${items.horaires}:2`]);

    const before = await fingerprint(database.db);
    const third = await dot(alice, items.horaires);
    expect(third.status).toBe(422);
    expect(readable(third.text)).toContain('Vous avez posé toutes vos voix : retirez-en une pour la placer ailleurs.');
    const taken = await dot(carole, items.budget);
    expect(taken.status).toBe(422);
    expect(readable(taken.text)).toContain('Ce point ne peut pas recevoir de voix');
    expect((await dot(carole, randomUUID())).status).toBe(422);
    const none = await dot(alice, items.horaires, 'retirer');
    expect(none.status).toBe(422);
    expect(readable(none.text)).toContain('Vous n’avez pas de voix sur ce point : rien à retirer.');
    const bad = await post(alice, 'voix', { proposition: items.horaires, sens: 'doubler' });
    expect(bad.status).toBe(400);
    await dot(observer, items.horaires).expect(403);
    await post(bob, 'clore').expect(403);
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when the facilitator closes it, then the order is stored, the agenda follows it for everyone, and no dot is taken any more', async () => {
    expect(await agendaOrder()).toEqual([]);
    await post(facilitator, 'clore').expect(303);
    // the item taken up stays first; then most dots first
    expect(await agendaOrder()).toEqual([items.budget, items.teletravail, items.horaires]);
    const console = readable((await facilitator.agent.get(`/seances/${meetingId}/console`).expect(200)).text);
    expect(console).toContain('L’ordre du jour suit le vote à points.');
    const agenda = /<ol class="agenda-list">[^]*?<\/ol>/.exec(console)![0];
    expect([...agenda.matchAll(/proposition=([0-9a-f-]{36})/g)].map((m) => m[1])).toEqual([items.budget, items.teletravail, items.horaires]);
    expect(console).not.toContain('Clore le vote et ordonner');

    const before = await fingerprint(database.db);
    const late = await dot(bob, items.horaires);
    expect(late.status).toBe(422);
    expect(readable(late.text)).toContain('Aucun vote à points n’est ouvert');
    const closeAgain = await post(facilitator, 'clore');
    expect(closeAgain.status).toBe(422);
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when the item on the floor is settled, then the next one taken up is the one the dots put first', async () => {
    await facilitator.agent
      .post(`/seances/${meetingId}/propositions/${items.budget}/retirer`)
      .type('form')
      .send({ _csrf: facilitator.csrf, retour: 'console', raison: 'Reporté au prochain budget.' });
    const stage = (await database.db.selectFrom('proposals').select('stage').where('id', '=', items.budget).executeTakeFirstOrThrow()).stage;
    if (stage !== 'withdrawn') return expect.fail(`the first item could not be withdrawn (stage ${stage})`);
    const page = (await alice.agent.get(`/seances/${meetingId}/participant`).expect(200)).text;
    expect(page).toContain(`data-proposal="${items.teletravail}"`);
  });
});
