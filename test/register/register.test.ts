import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { joinAsGuest, seedAccount, signIn, type SeededAccount, type Session } from '../helpers/auth.ts';
import { decisionMaker, type DecisionMaker } from '../helpers/decisions.ts';
import { registerPage } from '../../src/register/register.service.ts';
import { decodeCursor, EMPTY_FILTERS, parseFilters } from '../../src/register/search.ts';

let database: TestDatabase;
let app: Express;
let observer: SeededAccount;
let reader: Session;
let town: DecisionMaker;
let schools: DecisionMaker;
const ids: Record<string, string> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  town = await decisionMaker(database, { circleName: 'Direction générale' });
  schools = await decisionMaker(database, { circleName: 'Écoles', admin: town.admin });
  ids.waste = await town.decide({
    title: 'Collecte des déchets le samedi',
    text: 'La collecte des encombrants a lieu le premier samedi du mois.',
    objection: 'Les agents ne peuvent pas travailler tous les samedis.',
    amended: 'La collecte des encombrants a lieu le premier samedi du mois, par roulement des équipes.',
    concern: 'Ma préoccupation porte sur le bruit.',
    reviewDate: '2020-06-30',
    at: '2026-01-10T09:00:00.000Z',
  });
  ids.canteen = await schools.decide({
    title: 'Menus végétariens à la cantine',
    text: 'Un menu végétarien par semaine dans les écoles.',
    question: 'Qui prépare les menus\u00a0?',
    answer: 'La cuisine centrale.',
    reaction: 'Les parents seront contents.',
    reviewDate: '2099-01-31',
    at: '2026-02-10T09:00:00.000Z',
  });
  ids.library = await town.decide({ title: 'Horaires de la médiathèque', text: 'Ouvrir le dimanche.', outcome: 'withdrawn', at: '2026-03-10T09:00:00.000Z' });
  ids.pool = await schools.decide({ title: 'Piscine municipale', text: 'Fermer la piscine en août.', outcome: 'postponed', at: '2026-04-10T09:00:00.000Z' });
  observer = await seedAccount(database.db, 'observer');
  reader = await signIn(app, observer.email);
}, 300_000);
afterAll(async () => {
  await database.dispose();
});

const idsOf = (html: string): string[] => [...html.matchAll(/href="\/registre\/([0-9a-f-]{36})"/g)].map((m) => m[1]!);

describe('the register list', () => {
  it('when an observer opens it, then every decided proposal is listed, newest first, with its outcome', async () => {
    const res = await reader.agent.get('/registre').expect(200);
    expect(idsOf(res.text)).toEqual([ids.pool, ids.library, ids.canteen, ids.waste]);
    expect(res.text).toContain('Reportée le 10\u00a0avril 2026'.replace('\u00a0', ' '));
    expect(res.text).toContain('Avis consultatif\u00a0: le conseil décide par délibération.');
    expect(res.headers.vary).toMatch(/HX-Request/);
  });

  it('when a proposal is still under discussion, then it is not in the register', async () => {
    const ongoing = await town.decide({ title: 'Proposition en cours de discussion', text: 'Pas encore décidée.', outcome: 'ongoing' });
    const res = await reader.agent.get('/registre').expect(200);
    expect(res.text).not.toContain(ongoing);
    expect(res.text).not.toContain('Proposition en cours de discussion');
  });

  it('when one searches « objections », then the decision with an objection is found (French stemming), with the words highlighted', async () => {
    const res = await reader.agent.get('/registre').query({ q: 'objections' }).expect(200);
    expect(idsOf(res.text)).toEqual([ids.waste]);
    const res2 = await reader.agent.get('/registre').query({ q: 'samedis travailler' }).expect(200);
    expect(idsOf(res2.text)).toEqual([ids.waste]);
    expect(res2.text).toMatch(/<mark>travailler<\/mark>/);
  });

  it('when one searches without accents (« preoccupation », « vegetarien »), then the accented words are found', async () => {
    const res = await reader.agent.get('/registre').query({ q: 'preoccupation' }).expect(200);
    expect(idsOf(res.text)).toEqual([ids.waste]);
    expect(res.text).toContain('<mark>préoccupation</mark>');
    const res2 = await reader.agent.get('/registre').query({ q: 'VEGETARIENS cuisine' }).expect(200);
    expect(idsOf(res2.text)).toEqual([ids.canteen]);
  });

  it('when one types the start of a word, then it already matches (the list updates as one types)', async () => {
    const res = await reader.agent.get('/registre').query({ q: 'préoc' }).expect(200);
    expect(idsOf(res.text)).toEqual([ids.waste]);
  });

  it('when the search holds markup, then it is shown as text and never run', async () => {
    const res = await reader.agent.get('/registre').query({ q: '<script>alert(1)</script>' }).expect(200);
    expect(res.text).not.toContain('<script>alert(1)</script>');
    expect(idsOf(res.text)).toEqual([]);
  });

  it('when filtering by circle, outcome, period, objections or review, then only the matching decisions remain', async () => {
    const list = async (query: Record<string, string>) => idsOf((await reader.agent.get('/registre').query(query).expect(200)).text);
    expect(await list({ cercle: schools.circleId })).toEqual([ids.pool, ids.canteen]);
    expect(await list({ issue: 'adoptee' })).toEqual([ids.canteen, ids.waste]);
    expect(await list({ issue: 'retiree' })).toEqual([ids.library]);
    expect(await list({ issue: 'reportee', cercle: schools.circleId })).toEqual([ids.pool]);
    expect(await list({ du: '2026-02-01', au: '2026-03-31' })).toEqual([ids.library, ids.canteen]);
    expect(await list({ objections: '1' })).toEqual([ids.waste]);
    expect(await list({ revision: 'depassee' })).toEqual([ids.waste]);
    expect(await list({ revision: 'a-venir' })).toEqual([ids.canteen]);
    expect(await list({ q: 'collecte', cercle: schools.circleId })).toEqual([]);
  });

  it('when a filter is not valid, then a French error says so, what was typed is kept, and the other filters still apply', async () => {
    const res = await reader.agent.get('/registre').query({ du: '2026-13-45', issue: 'retiree', q: 'médiathèque' }).expect(400);
    expect(res.text).toContain('Date invalide');
    expect(res.text).toContain('value="2026-13-45"');
    expect(res.text).toContain('value="médiathèque"');
    expect(idsOf(res.text)).toEqual([ids.library]);
    const bad = await reader.agent.get('/registre').query({ apres: 'pas-un-curseur' }).expect(400);
    expect(bad.text).toContain('Ce lien de page n’est plus valable');
  });

  it('when htmx asks for the result list, then only the list comes back, and the filters stay in the URL of the next page', async () => {
    const res = await reader.agent.get('/registre').query({ q: 'cantine' }).set('HX-Request', 'true').set('HX-Target', 'registre-resultats').expect(200);
    expect(res.text.trimStart()).toMatch(/^<section id="registre-resultats"/);
    expect(res.text).not.toContain('<html');
    expect(idsOf(res.text)).toEqual([ids.canteen]);
    const full = await reader.agent.get('/registre').expect(200);
    expect(full.text).toContain('hx-trigger="input changed delay:300ms, submit"');
    expect(full.text).toContain('id="registre-resultats"');
  });
});

