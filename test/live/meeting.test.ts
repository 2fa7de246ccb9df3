import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { csrfOf, seedAccount, seedCircle, seedMeeting, signIn, type Session } from '../helpers/auth.ts';
import request from 'supertest';
import { readable } from '../helpers/html.ts';

let database: TestDatabase;
let app: Express;

/** A meeting seeded for one test: its facilitator and proposer signed in, Alice and Bob joined with its code. */
interface LiveMeeting {
  meetingId: string;
  code: string;
  facilitator: Session;
  proposer: Session;
  alice: Session;
  bob: Session & { personId: string };
}

async function join(meetingId: string, code: string, name: string): Promise<Session & { personId: string }> {
  const agent = request.agent(app);
  const page = await agent.get(`/rejoindre/${code}`).expect(200);
  const res = await agent
    .post('/rejoindre')
    .type('form')
    .send({ _csrf: csrfOf(page.text), code, displayName: name });
  expect(res.status).toBe(303);
  const cookie = ((res.headers['set-cookie'] as unknown as string[]) ?? []).map((c) => c.split(';')[0]).find((c) => c!.startsWith('so_session=')) ?? '';
  const view = await agent.get(`/seances/${meetingId}/participant`).expect(200);
  const person = await database.db
    .selectFrom('persons')
    .innerJoin('meeting_members', 'meeting_members.person_id', 'persons.id')
    .select('persons.id')
    .where('meeting_members.meeting_id', '=', meetingId)
    .where('persons.display_name', '=', name)
    .executeTakeFirstOrThrow();
  return { agent, csrf: csrfOf(view.text), cookie, personId: person.id };
}

/** Seeds a meeting of its own for the test that calls it (nothing is shared between tests). */
async function seedLiveMeeting(): Promise<LiveMeeting> {
  const admin = await seedAccount(database.db, 'admin');
  const fac = await seedAccount(database.db, 'facilitator', { name: 'Farid Facilitateur' });
  const member = await seedAccount(database.db, 'member', { name: 'Marie Porteuse' });
  const { id: meetingId, code } = await seedMeeting(database.db, fac.actor, await seedCircle(database.db, admin.actor));
  const facilitator = await signIn(app, fac.email);
  const proposer = await signIn(app, member.email);
  const joinPage = await proposer.agent.get(`/rejoindre/${code}`);
  await proposer.agent
    .post('/rejoindre')
    .type('form')
    .send({ _csrf: csrfOf(joinPage.text), code });
  const alice = await join(meetingId, code, 'Alice Agente');
  const bob = await join(meetingId, code, 'Bob Habitant');
  return { meetingId, code, facilitator, proposer, alice, bob };
}

function proposalIdOf(html: string): string {
  const match = /\/propositions\/([0-9a-f-]{36})\//.exec(html) ?? /proposition=([0-9a-f-]{36})/.exec(html);
  if (!match) throw new Error('no proposal on the page');
  return match[1]!;
}

/** Posts one action of the live forms, as the no-JavaScript form does. */
function actIn(meetingId: string, proposalId: string) {
  return (who: Session, action: string, fields: Record<string, string> = {}, back = 'participant') =>
    who.agent
      .post(`/seances/${meetingId}/propositions/${proposalId}/${action}`)
      .type('form')
      .send({ _csrf: who.csrf, retour: back, ...fields });
}

/** The proposer drafts « Du consensus au consentement »; returns its id, read from the console. */
async function draftProposal(live: LiveMeeting): Promise<string> {
  const form = await live.proposer.agent.get(`/seances/${live.meetingId}/propositions/nouvelle`).expect(200);
  await live.proposer.agent
    .post(`/seances/${live.meetingId}/propositions`)
    .type('form')
    .send({
      _csrf: csrfOf(form.text),
      title: 'Du consensus au consentement',
      tension: 'Les décisions traînent.',
      text: "Passer d'une culture du consensus à une culture du consentement.",
      criteria: 'Délai de décision',
      reviewDate: '2027-06-30',
      validitySet: 'importante_argumentee',
    })
    .expect(303);
  return proposalIdOf((await live.facilitator.agent.get(`/seances/${live.meetingId}/console`).expect(200)).text);
}

