import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { Express } from 'express';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { anonymous, csrfOf, fingerprint, seedAccount, seedCircle, seedMeeting, signIn, type SeededAccount, type Session } from '../helpers/auth.ts';

let database: TestDatabase;
let app: Express;
let admin: SeededAccount;
let adminSession: Session;
let facilitator: Session;
let alice: Session;
let circleId: string;
let meetingId: string;
let code: string;
let proposalId: string;

const NUL = '\u0000';
const MESSAGE = 'Ce texte contenait des caractères invisibles non autorisés';

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  admin = await seedAccount(database.db, 'admin');
  const fac = await seedAccount(database.db, 'facilitator');
  circleId = await seedCircle(database.db, admin.actor);
  ({ id: meetingId, code } = await seedMeeting(database.db, fac.actor, circleId));
  adminSession = await signIn(app, admin.email);
  facilitator = await signIn(app, fac.email);
  // Alice joins as a guest and the clarification round opens on her turn
  const agent = request.agent(app);
  const page = await agent.get(`/rejoindre/${code}`).expect(200);
  await agent
    .post('/rejoindre')
    .type('form')
    .send({ _csrf: csrfOf(page.text), code, displayName: 'Alice Agente' })
    .expect(303);
  alice = { agent, csrf: csrfOf((await agent.get(`/seances/${meetingId}/participant`).expect(200)).text), cookie: '' };
  const draft = await facilitator.agent.get(`/seances/${meetingId}/propositions/nouvelle`).expect(200);
  await facilitator.agent
    .post(`/seances/${meetingId}/propositions`)
    .type('form')
    .send({ _csrf: csrfOf(draft.text), title: 'Proposition', tension: 'Une tension.', text: 'Un texte.', validitySet: 'importante_argumentee' })
    .expect(303);
  await facilitator.agent.get(`/seances/${meetingId}/console`).expect(200); // opening the console marks the facilitator present
  proposalId = (await database.db.selectFrom('proposals').select('id').executeTakeFirstOrThrow()).id;
  for (const action of ['presenter', 'ouvrir-clarification']) {
    await facilitator.agent
      .post(`/seances/${meetingId}/propositions/${proposalId}/${action}`)
      .type('form')
      .send({ _csrf: facilitator.csrf, retour: 'console' })
      .expect(303);
  }
});
afterAll(async () => {
  await database.dispose();
});

/** Posts a form; the answer must be 400 with the French message, the text kept without the bad character, and no change stored. */
async function refused(send: () => Promise<request.Response>, kept: string): Promise<request.Response> {
  const before = await fingerprint(database.db);
  const res = await send();
  expect(res.status).toBe(400);
  expect(res.text).toContain(MESSAGE);
  expect(res.text).toContain(kept);
  expect(res.text).not.toContain(NUL);
  expect(await fingerprint(database.db)).toEqual(before);
  return res;
}

