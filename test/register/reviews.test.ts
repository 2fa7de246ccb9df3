import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { fingerprint, seedAccount, signIn, type Session } from '../helpers/auth.ts';
import { decisionMaker, type DecisionMaker } from '../helpers/decisions.ts';
import { verifyLog } from '../../src/ledger/verify.ts';
import { verifyReadModels } from '../../src/ledger/read-models.ts';
import { parisToday } from '../../src/i18n/dates.ts';

let database: TestDatabase;
let app: Express;
let town: DecisionMaker;
let admin: Session;
let observer: Session;
const ids: Record<string, string> = {};
const inDays = (n: number) => parisToday(new Date(Date.now() + n * 86_400_000));
const text = (html: string): string => html.replace(/&#39;/g, "'").replace(/&#34;/g, '"').replace(/&amp;/g, '&');

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  town = await decisionMaker(database, { circleName: 'Direction générale' });
  ids.overdue = await town.decide({
    title: 'Plan climat',
    text: 'Réduire de 20 % la consommation des bâtiments.',
    criteria: 'Consommation mesurée chaque trimestre.',
    objection: 'Les écoles ne peuvent pas baisser le chauffage.',
    amended: 'Réduire de 20 % la consommation des bâtiments, hors écoles.',
    concern: 'Le suivi demandera du temps aux agents.',
    reviewDate: '2020-06-30',
  });
  ids.upcoming = await town.decide({ title: 'Tri des déchets', text: 'Composteurs dans chaque quartier.', reviewDate: inDays(30) });
  ids.far = await town.decide({ title: 'Schéma directeur', text: 'Diversifier les activités.', reviewDate: '2099-01-31' });
  ids.none = await town.decide({ title: 'Sans révision', text: 'Pas de date.' });
  admin = await signIn(app, town.admin.email);
  observer = await signIn(app, (await seedAccount(database.db, 'observer')).email);
}, 300_000);
afterAll(async () => {
  await database.dispose();
});

describe('reviews due and overdue', () => {
  it('when an observer opens the reviews, then overdue ones come first, then those due within three months, and no other', async () => {
    const res = await observer.agent.get('/registre/revisions').expect(200);
    const page = text(res.text);
    const overdue = page.indexOf('Révision dépassée (1)');
    const upcoming = page.indexOf('Révision à venir (1)');
    expect(overdue).toBeGreaterThan(0);
    expect(upcoming).toBeGreaterThan(overdue);
    expect(page.indexOf(`/registre/${ids.overdue}`)).toBeGreaterThan(overdue);
    expect(page.indexOf(`/registre/${ids.overdue}`)).toBeLessThan(upcoming);
    expect(page.indexOf(`/registre/${ids.upcoming}`)).toBeGreaterThan(upcoming);
    expect(page).not.toContain(ids.far);
    expect(page).not.toContain(ids.none);
    expect(page).toContain('Consommation mesurée chaque trimestre.');
    // an observer reads, but does not revise
    expect(page).not.toContain('/reviser');
  });
});

