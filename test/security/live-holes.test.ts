/**
 * Holes of the live meeting found by an attacker and an auditor (issue 8): submission keys shared
 * between people, typing « objection levée » for a connected objector, presence set by a plain GET.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { csrfOf, fingerprint, joinAsGuest, seedAccount, seedCircle, seedMeeting, signIn, type Session, joinWithAccount } from '../helpers/auth.ts';
import { readable } from '../helpers/html.ts';

let database: TestDatabase;
let app: Express;
let meetingId: string;
let code: string;
let facilitator: Session;
let proposer: Session;
let alice: Session & { personId: string };
let chloeId: string;
let proposalId: string;

async function act(who: Session, action: string, fields: Record<string, string> = {}, back = 'participant') {
  return who.agent
    .post(`/seances/${meetingId}/propositions/${proposalId}/${action}`)
    .type('form')
    .send({ _csrf: who.csrf, retour: back, ...fields });
}

async function ok(who: Session, action: string, fields: Record<string, string> = {}, back = 'participant') {
  const res = await act(who, action, fields, back);
  expect(res.status, `${action}: ${readable(res.text).match(/role="alert"[\s\S]{0,400}/)?.[0] ?? ''}`).toBe(303);
}

async function answerLastQuestion(): Promise<void> {
  const q = await database.db
    .selectFrom('contributions')
    .select('ref_id')
    .where('kind', '=', 'question')
    .orderBy('event_seq', 'desc')
    .executeTakeFirstOrThrow();
  await ok(proposer, 'repondre', { question: q.ref_id!, texte: 'Le règlement le dira.' }, 'porteur');
}

async function counts(): Promise<string> {
  const r = await sql<{
    e: number;
    c: number;
    o: number;
    k: number;
  }>`select (select count(*) from events)::int as e, (select count(*) from contributions)::int as c, (select count(*) from objections)::int as o, (select count(*) from command_keys)::int as k`.execute(
    database.db,
  );
  return JSON.stringify(r.rows[0]);
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  const admin = await seedAccount(database.db, 'admin');
  const fac = await seedAccount(database.db, 'facilitator', { name: 'Farid Facilitateur' });
  const member = await seedAccount(database.db, 'member', { name: 'Marie Porteuse' });
  ({ id: meetingId, code } = await seedMeeting(database.db, fac.actor, await seedCircle(database.db, admin.actor)));
  facilitator = await signIn(app, fac.email);
  proposer = await signIn(app, member.email);
  await joinWithAccount(proposer, code);
  alice = await joinAsGuest(app, database.db, code, 'Alice Agente');
  // Chloé is in the room without a device: the facilitator adds her and types for her.
  await facilitator.agent.post(`/seances/${meetingId}/presence`).type('form').send({ _csrf: facilitator.csrf, nom: 'Chloé Sans Téléphone' }).expect(303);
  chloeId = (await database.db.selectFrom('persons').select('id').where('display_name', '=', 'Chloé Sans Téléphone').executeTakeFirstOrThrow()).id;
  const form = await proposer.agent.get(`/seances/${meetingId}/propositions/nouvelle`).expect(200);
  await proposer.agent
    .post(`/seances/${meetingId}/propositions`)
    .type('form')
    .send({
      _csrf: csrfOf(form.text),
      title: 'Télétravail',
      tension: 'Les trajets coûtent.',
      text: 'Deux jours de télétravail par semaine.',
      validitySet: 'importante_argumentee',
    })
    .expect(303);
  proposalId = (await database.db.selectFrom('proposals').select('id').executeTakeFirstOrThrow()).id;
  await ok(facilitator, 'presenter', {}, 'console');
  await ok(facilitator, 'ouvrir-clarification', {}, 'console');
});
afterAll(async () => {
  await database.dispose();
});

describe('submission keys belong to one person on one proposal', () => {
  const key = '0b6a3f1e-2c4d-4e5f-8a9b-1c2d3e4f5a6b';

  it('when another person sends a form with a key someone already used on the proposal, then their submission is stored too', async () => {
    await ok(alice, 'question', { texte: 'Combien de jours ?', cle: key });
    await answerLastQuestion();
    // Chloé's turn, typed by the facilitator with the very same key
    await ok(facilitator, 'question', { texte: 'Et les jours fixes ?', pour: chloeId, cle: key }, 'console');
    await answerLastQuestion();
    const rows = await database.db.selectFrom('contributions').select(['body', 'person_id']).where('kind', '=', 'question').orderBy('event_seq').execute();
    expect(rows).toEqual([
      { body: 'Combien de jours ?', person_id: alice.personId },
      { body: 'Et les jours fixes ?', person_id: chloeId },
    ]);
  });

  it('when the same person sends the same form again (a double click), then it is answered as saved and stored once', async () => {
    const before = await counts();
    await ok(alice, 'question', { texte: 'Combien de jours ?', cle: key });
    expect(await counts()).toBe(before);
  });

  it('when a key comes back with another text, then it is refused in French (409) and nothing is stored', async () => {
    const before = await counts();
    const res = await act(alice, 'question', { texte: 'Une tout autre question', cle: key });
    expect(res.status).toBe(409);
    expect(readable(res.text)).toContain('Ce formulaire a déjà été envoyé avec un autre contenu');
    expect(res.text).toContain('Une tout autre question');
    expect(await counts()).toBe(before);
  });
});

describe('typing for someone is for people in the room without a device', () => {
  let aliceObjection: string;
  let chloeObjection: string;

  it('when the facilitator tries to type the turn of someone connected with their phone, then it is refused and nothing is stored', async () => {
    await ok(facilitator, 'ouvrir-reactions', {}, 'console');
    const console = await facilitator.agent.get(`/seances/${meetingId}/console`).expect(200);
    expect(console.text).not.toContain('-pour"'); // no « Saisir pour » form while Alice holds the floor
    const before = await fingerprint(database.db);
    const res = await act(facilitator, 'passer', { pour: alice.personId }, 'console');
    expect(res.status).toBe(403);
    expect(readable(res.text)).toContain('Alice Agente utilise son propre appareil');
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when the facilitator types for the person they added without a device, then it is recorded with who typed', async () => {
    await ok(alice, 'passer');
    const console = await facilitator.agent.get(`/seances/${meetingId}/console`).expect(200);
    expect(console.text).toContain('-pour"');
    await ok(facilitator, 'passer', { pour: chloeId }, 'console');
    await ok(facilitator, 'ouvrir-bonification', {}, 'console');
    await ok(proposer, 'maintenir', {}, 'porteur');
    await ok(facilitator, 'ouvrir-objections', {}, 'console');
    await ok(proposer, 'pas-objection', {}, 'porteur');
    await ok(alice, 'objection', { texte: 'Les équipes d’accueil ne peuvent pas télétravailler.' });
    await ok(facilitator, 'objection', { texte: 'Je n’ai pas d’ordinateur chez moi.', pour: chloeId }, 'console');
    const objections = await database.db.selectFrom('objections').select(['id', 'objector_id', 'recorded_by']).orderBy('raised_at').execute();
    expect(objections.map((o) => o.objector_id)).toEqual([alice.personId, chloeId]);
    expect(objections[1]!.recorded_by).not.toBeNull();
    [aliceObjection, chloeObjection] = objections.map((o) => o.id) as [string, string];
    for (const id of [aliceObjection, chloeObjection])
      await ok(facilitator, 'tester', { objection: id, 'reponses[importante]': 'oui', 'reponses[argumentee]': 'oui', decision: 'valid' }, 'console');
    await ok(
      proposer,
      'amender',
      {
        texte: 'Deux jours de télétravail par semaine, hors accueil ; un poste prêté à qui n’en a pas.',
        note: 'Accueil et équipement',
        motive: `objection:${aliceObjection}`,
      },
      'porteur',
    );
  });

  it('when the facilitator posts « objection levée » for an objector who is connected, then it is refused and the objection stays open', async () => {
    const before = await fingerprint(database.db);
    const res = await act(facilitator, 'levee', { objection: aliceObjection, pour: alice.personId }, 'console');
    expect(res.status).toBe(403);
    expect(readable(res.text)).toContain('Seule la personne qui a formulé l’objection peut confirmer');
    expect(await fingerprint(database.db)).toEqual(before);
    const row = await database.db.selectFrom('objections').select('outcome').where('id', '=', aliceObjection).executeTakeFirstOrThrow();
    expect(row.outcome).toBeNull();
  });

  it('when the facilitator confirms for the objector without a device, then the log says who typed it and for whom', async () => {
    // Alice confirms her own from her phone; then the second objection is integrated
    await ok(alice, 'levee', { objection: aliceObjection });
    await ok(proposer, 'tension-resolue', { objection: aliceObjection }, 'porteur');
    await ok(
      proposer,
      'amender',
      {
        texte: 'Deux jours de télétravail par semaine, hors accueil ; un ordinateur prêté à qui n’en a pas.',
        note: 'Équipement',
        motive: `objection:${chloeObjection}`,
      },
      'porteur',
    );
    await ok(facilitator, 'levee', { objection: chloeObjection, pour: chloeId }, 'console');
    const events = await database.db.selectFrom('events').select(['actor_id', 'data']).where('type', '=', 'ObjectionLiftConfirmed').orderBy('id').execute();
    expect(events.map((e) => (e.data as Record<string, unknown>).onBehalfOf ?? null)).toEqual([null, chloeId]);
    expect(events[1]!.actor_id).toBe(
      (await database.db.selectFrom('persons').select('id').where('display_name', '=', 'Farid Facilitateur').executeTakeFirstOrThrow()).id,
    );
  });
});

describe('presence is marked by a POST, never by opening a page', () => {
  it('when a member opens a live view (a plain GET, as a link followed from another site), then they are not marked present', async () => {
    const member = await seedAccount(database.db, 'member', { name: 'Paul Passant' });
    const session = await signIn(app, member.email);
    await joinWithAccount(session, code);
    await facilitator.agent
      .post(`/seances/${meetingId}/presence`)
      .type('form')
      .send({ _csrf: facilitator.csrf, personne: member.personId, present: 'non' })
      .expect(303);
    const page = await session.agent.get(`/seances/${meetingId}/participant`).expect(200);
    const present = async () =>
      (
        await database.db
          .selectFrom('meeting_members')
          .select('present')
          .where('meeting_id', '=', meetingId)
          .where('person_id', '=', member.personId)
          .executeTakeFirstOrThrow()
      ).present;
    expect(await present()).toBe(false);
    // the page offers « Je suis là », posted on load by htmx and a plain button without JavaScript
    expect(readable(page.text)).toContain('Je suis là');
    expect(page.text).toMatch(/hx-post="\/seances\/[0-9a-f-]+\/arrivee"[^>]*hx-trigger="load"/);
    // without its token, the POST changes nothing
    await request(app).post(`/seances/${meetingId}/arrivee`).set('Cookie', session.cookie).type('form').send({ retour: 'participant' }).expect(403);
    expect(await present()).toBe(false);
    const res = await session.agent
      .post(`/seances/${meetingId}/arrivee`)
      .type('form')
      .send({ _csrf: csrfOf(page.text), retour: 'participant' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/seances/${meetingId}/participant`);
    expect(await present()).toBe(true);
    const again = await session.agent.get(`/seances/${meetingId}/participant`).expect(200);
    expect(again.text).not.toContain('/arrivee"');
  });
});
