import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { csrfOf, joinAsGuest, seedAccount, seedCircle, seedMeeting, signIn, type Session } from '../helpers/auth.ts';

// Every free text of a meeting, filled with a payload, must come back escaped on every view.
const PAYLOADS = ['"><img src=x onerror=alert(1)>', "<script>alert('x')</script>", '<svg/onload=alert(1)>'];

let database: TestDatabase;
let app: Express;

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
});
afterAll(async () => {
  await database.dispose();
});

describe.each(PAYLOADS)('the live views with the payload %s', (payload) => {
  it('when every free-text field of a meeting holds it, then every view shows it escaped', async () => {
    const admin = await seedAccount(database.db, 'admin');
    const fac = await seedAccount(database.db, 'facilitator');
    const meeting = await seedMeeting(database.db, fac.actor, await seedCircle(database.db, admin.actor));
    const facilitator = await signIn(app, fac.email);
    // guests do not put items on the agenda: the proposer is a member account that joined with the code
    const author = await seedAccount(database.db, 'member', { name: `Porteuse ${payload}`.slice(0, 120) });
    const proposer: Session = await signIn(app, author.email);
    const joinPage = await proposer.agent.get(`/rejoindre/${meeting.code}`);
    await proposer.agent
      .post('/rejoindre')
      .type('form')
      .send({ _csrf: csrfOf(joinPage.text), code: meeting.code })
      .expect(303);
    const asker = await joinAsGuest(app, database.db, meeting.code, `Alice ${payload}`.slice(0, 120));
    const draft = await proposer.agent.get(`/seances/${meeting.id}/propositions/nouvelle`).expect(200);
    await proposer.agent
      .post(`/seances/${meeting.id}/propositions`)
      .type('form')
      .send({
        _csrf: csrfOf(draft.text),
        title: `Titre ${payload}`,
        tension: `Tension ${payload}`,
        text: `Texte ${payload}`,
        criteria: `Critère ${payload}`,
        validitySet: 'importante_argumentee',
      })
      .expect(303);
    const pid = (await database.db.selectFrom('proposals').select('id').where('meeting_id', '=', meeting.id).executeTakeFirstOrThrow()).id;
    const act = (who: Session, action: string, fields: Record<string, string> = {}) =>
      who.agent
        .post(`/seances/${meeting.id}/propositions/${pid}/${action}`)
        .type('form')
        .send({ _csrf: who.csrf, retour: 'participant', ...fields });
    await facilitator.agent
      .post(`/seances/${meeting.id}/presence`)
      .type('form')
      .send({ _csrf: facilitator.csrf, nom: `Sans appareil ${payload}`.slice(0, 120) })
      .expect(303);
    expect((await act(facilitator, 'presenter')).status).toBe(303);
    expect((await act(facilitator, 'ouvrir-clarification')).status).toBe(303);
    expect((await act(asker, 'question', { texte: `Question ${payload}` })).status).toBe(303);
    expect((await act(proposer, 'question', { texte: `Hors tour ${payload}` })).status).toBe(422);
    const escaped = payload.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
    const console = await facilitator.agent.get(`/seances/${meeting.id}/console`).expect(200);
    for (const field of ['Titre', 'Tension', 'Texte', 'Critère', 'Question', 'Alice', 'Sans appareil']) expect(console.text).toContain(`${field} ${escaped}`);
    const pages = ['console', 'participant', 'porteur', 'projection'];
    for (const who of [facilitator, asker, proposer]) {
      for (const view of pages) {
        const res = await who.agent.get(`/seances/${meeting.id}/${view}`);
        if (res.status !== 200) continue; // the console is the facilitator's only
        expect(res.text, `${view}`).not.toContain(payload);
        expect(res.text).not.toMatch(/<(img|script|svg\/)[^>]*(onerror|onload|alert)/i);
      }
    }
    const refused = await act(proposer, 'question', { texte: `Hors tour ${payload}` });
    expect(refused.text).not.toContain(payload);
  });
});