describe('control characters in forms are refused next to the field, never a 500', () => {
  it('when a question holds a null character, then it is refused next to the question and its text is kept', async () => {
    const res = await refused(
      () =>
        alice.agent
          .post(`/seances/${meetingId}/propositions/${proposalId}/question`)
          .type('form')
          .send({ _csrf: alice.csrf, retour: 'participant', texte: `Qui décide${NUL} ?` }),
      'Qui décide ?</textarea>',
    );
    expect(res.text).toMatch(/id="f-question-error"[^>]*>Ce texte contenait/);
  });

  it('when the join code or the display name holds a null character, then the join form says so', async () => {
    const anon = await anonymous(app);
    const byName = await refused(
      () =>
        anon.agent
          .post('/rejoindre')
          .type('form')
          .send({ _csrf: anon.csrf, code, displayName: `Camille${NUL}` }),
      'value="Camille"',
    );
    expect(byName.text).toMatch(/id="f-displayName-error"[^>]*>Ce texte contenait/);
    const byCode = await refused(
      () =>
        anon.agent
          .post('/rejoindre')
          .type('form')
          .send({ _csrf: anon.csrf, code: `${code}${NUL}`, displayName: 'Camille' }),
      `value="${code}"`,
    );
    expect(byCode.text).toMatch(/id="f-code-error"[^>]*>Ce texte contenait/);
  });

  it('when the sign-in email holds a null character, then a visitor gets the form back, not a 500', async () => {
    const anon = await anonymous(app);
    const res = await refused(
      () =>
        anon.agent
          .post('/connexion')
          .type('form')
          .send({ _csrf: anon.csrf, email: `${admin.email}${NUL}`, password: 'x' }),
      `value="${admin.email}"`,
    );
    expect(res.text).toMatch(/id="f-email-error"[^>]*>Ce texte contenait/);
  });

  it('when a meeting title holds a null character, then the new-meeting form says so', async () => {
    const res = await refused(
      () =>
        facilitator.agent
          .post('/seances/nouvelle')
          .type('form')
          .send({ _csrf: facilitator.csrf, circleId, title: `Séance${NUL} du lundi`, scheduledFor: '2026-05-04T14:00' }),
      'value="Séance du lundi"',
    );
    expect(res.text).toMatch(/id="f-title-error"[^>]*>Ce texte contenait/);
  });

  it.each(['title', 'tension', 'text', 'criteria'])(
    'when the proposal field %s holds a null character, then the draft form says so and keeps every field',
    async (field) => {
      const fields: Record<string, string> = { title: 'Titre gardé', tension: 'Tension gardée', text: 'Texte gardé', criteria: 'Critères gardés' };
      const body = { ...fields, [field]: `${fields[field]}${NUL}`, validitySet: 'importante_argumentee' };
      const res = await refused(
        () =>
          facilitator.agent
            .post(`/seances/${meetingId}/propositions`)
            .type('form')
            .send({ _csrf: facilitator.csrf, ...body }),
        fields[field]!,
      );
      expect(res.text).toMatch(new RegExp(`id="f-${field}-error"[^>]*>Ce texte contenait`));
      for (const value of Object.values(fields)) expect(res.text).toContain(value);
    },
  );

  it('when the name of someone added in the room holds a null character, then the console says so next to the name', async () => {
    const res = await refused(
      () =>
        facilitator.agent
          .post(`/seances/${meetingId}/presence`)
          .type('form')
          .send({ _csrf: facilitator.csrf, nom: `Bob${NUL} Habitant` }),
      'value="Bob Habitant"',
    );
    expect(res.text).toMatch(/id="f-in-room-error"[^>]*>Ce texte contenait/);
  });

  it('when an account name holds a null character, then the accounts page says so', async () => {
    const res = await refused(
      () =>
        adminSession.agent
          .post('/admin/comptes')
          .type('form')
          .send({ _csrf: adminSession.csrf, email: 'nul@test.local', displayName: `Nora${NUL} Nul`, role: 'member' }),
      'value="Nora Nul"',
    );
    expect(res.text).toMatch(/id="f-displayName-error"[^>]*>Ce texte contenait/);
  });

  it('when a circle name holds a null character, then the circles page says so', async () => {
    const res = await refused(
      () =>
        adminSession.agent
          .post('/admin/cercles')
          .type('form')
          .send({ _csrf: adminSession.csrf, name: `Cercle${NUL} nul`, description: '' }),
      'value="Cercle nul"',
    );
    expect(res.text).toMatch(/id="f-name-error"[^>]*>Ce texte contenait/);
  });

  it('when a text holds other control characters, then they are refused too, but tabs and line breaks are kept', async () => {
    await refused(
      () => adminSession.agent.post('/admin/cercles').type('form').send({ _csrf: adminSession.csrf, name: 'Cercle\u001b[31m rouge', description: '' }),
      'value="Cercle[31m rouge"',
    );
    await adminSession.agent
      .post('/admin/cercles')
      .type('form')
      .send({ _csrf: adminSession.csrf, name: 'Cercle des lignes', description: 'Une ligne\r\nune autre\tet une tabulation' })
      .expect(303);
  });
});

describe('a text longer than its action allows', () => {
  it('when a 100 kB question is sent, then the form says the question holds 2 000 characters at most, next to it, and keeps the text', async () => {
    const long = 'q'.repeat(100_000);
    const before = await fingerprint(database.db);
    const res = await alice.agent
      .post(`/seances/${meetingId}/propositions/${proposalId}/question`)
      .type('form')
      .send({ _csrf: alice.csrf, retour: 'participant', texte: long });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="f-question-error"[^>]*>Raccourcissez ce texte à 2\u202f000 caractères au plus\./);
    expect(res.text).not.toContain('Le formulaire envoyé est incomplet');
    expect(res.text).toContain(`${long}</textarea>`);
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when a 2 001-character question is sent, then the same message is next to the question', async () => {
    const res = await alice.agent
      .post(`/seances/${meetingId}/propositions/${proposalId}/question`)
      .type('form')
      .send({ _csrf: alice.csrf, retour: 'participant', texte: 'q'.repeat(2001) });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="f-question-error"[^>]*>Raccourcissez ce texte à 2\u202f000 caractères au plus\./);
  });
});
