import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { csrfOf, seedAccount, seedCircle, signIn, type SeededAccount, type Session } from '../helpers/auth.ts';

let database: TestDatabase;
let app: Express;
let fac: SeededAccount;
let sec: SeededAccount;
let facilitator: Session;
let secretary: Session;
let circleId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  const admin = await seedAccount(database.db, 'admin');
  fac = await seedAccount(database.db, 'facilitator', { name: 'Farid Facilitateur' });
  sec = await seedAccount(database.db, 'member', { name: 'Sarah Secrétaire' });
  circleId = await seedCircle(database.db, admin.actor);
  facilitator = await signIn(app, fac.email);
  secretary = await signIn(app, sec.email);
});
afterAll(async () => {
  await database.dispose();
});

describe('the secretary of a meeting', () => {
  it('when a meeting is created with a secretary who does not exist, then the form comes back with the error and nothing is created', async () => {
    const form = await facilitator.agent.get('/seances/nouvelle').expect(200);
    expect(form.text).toContain('Sarah Secrétaire');
    const res = await facilitator.agent
      .post('/seances/nouvelle')
      .type('form')
      .send({
        _csrf: csrfOf(form.text),
        circleId,
        title: 'Séance du lundi',
        scheduledFor: '2026-12-01T09:30',
        secretaryId: '00000000-0000-4000-8000-000000000000',
      });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Séance du lundi');
    expect(await database.db.selectFrom('meetings').select('id').execute()).toEqual([]);
  });

  it('when the facilitator is personally involved, then they hand facilitation to the secretary, who runs the meeting from the console', async () => {
    const form = await facilitator.agent.get('/seances/nouvelle').expect(200);
    const created = await facilitator.agent
      .post('/seances/nouvelle')
      .type('form')
      .send({ _csrf: csrfOf(form.text), circleId, title: 'Séance du mardi', scheduledFor: '2026-12-02T09:30', secretaryId: sec.personId });
    expect(created.status).toBe(303);
    const meetingId = created.headers.location!.split('/').pop()!;
    const draft = await facilitator.agent.get(`/seances/${meetingId}/propositions/nouvelle`).expect(200);
    await facilitator.agent
      .post(`/seances/${meetingId}/propositions`)
      .type('form')
      .send({
        _csrf: csrfOf(draft.text),
        title: 'Réorganiser le service',
        tension: 'Le facilitateur porte lui-même la proposition.',
        text: 'Texte',
        validitySet: 's3',
      })
      .expect(303);
    const proposalId = (await database.db.selectFrom('proposals').select('id').executeTakeFirstOrThrow()).id;
    expect((await database.db.selectFrom('proposals').select('secretary_id').executeTakeFirstOrThrow()).secretary_id).toBe(sec.personId);

    await secretary.agent.get(`/seances/${meetingId}/console`).expect(200);
    const console = await facilitator.agent.get(`/seances/${meetingId}/console`).expect(200);
    expect(console.text).toContain('Passer la facilitation au ou à la secrétaire');
    await facilitator.agent
      .post(`/seances/${meetingId}/propositions/${proposalId}/passer-la-main`)
      .type('form')
      .send({ _csrf: facilitator.csrf, retour: 'console' })
      .expect(303);

    // only the acting facilitator postpones: the one who handed over no longer can
    const refused = await facilitator.agent
      .post(`/seances/${meetingId}/propositions/${proposalId}/reporter`)
      .type('form')
      .send({ _csrf: facilitator.csrf, retour: 'console' });
    expect(refused.status).toBe(422);
    await secretary.agent
      .post(`/seances/${meetingId}/propositions/${proposalId}/presenter`)
      .type('form')
      .send({ _csrf: secretary.csrf, retour: 'console' })
      .expect(303);
    const row = await database.db.selectFrom('proposals').select(['stage', 'acting_facilitator_id']).executeTakeFirstOrThrow();
    expect(row).toEqual({ stage: 'presentation', acting_facilitator_id: sec.personId });
  });
});
