import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { sql } from 'kysely';
import { parse } from 'csv-parse/sync';
import { Ajv2020 } from 'ajv/dist/2020.js';
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

  it('when a proposal is adopted in a training session, then it is an exercise and not in the register', async () => {
    const practice = await decisionMaker(database, { circleName: 'Formation', admin: town.admin });
    const exercise = await practice.decide({ title: 'Exercice de formation', text: 'Un texte d’exercice.' });
    expect(await reader.agent.get(`/registre/${exercise}`).expect(200)).toBeTruthy(); // a decision, as long as its séance is a real one
    await database.db.updateTable('meetings').set({ is_training: true }).where('id', '=', practice.meetingId).execute();
    const res = await reader.agent.get('/registre?q=exercice').expect(200);
    expect(res.text).not.toContain(exercise);
    await reader.agent.get(`/registre/${exercise}`).expect(404);
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
    const highlighted = (p: typeof page) => p.decisions.every((d) => d.snippet?.some((part) => part.hit && /tension/i.test(part.text)));
    expect(highlighted(page)).toBe(true);
    while (page.next) {
      page = await registerPage(database.db, observer.actor, { ...filters, after: decodeCursor(page.next) }, { pageSize: 1 });
      seen.push(...page.decisions.map((d) => d.id));
      // the excerpts are made for the rows of the page, whichever page it is
      expect(highlighted(page)).toBe(true);
    }
    expect(all.decisions.length).toBeGreaterThan(1);
    expect(highlighted(all)).toBe(true);
    expect(seen).toEqual(all.decisions.map((d) => d.id));
  });

  it('when decisions are added, then they go straight into the search index, with no pending list every search would read', async () => {
    const { rows } = await sql<{
      options: string[] | null;
    }>`select reloptions as options from pg_class where relname = 'register_documents_search_idx'`.execute(database.db);
    expect(rows[0]!.options).toContain('fastupdate=off');
  });
});