describe('keyset pages', () => {
  it('when paging two by two, then every decision comes once, in order, even if a decision is taken meanwhile', async () => {
    const seen: string[] = [];
    let filters = { ...EMPTY_FILTERS };
    const first = await registerPage(database.db, observer.actor, filters, { pageSize: 2 });
    seen.push(...first.decisions.map((d) => d.id));
    // a new decision arrives between two pages: it is newer, so it never shifts the pages after
    const late = await town.decide({ title: 'Décision tardive', text: 'Arrivée pendant la lecture.', outcome: 'withdrawn', at: '2026-05-10T09:00:00.000Z' });
    let next = first.next;
    while (next) {
      filters = { ...EMPTY_FILTERS, after: decodeCursor(next) };
      const page = await registerPage(database.db, observer.actor, filters, { pageSize: 2 });
      seen.push(...page.decisions.map((d) => d.id));
      next = page.next;
    }
    expect(seen).toEqual([ids.pool, ids.library, ids.canteen, ids.waste]);
    const fresh = await registerPage(database.db, observer.actor, EMPTY_FILTERS, { pageSize: 10 });
    expect(fresh.decisions[0]!.id).toBe(late);
  });

  it('when searching, then pages follow the rank and still give each match once', async () => {
    const { filters } = parseFilters({ q: 'tension' });
    const all = await registerPage(database.db, observer.actor, filters, { pageSize: 50 });
    const seen: string[] = [];
    let page = await registerPage(database.db, observer.actor, filters, { pageSize: 1 });
    seen.push(...page.decisions.map((d) => d.id));
    while (page.next) {
      page = await registerPage(database.db, observer.actor, { ...filters, after: decodeCursor(page.next) }, { pageSize: 1 });
      seen.push(...page.decisions.map((d) => d.id));
    }
    expect(all.decisions.length).toBeGreaterThan(1);
    expect(seen).toEqual(all.decisions.map((d) => d.id));
  });
});

describe('who may read the register', () => {
  it('when someone not signed in asks, then they are sent to sign in', async () => {
    const res = await request(app).get('/registre').expect(303);
    expect(res.headers.location).toBe('/connexion?next=%2Fregistre');
  });

  it('when a guest of a meeting asks, then it is refused', async () => {
    const guest = await joinAsGuest(app, database.db, (await database.db.selectFrom('meetings').select('join_code').where('id', '=', town.meetingId).executeTakeFirstOrThrow()).join_code);
    await guest.agent.get('/registre').expect(403);
  });

  it('when a member asks, then the register is shown', async () => {
    const member = await seedAccount(database.db, 'member');
    const session = await signIn(app, member.email);
    expect(idsOf((await session.agent.get('/registre').expect(200)).text)).toHaveLength(5);
  });
});