/** A drafted proposal, presented, its clarification round open (Alice speaks first, then Bob). */
async function seedClarification(live: LiveMeeting): Promise<string> {
  const proposalId = await draftProposal(live);
  const act = actIn(live.meetingId, proposalId);
  expect((await act(live.facilitator, 'presenter', {}, 'console')).status).toBe(303);
  expect((await act(live.facilitator, 'ouvrir-clarification', {}, 'console')).status).toBe(303);
  return proposalId;
}

/** The shortest way to adoption: everyone passes, the text is kept, no objection. */
async function seedAdopted(live: LiveMeeting): Promise<string> {
  const proposalId = await seedClarification(live);
  const act = actIn(live.meetingId, proposalId);
  const steps: [Session, string, string][] = [
    [live.alice, 'passer', 'participant'],
    [live.bob, 'passer', 'participant'],
    [live.facilitator, 'ouvrir-reactions', 'console'],
    [live.alice, 'passer', 'participant'],
    [live.bob, 'passer', 'participant'],
    [live.facilitator, 'ouvrir-bonification', 'console'],
    [live.proposer, 'maintenir', 'porteur'],
    [live.facilitator, 'ouvrir-objections', 'console'],
    [live.proposer, 'pas-objection', 'porteur'],
    [live.alice, 'pas-objection', 'participant'],
    [live.bob, 'pas-objection', 'participant'],
  ];
  for (const [who, action, back] of steps) expect((await act(who, action, {}, back)).status, action).toBe(303);
  return proposalId;
}

async function counts(): Promise<string> {
  const r = await sql<{
    e: number;
    c: number;
    o: number;
  }>`select (select count(*) from events)::int as e, (select count(*) from contributions)::int as c, (select count(*) from objections)::int as o`.execute(
    database.db,
  );
  return JSON.stringify(r.rows[0]);
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
});
afterAll(async () => {
  await database.dispose();
});

