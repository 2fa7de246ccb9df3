import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { seedAccount, signIn, type Session } from '../helpers/auth.ts';
import { decisionMaker, type DecisionMaker } from '../helpers/decisions.ts';
import { verifyLogCommand } from '../../src/cli/verify-log.ts';
import { openDatabase } from '../../src/db/database.ts';
import { formatMoment } from '../../src/i18n/dates.ts';
import { latestVerification } from '../../src/register/verification.repository.ts';
import { settleVerifications } from '../../src/register/verification.service.ts';

let database: TestDatabase;
let app: Express;
let town: DecisionMaker;
let admin: Session;
let adminName: string;
let observer: Session;
const ids: Record<string, string> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  town = await decisionMaker(database, { circleName: 'Direction générale' });
  ids.water = await town.decide({ title: 'Gestion de l’eau', text: 'Réduire les arrosages en été.', at: '2026-01-10T09:00:00.000Z' });
  ids.budget = await town.decide({ title: 'Budget interne', text: 'Une décision.', outcome: 'withdrawn', at: '2026-02-10T09:00:00.000Z' });
  const seeded = await seedAccount(database.db, 'admin', { name: 'Alix Vérificatrice' });
  adminName = 'Alix Vérificatrice';
  admin = await signIn(app, seeded.email);
  observer = await signIn(app, (await seedAccount(database.db, 'observer')).email);
}, 300_000);
afterAll(async () => {
  await database.dispose();
});

const verify = (s: Session) => s.agent.post('/registre/verification').type('form').send({ _csrf: s.csrf });
const verifications = async () => Number((await sql<{ n: number }>`select count(*)::int as n from register_verifications`.execute(database.db)).rows[0]!.n);
const events = async () => Number((await sql<{ n: number }>`select count(*)::int as n from events`.execute(database.db)).rows[0]!.n);

describe('« Registre vérifié » on the register home', () => {
  it('when the whole log was never verified, then the register says so, and only an admin is offered to verify it', async () => {
    const page = await observer.agent.get('/registre').expect(200);
    expect(page.text).toContain('Le journal n’a pas encore été vérifié en entier.');
    expect(page.text).not.toContain('action="/registre/verification"');
    expect((await admin.agent.get('/registre').expect(200)).text).toContain('action="/registre/verification"');
  });

  it('when someone who is not an admin sends the verification, then it is refused and nothing is recorded', async () => {
    await verify(observer).expect(403);
    expect(await verifications()).toBe(0);
  });

  it('when an admin verifies, then the register shows « Registre vérifié » with the event count, the date in words and who ran it', async () => {
    const res = await verify(admin).expect(303);
    expect(res.headers.location).toBe('/registre#verification');
    // the verification runs in the background: the answer does not wait for it
    await settleVerifications();
    const page = await observer.agent.get('/registre').expect(200);
    const count = await events();
    expect(page.text).toContain('Registre vérifié');
    expect(page.text).toContain(`Les ${count}\u00a0événements des 2\u00a0chaînes du journal ont été vérifiés le`);
    const { rows } = await sql<{ at: Date }>`select verified_at as at from register_verifications`.execute(database.db);
    // the date in words: « 26 novembre 2026 à 14 h 05 »
    expect(formatMoment(rows[0]!.at, 'fr')).toMatch(/^\d{1,2}(er)? [a-zéû]+ \d{4} à \d{1,2}\u00a0h\u00a0\d{2}$/);
    expect(page.text).toContain(`ont été vérifiés le ${formatMoment(rows[0]!.at, 'fr')}`);
    expect(page.text).toContain(`par ${adminName}`);
    const english = await observer.agent.get('/registre').set('Cookie', 'lang=en').expect(200);
    expect(english.text).toContain('Register verified');
  });

  it('when npm run verify-log runs, then it keeps its verification for the register to show', async () => {
    // the command opens the database itself, so this file's own connection to a fresh one is closed first
    const fresh = await createTestDatabase();
    await fresh.close();
    const out: string[] = [];
    const code = await verifyLogCommand([], { ...process.env, ...fresh.env }, { out: (l) => void out.push(l), err: (l) => void out.push(l) });
    expect(code).toBe(0);
    const reopened = await openDatabase({ databaseUrl: fresh.url, pgliteDir: fresh.env.PGLITE_DIR ?? '' });
    try {
      const latest = await latestVerification(reopened.db);
      expect(latest).toMatchObject({ verifiedBy: null, chains: 0, events: 0, breaks: 0, firstBreak: null });
      // shown as run from the command line
      const page = await (await signIn(buildApp(reopened), (await seedAccount(reopened.db, 'observer')).email)).agent.get('/registre').expect(200);
      expect(page.text).toContain('par la ligne de commande');
    } finally {
      await reopened.close();
      await fresh.dispose();
    }
  });

  it('when a chain was altered, then the next verification shows the broken chain and where, in French and in English', async () => {
    await sql`alter table events disable trigger events_append_only`.execute(database.db);
    await sql`update events set data = jsonb_set(data, '{text}', '"Un texte réécrit."') where stream_id = ${ids.water} and seq = 1`.execute(database.db);
    await sql`alter table events enable trigger events_append_only`.execute(database.db);
    // what the register shows changes only with a verification
    expect((await observer.agent.get('/registre').expect(200)).text).toContain('Registre vérifié');
    await verify(admin).expect(303);
    await settleVerifications();
    const page = await observer.agent.get('/registre').expect(200);
    expect(page.text).toContain('Registre altéré');
    expect(page.text).not.toContain('Registre vérifié');
    expect(page.text).toContain('1\u00a0chaîne rompue sur 2');
    expect(page.text).toContain(`Proposition ${ids.water}, événement n°\u00a01\u00a0: l’empreinte ne correspond plus au contenu de l’événement.`);
    const english = await observer.agent.get('/registre').set('Cookie', 'lang=en').expect(200);
    expect(english.text).toContain('Register altered');
    expect(english.text).toContain(`Proposal ${ids.water}, event no. 1: the hash no longer matches the content of the event.`);
    // the record of that decision says it in English too
    const record = await observer.agent.get(`/registre/${ids.water}`).set('Cookie', 'lang=en').expect(200);
    expect(record.text).toContain(`Proposal ${ids.water}, event no. 1: the hash no longer matches the content of the event.`);
  });
});
