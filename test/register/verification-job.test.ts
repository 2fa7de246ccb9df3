/**
 * « Vérifier maintenant » runs in the background: the POST answers at once, one run at a time, a
 * run whose process stopped is marked en échec, and a run of the new events re-verifies only the
 * chains that changed, yet still finds a tampered event in them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { seedAccount, signIn, type Session } from '../helpers/auth.ts';
import { decisionMaker, type DecisionMaker } from '../helpers/decisions.ts';
import { failInterruptedVerifications, settleVerifications } from '../../src/register/verification.service.ts';
import { latestVerification } from '../../src/register/verification.repository.ts';

let database: TestDatabase;
let app: Express;
let town: DecisionMaker;
let admin: Session;
let observer: Session;
const ids: Record<string, string> = {};

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  town = await decisionMaker(database, { circleName: 'Direction générale' });
  ids.water = await town.decide({ title: 'Gestion de l’eau', text: 'Réduire les arrosages en été.', at: '2026-01-10T09:00:00.000Z' });
  ids.budget = await town.decide({ title: 'Budget interne', text: 'Une décision.', outcome: 'withdrawn', at: '2026-02-10T09:00:00.000Z' });
  ids.canteen = await town.decide({ title: 'Cantine', text: 'Un menu végétarien par semaine.', at: '2026-03-10T09:00:00.000Z' });
  admin = await signIn(app, (await seedAccount(database.db, 'admin', { name: 'Alix Vérificatrice' })).email);
  observer = await signIn(app, (await seedAccount(database.db, 'observer')).email);
}, 300_000);
afterAll(async () => {
  await settleVerifications();
  await database.dispose();
});

const verify = (s: Session, etendue?: string) =>
  s.agent
    .post('/registre/verification')
    .type('form')
    .send({ _csrf: s.csrf, ...(etendue === undefined ? {} : { etendue }) });
const runs = async () =>
  (await sql<{ state: string; scope: string; breaks: number }>`select state, scope, breaks from register_verifications order by id`.execute(database.db)).rows;
const count = async (table: string) => Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(database.db)).rows[0]!.n);
const tamper = async (statement: ReturnType<typeof sql>) => {
  await sql`alter table events disable trigger events_append_only`.execute(database.db);
  await statement.execute(database.db);
  await sql`alter table events enable trigger events_append_only`.execute(database.db);
};

describe('« Vérifier maintenant » in the background', () => {
  it('when the form sends a scope it does not offer, then it is refused in French and nothing is recorded', async () => {
    const res = await verify(admin, 'tout-et-rien').expect(400);
    expect(res.text).toContain('lang="fr"');
    expect(await runs()).toEqual([]);
  });

  it('when a run is already under way, then a second one is not started, nothing is written, and the register shows the progress', async () => {
    await sql`insert into register_verifications (state, scope, started_at, heartbeat_at, chains, events, breaks, chains_done, chains_total)
              values ('running', 'full', now(), now(), 0, 0, 0, 1, 3)`.execute(database.db);
    const before = await runs();
    await verify(admin).expect(303);
    await settleVerifications();
    expect(await runs()).toEqual(before);
    const page = await observer.agent.get('/registre').expect(200);
    expect(page.text).toContain('Vérification en cours, lancée le');
    expect(page.text).toContain('1\u00a0chaînes vérifiées sur 3');
    expect(page.text).toContain('hx-trigger="every 3s"');
    // no button while it runs
    expect((await admin.agent.get('/registre').expect(200)).text).not.toContain('action="/registre/verification"');
  });

  it('when the process of a run stopped, then at the next start the run is marked en échec and a new run can start', async () => {
    // the run above gives no sign of life any more
    await sql`update register_verifications set heartbeat_at = now() - interval '2 minutes' where state = 'running'`.execute(database.db);
    expect(await failInterruptedVerifications(database.db)).toBe(1);
    expect((await runs()).map((r) => r.state)).toEqual(['failed']);
    const page = await admin.agent.get('/registre').expect(200);
    expect(page.text).toContain('n’a pas abouti\u00a0: l’application s’est arrêtée pendant qu’elle tournait. Relancez-la.');
    expect(page.text).toContain('action="/registre/verification"');
    await verify(admin).expect(303);
    await settleVerifications();
    expect((await runs()).map((r) => [r.state, r.scope, r.breaks])).toEqual([
      ['failed', 'full', 0],
      ['done', 'full', 0],
    ]);
    // every chain remembers its verified head
    expect(await count('register_chain_checkpoints')).toBe(3);
    expect((await observer.agent.get('/registre').expect(200)).text).toContain('Registre vérifié');
  });

  it('when only the new events are verified, then the chains that did not change are not read again, and the register says so', async () => {
    const events = await count('events');
    const res = await verify(admin, 'nouveaux').expect(303);
    expect(res.headers.location).toBe('/registre#verification');
    await settleVerifications();
    expect(await latestVerification(database.db)).toMatchObject({ scope: 'new', chains: 3, events, breaks: 0 });
    const page = await observer.agent.get('/registre').expect(200);
    expect(page.text).toContain('Registre vérifié');
    expect(page.text).toContain('Vérification des nouveaux événements\u00a0: les événements déjà vérifiés n’ont pas été relus.');
  });

  it('when a chain that received new events was altered before them, then the run of the new events finds the altered event', async () => {
    await tamper(sql`update events set data = jsonb_set(data, '{text}', '"Un texte réécrit."') where stream_id = ${ids.water} and seq = 1`);
    // the decision is published afterwards: its chain has a new event
    await admin.agent.post(`/registre/${ids.water}/publier`).type('form').send({ _csrf: admin.csrf }).expect(303);
    await verify(admin, 'nouveaux').expect(303);
    await settleVerifications();
    expect(await latestVerification(database.db)).toMatchObject({
      scope: 'new',
      breaks: 1,
      firstBreak: { streamId: ids.water, seq: 1, reason: 'hash_mismatch' },
    });
    const page = await observer.agent.get('/registre').expect(200);
    expect(page.text).toContain('Registre altéré');
    expect(page.text).toContain(`Proposition ${ids.water}, événement n°\u00a01\u00a0: l’empreinte ne correspond plus au contenu de l’événement.`);
    // a broken chain is not remembered: the next run reads it again
    expect((await sql`select 1 from register_chain_checkpoints where stream_id = ${ids.water}`.execute(database.db)).rows).toEqual([]);
  });

  it('when the last event of an unchanged chain was rewritten, then the run of the new events finds it; an older one takes the full run', async () => {
    const last = (await sql<{ seq: number }>`select max(seq)::int as seq from events where stream_id = ${ids.canteen}`.execute(database.db)).rows[0]!.seq;
    await tamper(sql`update events set hash = repeat('0', 64) where stream_id = ${ids.canteen} and seq = ${last}`);
    await verify(admin, 'nouveaux').expect(303);
    await settleVerifications();
    const latest = await latestVerification(database.db);
    expect(latest?.breaks).toBe(2);
    expect(latest?.scope).toBe('new');

    // an event deep inside a chain already verified and unchanged since: only the full run reads it
    await tamper(sql`update events set data = jsonb_set(data, '{title}', '"Un budget réécrit"') where stream_id = ${ids.budget} and seq = 1`);
    await verify(admin, 'nouveaux').expect(303);
    await settleVerifications();
    expect((await latestVerification(database.db))?.breaks).toBe(2);
    await verify(admin).expect(303);
    await settleVerifications();
    const full = await latestVerification(database.db);
    expect(full).toMatchObject({ scope: 'full', breaks: 3 });
  });

  it('when someone who is not an admin asks for a run, then it is refused and nothing is recorded', async () => {
    const before = await runs();
    await verify(observer, 'nouveaux').expect(403);
    await settleVerifications();
    expect(await runs()).toEqual(before);
  });
});
