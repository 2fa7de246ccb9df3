import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { fingerprint, seedAccount, signIn, type Session } from '../helpers/auth.ts';
import { decisionMaker, type DecisionMaker } from '../helpers/decisions.ts';
import { verifyLog } from '../../src/ledger/verify.ts';
import { verifyReadModels } from '../../src/ledger/read-models.ts';

let database: TestDatabase;
let app: Express;
let town: DecisionMaker;
let runner: Session;
let observer: Session;
let member: Session;
const ids: Record<string, string> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  town = await decisionMaker(database, { circleName: 'Direction générale' });
  ids.published = await town.decide({
    title: 'Gestion de l’eau',
    text: 'Réduire les arrosages en été.',
    objection: 'Les jardins partagés vont souffrir.',
    at: '2026-01-10T09:00:00.000Z',
  });
  ids.kept = await town.decide({ title: 'Budget interne', text: 'Une décision non publiée.', at: '2026-02-10T09:00:00.000Z' });
  ids.withdrawn = await town.decide({ title: 'Horaires d’été', text: 'Fermer à midi.', outcome: 'withdrawn', at: '2026-03-10T09:00:00.000Z' });
  runner = await signIn(app, (await seedAccount(database.db, 'facilitator')).email);
  observer = await signIn(app, (await seedAccount(database.db, 'observer')).email);
  member = await signIn(app, (await seedAccount(database.db, 'member')).email);
}, 300_000);
afterAll(async () => {
  await database.dispose();
});

const idsOf = (html: string, base: string): string[] => [...html.matchAll(new RegExp(`href="${base}/([0-9a-f-]{36})"`, 'g'))].map((m) => m[1]!);
const eventsOf = async (id: string) =>
  database.db.selectFrom('events').select(['seq', 'type', 'actor_id']).where('stream_id', '=', id).orderBy('seq').execute();
const post = (s: Session, path: string, body: Record<string, string> = {}) =>
  s.agent
    .post(path)
    .type('form')
    .send({ _csrf: s.csrf, ...body });