describe('holding a consent meeting over plain HTTP forms (no JavaScript)', () => {
  it('when a member drafts a proposal, then it is on the agenda of the console', async () => {
    const { meetingId, proposer, facilitator } = await seedLiveMeeting();
    const form = await proposer.agent.get(`/seances/${meetingId}/propositions/nouvelle`).expect(200);
    const bad = await proposer.agent
      .post(`/seances/${meetingId}/propositions`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), title: '', tension: 'Les décisions traînent.', text: 'Passer au consentement.', validitySet: 'importante_argumentee' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Les décisions traînent.');
    const ok = await proposer.agent
      .post(`/seances/${meetingId}/propositions`)
      .type('form')
      .send({
        _csrf: csrfOf(form.text),
        title: 'Du consensus au consentement',
        tension: 'Les décisions traînent.',
        text: "Passer d'une culture du consensus à une culture du consentement.",
        criteria: 'Délai de décision',
        reviewDate: '2027-06-30',
        validitySet: 'importante_argumentee',
      });
    expect(ok.status).toBe(303);
    const console = await facilitator.agent.get(`/seances/${meetingId}/console`).expect(200);
    expect(console.text).toContain('Du consensus au consentement');
    expect(console.text).toContain('Ouvrir la présentation');
    expect(proposalIdOf(console.text)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when a participant opens the console, then access is refused', async () => {
    const { meetingId, alice } = await seedLiveMeeting();
    await alice.agent.get(`/seances/${meetingId}/console`).expect(403);
  });

  it('when the facilitator opens the clarification round, then the order holds the people present and the first one sees « À vous »', async () => {
    const live = await seedLiveMeeting();
    const { meetingId, facilitator, proposer, alice, bob } = live;
    const act = actIn(meetingId, await draftProposal(live));
    expect((await act(facilitator, 'presenter', {}, 'console')).status).toBe(303);
    expect((await act(facilitator, 'ouvrir-clarification', {}, 'console')).status).toBe(303);
    const view = await proposer.agent.get(`/seances/${meetingId}/participant`).expect(200);
    expect(view.text).toContain('Ordre de parole');
    const order = [...view.text.matchAll(/<span class="turn-name">([^<]+)<\/span>/g)].map((m) => m[1]);
    expect(order).toEqual(['Alice Agente', 'Bob Habitant']);
    const aliceView = await alice.agent.get(`/seances/${meetingId}/participant`).expect(200);
    expect(aliceView.text).toContain('À vous');
    expect(aliceView.text).toContain('Poser ma question');
    const bobView = await bob.agent.get(`/seances/${meetingId}/participant`).expect(200);
    expect(bobView.text).not.toContain('Poser ma question');
  });

  it('when someone acts out of turn, then a clear French message is shown, their text is kept and nothing is stored', async () => {
    const live = await seedLiveMeeting();
    const act = actIn(live.meetingId, await seedClarification(live));
    const before = await counts();
    const res = await act(live.bob, 'question', { texte: 'Ma question hors tour' });
    expect(res.status).toBe(422);
    expect(readable(res.text)).toContain('Ce n’est pas votre tour de parole.');
    expect(res.text).toContain('Ma question hors tour');
    expect(await counts()).toBe(before);
    const wrongStage = await act(live.alice, 'objection', { texte: 'Trop tôt' });
    expect(wrongStage.status).toBe(422);
    expect(readable(wrongStage.text)).toContain('n’appartient pas à l’étape en cours');
    expect(wrongStage.text).toContain('Trop tôt');
    expect(await counts()).toBe(before);
  });

  it('when a question is submitted twice with the same key, then one is stored', async () => {
    const live = await seedLiveMeeting();
    const proposalId = await seedClarification(live);
    const act = actIn(live.meetingId, proposalId);
    const key = '6f1c2a8e-5d0b-4c1e-9a53-2b7f0f5e9c11';
    const first = await act(live.alice, 'question', { texte: 'Qui décide en cas de blocage ?', cle: key });
    const second = await act(live.alice, 'question', { texte: 'Qui décide en cas de blocage ?', cle: key });
    expect([first.status, second.status]).toEqual([303, 303]);
    const rows = await database.db.selectFrom('contributions').select('body').where('proposal_id', '=', proposalId).where('kind', '=', 'question').execute();
    expect(rows).toEqual([{ body: 'Qui décide en cas de blocage ?' }]);
  });

  it('when the whole method is followed, then the proposal is adopted with its objections resolved', async () => {
    const live = await seedLiveMeeting();
    const { meetingId, code, facilitator, proposer, alice, bob } = live;
    const proposalId = await seedClarification(live);
    const act = actIn(meetingId, proposalId);
    expect((await act(alice, 'question', { texte: 'Qui décide en cas de blocage ?' })).status).toBe(303);
    const qid = (
      await database.db
        .selectFrom('contributions')
        .select('ref_id')
        .where('proposal_id', '=', proposalId)
        .where('kind', '=', 'question')
        .executeTakeFirstOrThrow()
    ).ref_id!;
    expect((await act(proposer, 'repondre', { question: qid, texte: 'Le groupe.' })).status).toBe(303);
    // Bob is connected with his phone: the facilitator may not type his turn for him; he passes himself.
    expect((await act(facilitator, 'passer', { pour: bob.personId }, 'console')).status).toBe(403);
    expect((await act(bob, 'passer')).status).toBe(303);
    expect((await act(facilitator, 'ouvrir-reactions', {}, 'console')).status).toBe(303);
    expect((await act(alice, 'reaction', { texte: 'Enthousiaste.' })).status).toBe(303);
    expect((await act(bob, 'passer')).status).toBe(303);
    expect((await act(facilitator, 'ouvrir-bonification', {}, 'console')).status).toBe(303);
    expect((await act(proposer, 'maintenir', {}, 'porteur')).status).toBe(303);
    expect((await act(facilitator, 'ouvrir-objections', {}, 'console')).status).toBe(303);
    // the proposer joined first, so speaks first in the objection round (and is left out of the others)
    expect((await act(proposer, 'pas-objection', {}, 'porteur')).status).toBe(303);
    expect((await act(alice, 'objection', { texte: 'Les élus ne seront pas informés.' })).status).toBe(303);
    expect((await act(bob, 'objection', { texte: 'Je préfère voter.' })).status).toBe(303);
    const objections = await database.db
      .selectFrom('objections')
      .select(['id', 'objector_id'])
      .where('proposal_id', '=', proposalId)
      .orderBy('raised_at')
      .execute();
    const [o1, o2] = objections;
    expect(
      (await act(facilitator, 'tester', { objection: o1!.id, 'reponses[importante]': 'oui', 'reponses[argumentee]': 'oui', decision: 'valid' }, 'console'))
        .status,
    ).toBe(303);
    expect(
      (await act(facilitator, 'tester', { objection: o2!.id, 'reponses[importante]': 'non', 'reponses[argumentee]': 'non', decision: 'not_valid' }, 'console'))
        .status,
    ).toBe(303);
    const porteur = await proposer.agent.get(`/seances/${meetingId}/porteur`).expect(200);
    expect(porteur.text).toContain('Enregistrer la nouvelle version');
    const preview = await act(
      proposer,
      'amender',
      { texte: "Passer d'une culture du consensus à une culture du consentement. Les élus sont informés.", note: 'Aperçu', apercu: '1' },
      'porteur',
    );
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('<ins title="ajouté">');
    expect(await database.db.selectFrom('proposal_versions').select('number').where('proposal_id', '=', proposalId).execute()).toHaveLength(1);
    expect(
      (
        await act(
          proposer,
          'amender',
          {
            texte: "Passer d'une culture du consensus à une culture du consentement. Les élus sont informés de chaque décision.",
            note: 'Information des élus',
            motive: `objection:${o1!.id}`,
          },
          'porteur',
        )
      ).status,
    ).toBe(303);
    const diff = await proposer.agent.get(`/seances/${meetingId}/porteur`).expect(200);
    expect(diff.text).toContain('<ins');
    expect((await act(alice, 'levee', { objection: o1!.id })).status).toBe(303);
    expect((await act(proposer, 'tension-resolue', { objection: o1!.id }, 'porteur')).status).toBe(303);
    expect((await act(facilitator, 'ouvrir-objections', {}, 'console')).status).toBe(303);
    for (const who of [proposer, alice, bob]) expect((await act(who, 'pas-objection')).status).toBe(303);
    const rows = await database.db.selectFrom('objections').select(['outcome']).where('proposal_id', '=', proposalId).orderBy('raised_at').execute();
    expect(rows.map((r) => r.outcome)).toEqual(['integrated', 'not_valid']);
    const projector = await facilitator.agent.get(`/seances/${meetingId}/projection`).expect(200);
    expect(projector.text).toContain('Proposition adoptée');
    expect(projector.text).toContain('<svg');
    expect(projector.text).toContain(code);
  });

  it('when the server restarts (a new app on the same database), then the meeting resumes exactly where it was', async () => {
    const live = await seedLiveMeeting();
    await seedAdopted(live);
    const { meetingId, alice } = live;
    const strip = (html: string) => html.replace(/name="cle" value="[^"]+"/g, '').replace(/data-since="[^"]+"/g, '');
    const before = await alice.agent.get(`/seances/${meetingId}/participant`).set('HX-Target', 'live').expect(200);
    const restarted = buildApp(database);
    const after = await request(restarted).get(`/seances/${meetingId}/participant`).set('Cookie', alice.cookie).set('HX-Target', 'live').expect(200);
    expect(strip(after.text)).toBe(strip(before.text));
    expect(after.text).toContain('data-stage="adopted"');
  });

  it('when a view is re-fetched by htmx, then only the live fragment comes back', async () => {
    const live = await seedLiveMeeting();
    await seedClarification(live);
    const res = await live.alice.agent.get(`/seances/${live.meetingId}/participant`).set('HX-Request', 'true').set('HX-Target', 'live').expect(200);
    expect(res.text.trimStart().startsWith('<div id="live"')).toBe(true);
    expect(res.text).toContain('hx-swap-oob');
    expect(res.headers.vary).toMatch(/HX-Target/);
  });
});