describe('the decision record', () => {
  const text = (html: string): string => html.replace(/&#39;/g, "'").replace(/&#34;/g, '"').replace(/&amp;/g, '&');

  it('when an observer opens a decision, then it shows the final text, each version with its change and reason, and each objection as a card', async () => {
    const res = await reader.agent.get(`/registre/${ids.waste}`).expect(200);
    const page = text(res.text);
    expect(page).toContain('Avis consultatif\u00a0: le conseil décide par délibération.');
    expect(page).toContain('La collecte des encombrants a lieu le premier samedi du mois, par roulement des équipes.');
    expect(page).toMatch(/<ins title="ajouté">[^<]*par roulement des équipes\.?<\/ins>/);
    expect(page).toContain('Objection intégrée');
    expect(page).toContain('l’objection «\u00a0Les agents ne peuvent pas travailler tous les samedis.\u00a0»');
    expect(page).toContain(`Objection d’${town.names.alice}`); // « Aline » takes the elision
    expect(page).toContain('objection valide');
    expect(page).toContain(`statuée par ${town.names.facilitator}`);
    expect(page).toContain('Résolue par la version 2');
    expect(page).toContain(`${town.names.alice} a confirmé que l’objection est levée, le`);
    expect(page).toContain(`${town.names.proposer} a confirmé que le texte répond toujours à la tension, le`);
    expect(page).toContain('Ma préoccupation porte sur le bruit.');
    expect(page).toContain('30 juin 2020');
    const head = await database.db.selectFrom('proposals').select(['last_seq', 'last_hash']).where('id', '=', ids.waste!).executeTakeFirstOrThrow();
    expect(page).toContain(`${head.last_seq} événements enregistrés`);
    expect(page).toContain(head.last_hash);
  });

  it('when a decision had questions, reactions and a person recorded by the facilitator, then the record says so', async () => {
    const page = text((await reader.agent.get(`/registre/${ids.canteen}`).expect(200)).text);
    expect(page).toContain('Qui prépare les menus');
    expect(page).toContain(`Réponse de ${schools.names.proposer}`);
    expect(page).toContain('La cuisine centrale.');
    expect(page).toContain('Les parents seront contents.');
    expect(page).toContain(`${schools.names.facilitator} a saisi 1\u00a0intervention pour ${schools.names.bob}`);
    expect(page).toContain(schools.names.alice);
    expect(page).toContain('Tour de clarification');
  });

  it('when the printable record is asked for, then it uses the A4 stylesheet with page numbers and formal double forms', async () => {
    const res = await reader.agent.get(`/registre/${ids.waste}/releve`).expect(200);
    expect(res.text).toContain('/static/css/record-print.css');
    expect(res.text).toContain('Facilitateur ou facilitatrice');
    expect(res.text).toContain('Porteur ou porteuse');
    const css = await reader.agent.get('/static/css/record-print.css').expect(200);
    expect(css.text).toMatch(/size: A4/);
    expect(css.text).toMatch(/@bottom-right\s*\{\s*content:\s*counter\(page\)/);
  });

  it('when a proposal is not decided yet, or does not exist, then its record does not exist', async () => {
    const ongoing = await town.decide({ title: 'Encore en discussion', text: 'Pas encore.', outcome: 'ongoing' });
    await reader.agent.get(`/registre/${ongoing}`).expect(404);
    await reader.agent.get('/registre/00000000-0000-4000-8000-000000000000').expect(404);
    await reader.agent.get('/registre/pas-un-identifiant').expect(404);
  });
});

describe('exports', () => {
  const raw = (res: request.Response) => (res.body instanceof Buffer ? res.body.toString('utf8') : res.text);
  const binary = (r: request.Test) =>
    r.buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });

  it('when decisions are exported as CSV, then it is UTF-8 with a BOM and parses back with its columns, in both separators', async () => {
    for (const [query, delimiter] of [
      ['', ','],
      ['?separateur=point-virgule', ';'],
    ] as const) {
      const res = await binary(reader.agent.get(`/registre/export/decisions.csv${query}`)).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
      const body = res.body as Buffer;
      expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const rows = parse(body, { bom: true, columns: true, delimiter }) as Record<string, string>[];
      expect(Object.keys(rows[0]!)).toEqual([
        'identifiant',
        'titre',
        'issue',
        'date_decision',
        'cercle',
        'seance',
        'date_revision',
        'criteres_evaluation',
        'texte_final',
        'nombre_objections',
        'evenements_journal',
        'derniere_empreinte',
      ]);
      const waste = rows.find((r) => r.identifiant === ids.waste)!;
      expect(waste.titre).toBe('Collecte des déchets le samedi');
      expect(waste.texte_final).toBe('La collecte des encombrants a lieu le premier samedi du mois, par roulement des équipes.');
      expect(waste.nombre_objections).toBe('1');
      expect(waste.cercle).toBe('Direction générale');
      expect(rows.length).toBeGreaterThanOrEqual(4);
    }
  });

  it('when the export is filtered, then it holds only what the list shows', async () => {
    const res = await binary(reader.agent.get('/registre/export/decisions.csv').query({ cercle: schools.circleId })).expect(200);
    const rows = parse(res.body as Buffer, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.identifiant)).toEqual([ids.pool, ids.canteen]);
  });

  it('when objections are exported, then each comes with its objector, ruling, outcome and who decided', async () => {
    const res = await binary(reader.agent.get('/registre/export/objections.csv?separateur=point-virgule')).expect(200);
    const rows = parse(res.body as Buffer, { bom: true, columns: true, delimiter: ';' }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      identifiant_decision: ids.waste,
      objecteur_ou_objectrice: town.names.alice,
      argumentation: 'Les agents ne peuvent pas travailler tous les samedis.',
      validite: 'valid',
      statuee_par: town.names.facilitator,
      issue: 'integrated',
      reponses_validite: 'argumentee=oui importante=oui',
    });
  });

  it('when decisions are exported as JSON, then the document validates against the published JSON Schema', async () => {
    const schema = await request(app).get('/registre/schema/decisions.json').expect(200);
    expect(schema.headers['content-type']).toMatch(/application\/schema\+json/);
    const res = await reader.agent.get('/registre/export/decisions.json').expect(200);
    const data = JSON.parse(raw(res)) as { id: string; lastHash: string }[];
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(raw(schema)));
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(data.map((d) => d.id)).toContain(ids.waste);
    expect(validate([{ ...data[0], lastHash: 'pas une empreinte' }])).toBe(false);
  });

  it('when the open data is exported, even with its free texts, then no name and no email of the people table is in it, and pseudonyms are stable', async () => {
    const people = await database.db.selectFrom('persons').leftJoin('accounts', 'accounts.person_id', 'persons.id').select(['display_name', 'email']).execute();
    const files: string[] = [];
    for (const query of ['', '?textes=1', '?textes=1&separateur=point-virgule']) {
      const res = await binary(reader.agent.get(`/registre/export/donnees-ouvertes.csv${query}`)).expect(200);
      files.push((res.body as Buffer).toString('utf8'));
    }
    for (const file of files) {
      for (const p of people) {
        expect(file).not.toContain(p.display_name);
        if (p.email) expect(file).not.toContain(p.email);
      }
    }
    const bare = parse(files[0]!, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(bare[0]!)).not.toContain('titre');
    const full = parse(files[1]!, { bom: true, columns: true }) as Record<string, string>[];
    const waste = full.find((r) => r.identifiant === ids.waste)!;
    expect(waste.titre).toBe('Collecte des déchets le samedi');
    expect(waste.porteur_ou_porteuse).toMatch(/^Participant·e \d+$/);
    expect(waste.objecteurs_ou_objectrices).toMatch(/^Participant·e \d+$/);
    expect(bare.find((r) => r.identifiant === ids.waste)!.porteur_ou_porteuse).toBe(waste.porteur_ou_porteuse);
    // the same proposer, in two of their decisions, keeps one pseudonym
    expect(full.find((r) => r.identifiant === ids.library)!.porteur_ou_porteuse).toBe(waste.porteur_ou_porteuse);
  });

  it('when someone not allowed asks for an export, then nothing is sent', async () => {
    const res = await request(app).get('/registre/export/decisions.csv').expect(303);
    expect(res.headers.location).toMatch(/^\/connexion/);
  });
});

describe('who may read the register', () => {
  it('when someone not signed in asks, then they are sent to sign in', async () => {
    const res = await request(app).get('/registre').expect(303);
    expect(res.headers.location).toBe('/connexion?next=%2Fregistre');
  });

  it('when a guest of a meeting asks, then it is refused', async () => {
    const guest = await joinAsGuest(
      app,
      database.db,
      (await database.db.selectFrom('meetings').select('join_code').where('id', '=', town.meetingId).executeTakeFirstOrThrow()).join_code,
    );
    await guest.agent.get('/registre').expect(403);
    await guest.agent.get(`/registre/${ids.waste}`).expect(403);
    await guest.agent.get(`/registre/${ids.waste}/releve`).expect(403);
  });

  it('when a member asks, then the register is shown', async () => {
    const member = await seedAccount(database.db, 'member');
    const session = await signIn(app, member.email);
    expect(idsOf((await session.agent.get('/registre').expect(200)).text)).toHaveLength(5);
  });
});