describe('publishing a decision', () => {
  it('when nothing is published, then anonymous visitors see an empty public list and no record', async () => {
    const res = await request(app).get('/decisions-publiques').expect(200);
    expect(idsOf(res.text, '/decisions-publiques')).toEqual([]);
    await request(app).get(`/decisions-publiques/${ids.published}`).expect(404);
  });

  it('when a facilitator publishes, then the publication is an event of the chain, the chain still verifies, and the record says so', async () => {
    const before = await eventsOf(ids.published!);
    const res = await post(runner, `/registre/${ids.published}/publier`).expect(303);
    expect(res.headers.location).toBe(`/registre/${ids.published}#publication`);
    const after = await eventsOf(ids.published!);
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)!.type).toBe('DecisionPublished');
    const report = await verifyLog(database.db);
    expect(report.breaks).toEqual([]);
    expect((await verifyReadModels(database.db)).differences).toEqual([]);
    const page = await observer.agent.get(`/registre/${ids.published}`).expect(200);
    expect(page.text).toContain('Publiée par');
    expect(page.text).toContain(`href="/decisions-publiques/${ids.published}"`);
  });

  it('when it is published again (a double click), then nothing more is stored', async () => {
    const before = await eventsOf(ids.published!);
    await post(runner, `/registre/${ids.published}/publier`).expect(303);
    expect(await eventsOf(ids.published!)).toEqual(before);
  });

  it('when anonymous visitors open the public decisions, then they see the published decision, its record and its relevé, and nothing else', async () => {
    const list = await request(app).get('/decisions-publiques').expect(200);
    expect(idsOf(list.text, '/decisions-publiques')).toEqual([ids.published]);
    expect(list.text).not.toContain('Budget interne');
    expect(list.text).not.toContain('/registre/export');
    const record = await request(app).get(`/decisions-publiques/${ids.published}`).expect(200);
    expect(record.text).toContain('Les jardins partagés vont souffrir.');
    expect(record.text).not.toContain('/publier');
    expect(record.text).not.toContain('href="/registre');
    await request(app).get(`/decisions-publiques/${ids.published}/releve`).expect(200);
    for (const id of [ids.kept, ids.withdrawn]) {
      await request(app).get(`/decisions-publiques/${id}`).expect(404);
      await request(app).get(`/decisions-publiques/${id}/releve`).expect(404);
    }
    const search = await request(app).get('/decisions-publiques').query({ q: 'budget' }).expect(200);
    expect(idsOf(search.text, '/decisions-publiques')).toEqual([]);
    // the rest of the register still asks to sign in
    for (const path of ['/registre', `/registre/${ids.published}`, '/registre/export/decisions.csv']) {
      expect((await request(app).get(path).expect(303)).headers.location).toMatch(/^\/connexion/);
    }
  });

  it('when an observer or a member tries to publish, then it is refused and nothing changes', async () => {
    for (const session of [observer, member]) {
      const before = await fingerprint(database.db);
      await post(session, `/registre/${ids.kept}/publier`).expect(403);
      expect(await fingerprint(database.db)).toEqual(before);
    }
    const page = await observer.agent.get(`/registre/${ids.kept}`).expect(200);
    expect(page.text).not.toContain('/publier');
  });

  it('when a published decision belongs to a séance later marked as training, then it is no longer public', async () => {
    const practice = await decisionMaker(database, { circleName: 'Formation', admin: town.admin });
    const exercise = await practice.decide({ title: 'Exercice publié', text: 'Un texte d’exercice.' });
    await post(runner, `/registre/${exercise}/publier`).expect(303);
    expect(idsOf((await request(app).get('/decisions-publiques').expect(200)).text, '/decisions-publiques')).toContain(exercise);
    await database.db.updateTable('meetings').set({ is_training: true }).where('id', '=', practice.meetingId).execute();
    expect(idsOf((await request(app).get('/decisions-publiques').expect(200)).text, '/decisions-publiques')).not.toContain(exercise);
    await request(app).get(`/decisions-publiques/${exercise}`).expect(404);
  });
});

describe('the formal act', () => {
  const act = { type_acte: 'deliberation', numero: '2027-045', date_acte: '2027-01-20', reference: 'https://mairie.example/deliberations/2027-045' };

  it('when no act is linked, then the record says « Avis consultatif »', async () => {
    const page = await observer.agent.get(`/registre/${ids.kept}`).expect(200);
    expect(page.text).toContain('Avis consultatif\u00a0: le conseil décide par délibération.');
  });

  it('when a facilitator links the délibération, then the record shows it instead, and the link is an event that verifies', async () => {
    await post(runner, `/registre/${ids.kept}/acte`, act).expect(303);
    const page = await observer.agent.get(`/registre/${ids.kept}`).expect(200);
    expect(page.text).toContain('Délibération n°\u00a02027-045 du 20 janvier 2027');
    expect(page.text).toContain('href="https://mairie.example/deliberations/2027-045"');
    expect(page.text).not.toContain('Avis consultatif');
    expect((await eventsOf(ids.kept!)).at(-1)!.type).toBe('FormalActRecorded');
    expect((await verifyLog(database.db, [ids.kept!])).breaks).toEqual([]);
  });

  it('when it is corrected, then the correction is a new event, the last act holds, and the history lists both', async () => {
    await post(runner, `/registre/${ids.kept}/acte`, { ...act, type_acte: 'arrete', numero: 'A-2027-12', reference: 'registre des arrêtés, page 12' }).expect(
      303,
    );
    const types = (await eventsOf(ids.kept!)).map((e) => e.type).filter((t) => t === 'FormalActRecorded');
    expect(types).toHaveLength(2);
    const page = await observer.agent.get(`/registre/${ids.kept}`).expect(200);
    expect(page.text).toContain('Arrêté n°\u00a0A-2027-12 du 20 janvier 2027');
    expect(page.text).toContain('2\u00a0enregistrements de l’acte');
    expect(page.text).not.toContain('href="registre des arrêtés');
    const report = await verifyLog(database.db);
    expect(report.breaks).toEqual([]);
    expect((await verifyReadModels(database.db)).differences).toEqual([]);
  });

  it('when the form is wrong, then it comes back with what was typed and French errors, and nothing is stored', async () => {
    const before = await fingerprint(database.db);
    const res = await post(runner, `/registre/${ids.kept}/acte`, {
      type_acte: 'decret',
      numero: '',
      date_acte: '2027-02-30',
      reference: 'ma référence',
    }).expect(400);
    expect(res.text).toContain('Date invalide');
    expect(res.text).toContain('value="ma référence"');
    expect(res.text).toContain('aria-invalid="true"');
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when the act is sent again unchanged, or for a withdrawn proposal, then the method refuses it in French and nothing is stored', async () => {
    const before = await fingerprint(database.db);
    const same = await post(runner, `/registre/${ids.kept}/acte`, {
      ...act,
      type_acte: 'arrete',
      numero: 'A-2027-12',
      reference: 'registre des arrêtés, page 12',
    }).expect(422);
    expect(same.text).toContain('Cet acte est déjà enregistré tel quel');
    await post(runner, `/registre/${ids.withdrawn}/acte`, act).expect(422);
    await post(observer, `/registre/${ids.kept}/acte`, act).expect(403);
    expect(await fingerprint(database.db)).toEqual(before);
  });
});