describe('« Réviser »', () => {
  it('when an admin opens « Réviser », then the form holds the adopted text and criteria, and the past objections and concerns are shown', async () => {
    const res = await admin.agent.get(`/registre/${ids.overdue}/reviser`).expect(200);
    const page = text(res.text);
    expect(page).toContain('>Réduire de 20 % la consommation des bâtiments, hors écoles.</textarea>');
    expect(page).toContain('>Consommation mesurée chaque trimestre.</textarea>');
    expect(page).toContain('value="Révision\u00a0: Plan climat"');
    expect(page).toContain('Les écoles ne peuvent pas baisser le chauffage.');
    expect(page).toContain('Le suivi demandera du temps aux agents.');
    expect(page).toContain(`value="${town.meetingId}"`);
  });

  it('when the form is wrong, then it comes back with what was typed and nothing is stored', async () => {
    const before = await fingerprint(database.db);
    const res = await admin.agent
      .post(`/registre/${ids.overdue}/reviser`)
      .type('form')
      .send({ _csrf: admin.csrf, seance: town.meetingId, title: '', tension: 'Ma tension', text: 'Mon texte', validitySet: 'importante_argumentee' })
      .expect(400);
    expect(res.text).toContain('>Ma tension</textarea>');
    expect(res.text).toContain('aria-invalid="true"');
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when the revision is tabled, then a new draft in the séance names the decision it revises in its first event, and both records link to each other', async () => {
    const res = await admin.agent
      .post(`/registre/${ids.overdue}/reviser`)
      .type('form')
      .send({
        _csrf: admin.csrf,
        seance: town.meetingId,
        title: 'Révision : Plan climat',
        tension: 'Les critères sont-ils atteints ?',
        text: 'Réduire de 25 % la consommation des bâtiments, hors écoles.',
        criteria: 'Consommation mesurée chaque mois.',
        reviewDate: '2028-06-30',
        validitySet: 'importante_argumentee',
      })
      .expect(303);
    expect(res.headers.location).toBe(`/seances/${town.meetingId}`);
    const created = await database.db
      .selectFrom('proposals')
      .select(['id', 'stage', 'revises_id', 'meeting_id'])
      .where('revises_id', '=', ids.overdue!)
      .executeTakeFirstOrThrow();
    expect(created).toMatchObject({ stage: 'draft', meeting_id: town.meetingId });
    const first = await database.db
      .selectFrom('events')
      .select(['type', 'data'])
      .where('stream_id', '=', created.id)
      .where('seq', '=', 1)
      .executeTakeFirstOrThrow();
    expect(first.type).toBe('ProposalCreated');
    expect((first.data as { revises?: string }).revises).toBe(ids.overdue);
    const old = text((await observer.agent.get(`/registre/${ids.overdue}`).expect(200)).text);
    expect(old).toContain('Propositions de révision de cette décision');
    expect(old).toContain(`href="/seances/${town.meetingId}">Révision : Plan climat</a> (Brouillon)`);
    const reviews = text((await observer.agent.get('/registre/revisions').expect(200)).text);
    expect(reviews).toContain('Révision ouverte (Brouillon)&nbsp;: Révision : Plan climat');
    expect((await verifyLog(database.db)).breaks).toEqual([]);
    expect((await verifyReadModels(database.db)).differences).toEqual([]);
  });

  it('when a revision is decided, then its record names the decision it revises, and the revised decision lists it', async () => {
    const decided = await town.decide({ title: 'Plan climat révisé', text: 'Réduire de 25 %.', revises: ids.overdue });
    const page = text((await observer.agent.get(`/registre/${decided}`).expect(200)).text);
    expect(page).toContain(`Cette proposition révise la décision <a href="/registre/${ids.overdue}">Plan climat</a>`);
    const old = text((await observer.agent.get(`/registre/${ids.overdue}`).expect(200)).text);
    expect(old).toContain(`<a href="/registre/${decided}">Plan climat révisé</a> (Proposition adoptée)`);
  });

  it('when an observer, or a facilitator who is in no séance, tries to revise, then it is refused and nothing is stored', async () => {
    const outsider = await signIn(app, (await seedAccount(database.db, 'facilitator')).email);
    const before = await fingerprint(database.db);
    const body = { seance: town.meetingId, title: 'Révision', tension: 'Une tension', text: 'Un texte', validitySet: 'importante_argumentee' };
    await observer.agent.get(`/registre/${ids.overdue}/reviser`).expect(403);
    await observer.agent
      .post(`/registre/${ids.overdue}/reviser`)
      .type('form')
      .send({ _csrf: observer.csrf, ...body })
      .expect(403);
    const form = await outsider.agent.get(`/registre/${ids.overdue}/reviser`).expect(200);
    expect(form.text).toContain('Vous ne participez à aucune séance ouverte');
    const refused = await outsider.agent
      .post(`/registre/${ids.overdue}/reviser`)
      .type('form')
      .send({ _csrf: outsider.csrf, ...body })
      .expect(422);
    expect(refused.text).toContain('Vous ne pouvez pas inscrire de proposition à cette séance');
    expect(await fingerprint(database.db)).toEqual(before);
  });
});

describe('charts', () => {
  it('when an observer opens the statistics, then each chart is an SVG image with a title, a description and its data table, and training séances do not count', async () => {
    const practice = await decisionMaker(database, { circleName: 'Formation', admin: town.admin });
    await practice.decide({ title: 'Exercice', text: 'Un exercice.', objection: 'Une objection d’exercice.', at: '2026-09-10T09:00:00.000Z' });
    await database.db.updateTable('meetings').set({ is_training: true }).where('id', '=', practice.meetingId).execute();
    const res = await observer.agent.get('/registre/statistiques').expect(200);
    const page = text(res.text);
    expect(page.match(/<svg role="img" aria-labelledby="chart-[a-z]+-title chart-[a-z]+-desc"/g)).toHaveLength(2);
    expect(page).toContain('<title id="chart-months-title">Décisions par mois</title>');
    const decided = await database.db
      .selectFrom('proposals')
      .select('id')
      .where('stage', 'in', ['adopted', 'withdrawn', 'postponed'])
      .where('meeting_id', '=', town.meetingId)
      .execute();
    expect(page).toContain(`${decided.length}\u00a0décision(s) sur les douze derniers mois`);
    // the March row of the table: every decision of this file was taken in March 2026 (Paris time)
    expect(page).toMatch(new RegExp(`<th scope="row">mars 2026</th><td>${decided.length}</td><td>0</td><td>0</td><td>${decided.length}</td>`));
    expect(page).toContain('<th scope="row">Intégrée</th><td>1</td>');
    expect(page).toContain('1\u00a0objection(s) en tout');
    expect(page).not.toContain('Exercice');
  });
});
