/**
 * A guest who signs out and joins again from the same device stays one person (issue 10, item 6):
 * the long-lived, HttpOnly rejoin cookie of the séance; a signed-out guest is sent to /rejoindre.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { csrfOf, joinAsGuest, seedAccount, seedCircle, seedMeeting, signIn } from '../helpers/auth.ts';

let database: TestDatabase;
let app: Express;

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
});
afterAll(async () => {
  await database.dispose();
});

async function seance() {
  const admin = await seedAccount(database.db, 'admin');
  const fac = await seedAccount(database.db, 'facilitator', { name: 'Farid Facilitateur' });
  const meeting = await seedMeeting(database.db, fac.actor, await seedCircle(database.db, admin.actor));
  return { ...meeting, facilitator: await signIn(app, fac.email) };
}

const namesIn = async (meetingId: string) =>
  (
    await database.db
      .selectFrom('meeting_members')
      .innerJoin('persons', 'persons.id', 'meeting_members.person_id')
      .select(['persons.id', 'persons.display_name'])
      .where('meeting_members.meeting_id', '=', meetingId)
      .where('meeting_members.removed_at', 'is', null)
      .execute()
  ).map((r) => r.display_name);

async function joinAgain(agent: ReturnType<typeof request.agent>, code: string, displayName: string) {
  const form = await agent.get(`/rejoindre/${code}`).expect(200);
  return agent
    .post('/rejoindre')
    .type('form')
    .send({ _csrf: csrfOf(form.text), code, displayName });
}

describe('a guest who signs out and joins again', () => {
  it('when the same device joins again, then it is the same person: counted once, one « Noter l’absence de … » button', async () => {
    const s = await seance();
    const gaelle = await joinAsGuest(app, database.db, s.code, 'Gaëlle Invitée');
    const cookie = (await joinAgain(request.agent(app), s.code, 'Autre Personne')).headers['set-cookie'] as unknown as string[];
    const rejoin = cookie.find((c) => c.startsWith(`so_rejoin_${s.id}=`))!;
    expect(rejoin).toMatch(/HttpOnly/i);
    expect(rejoin).toMatch(/Max-Age=\d{6,}/);

    await gaelle.agent.post('/deconnexion').type('form').send({ _csrf: gaelle.csrf }).expect(303);
    // signed out, the guest opening her view is sent back to the séance's join page, not to an account's sign-in
    for (const view of ['participant', 'porteur', 'projection', '']) {
      const sent = await gaelle.agent.get(`/seances/${s.id}${view ? `/${view}` : ''}`).expect(303);
      expect(sent.headers.location, view).toBe(`/rejoindre/${s.code}`);
    }

    const again = await joinAgain(gaelle.agent, s.code, 'Gaëlle Invitée');
    expect(again.status).toBe(303);
    expect((await namesIn(s.id)).filter((n) => n === 'Gaëlle Invitée')).toHaveLength(1);
    const view = await gaelle.agent.get(`/seances/${s.id}/participant`).expect(200);
    expect(view.text).toContain('Gaëlle Invitée');
    const console = await s.facilitator.agent.get(`/seances/${s.id}/console`).expect(200);
    expect(console.text.match(/Noter l’absence de Gaëlle Invitée/g) ?? []).toHaveLength(1);
    const person = await database.db.selectFrom('persons').select('id').where('display_name', '=', 'Gaëlle Invitée').execute();
    expect(person.map((p) => p.id)).toEqual([gaelle.personId]);
  });

  it('when the cookie is forged or the guest was removed, then joining makes a new person, and a device that never joined is sent to sign in', async () => {
    const s = await seance();
    const guest = await joinAsGuest(app, database.db, s.code, 'Hugo Invité');
    const other = await joinAsGuest(app, database.db, s.code, 'Iris Invitée');
    // Hugo's device claims to be Iris: the signature does not match, a new person is made
    const forged = request.agent(app);
    const form = await forged.get(`/rejoindre/${s.code}`).expect(200);
    const res = await forged
      .post('/rejoindre')
      .set(
        'Cookie',
        `so_rejoin_${s.id}=${s.code}.${other.personId}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA; so_visitor=${/so_visitor=([^;]+)/.exec(((form.headers['set-cookie'] as unknown as string[]) ?? []).join(';'))?.[1] ?? ''}`,
      )
      .type('form')
      .send({ _csrf: csrfOf(form.text), code: s.code, displayName: 'Iris Invitée' });
    expect(res.status).toBe(303);
    expect((await namesIn(s.id)).filter((n) => n === 'Iris Invitée')).toHaveLength(2);
    // removed by the facilitator, Hugo's device does not bring him back: a new person joins
    await s.facilitator.agent.post(`/seances/${s.id}/invites/${guest.personId}/retirer`).type('form').send({ _csrf: s.facilitator.csrf }).expect(303);
    expect((await joinAgain(guest.agent, s.code, 'Hugo Invité')).status).toBe(303);
    const hugos = await database.db.selectFrom('persons').select('id').where('display_name', '=', 'Hugo Invité').execute();
    expect(hugos).toHaveLength(2);
    // never joined: an account's sign-in, as before
    const stranger = await request(app).get(`/seances/${s.id}/participant`).expect(303);
    expect(stranger.headers.location).toMatch(/^\/connexion/);
  });
});