describe('the integrity of a record', () => {
  it('when the chain is intact, then the record says « Chaîne vérifiée » with its event count, and « Vérifier maintenant » answers the same', async () => {
    const count = (await eventsOf(ids.published!)).length;
    const page = await observer.agent.get(`/registre/${ids.published}`).expect(200);
    expect(page.text).toContain('Chaîne vérifiée');
    expect(page.text).toContain(`${count}\u00a0événements, chacun conforme à son empreinte`);
    const again = await observer.agent.get(`/registre/${ids.published}/verification`).set('HX-Request', 'true').expect(200);
    expect(again.text.trimStart()).toMatch(/^<section id="integrite"/);
    expect(again.text).toContain('Chaîne vérifiée');
    const plain = await observer.agent.get(`/registre/${ids.published}/verification`).expect(303);
    expect(plain.headers.location).toBe(`/registre/${ids.published}#integrite`);
    // the public record shows it too
    expect((await request(app).get(`/decisions-publiques/${ids.published}`).expect(200)).text).toContain('Chaîne vérifiée');
    await request(app).get(`/decisions-publiques/${ids.kept}/verification`).expect(404);
  });

  it('when someone with SQL access alters an event, then the record points at that event and says what is wrong', async () => {
    const victim = await town.decide({ title: 'Décision altérée', text: 'Le texte d’origine.', at: '2026-04-10T09:00:00.000Z' });
    await sql`alter table events disable trigger events_append_only`.execute(database.db);
    await sql`update events set data = jsonb_set(data, '{text}', '"Un texte réécrit."') where stream_id = ${victim} and seq = 1`.execute(database.db);
    await sql`alter table events enable trigger events_append_only`.execute(database.db);
    const page = await observer.agent.get(`/registre/${victim}`).expect(200);
    expect(page.text).toContain('Chaîne rompue à l’événement n°\u00a01');
    expect(page.text).toContain(`Proposition ${victim}, événement n°\u00a01\u00a0: l’empreinte ne correspond plus au contenu de l’événement.`);
    expect(page.text).not.toContain('Chaîne vérifiée');
    const again = await observer.agent.get(`/registre/${victim}/verification`).set('HX-Request', 'true').expect(200);
    expect(again.text).toContain('Chaîne rompue');
    // the other records are not concerned
    expect((await observer.agent.get(`/registre/${ids.published}`).expect(200)).text).toContain('Chaîne vérifiée');
  });
});
