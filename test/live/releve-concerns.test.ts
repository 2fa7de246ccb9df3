/**
 * An objection ruled not valid is kept as a concern (the method, and the core at adoption): the
 * relevé de séance and the register's record say so, from one function (keptConcerns), instead of
 * « Aucune préoccupation ».
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { csrfOf, joinAsGuest, seedAccount, seedCircle, seedMeeting, signIn, type Session } from '../helpers/auth.ts';
import { SeanceService } from '../../src/meetings/seance.service.ts';
import { readable } from '../helpers/html.ts';

let database: TestDatabase;
let app: Express;

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
});
afterAll(async () => {
  await database.dispose();
});

describe('the concerns of a decision', () => {
  it('when an objection is ruled not valid and the proposal adopted, then the relevé and the register list it among the concerns', async () => {
    const admin = await seedAccount(database.db, 'admin');
    const fac = await seedAccount(database.db, 'facilitator', { name: 'Farid Facilitateur' });
    const s = await seedMeeting(database.db, fac.actor, await seedCircle(database.db, admin.actor));
    await new SeanceService({ db: database.db }).open(fac.actor, s.id);
    const facilitator: Session = await signIn(app, fac.email);
    const alice = await joinAsGuest(app, database.db, s.code, 'Alice Agente');
    const bob = await joinAsGuest(app, database.db, s.code, 'Bob Habitant');
    const form = await facilitator.agent.get(`/seances/${s.id}/propositions/nouvelle`).expect(200);
    await facilitator.agent
      .post(`/seances/${s.id}/propositions`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), title: 'Horaires d’été', tension: 'Il fait chaud.', text: 'Ouvrir à 8 h.', validitySet: 'importante_argumentee' })
      .expect(303);
    const pid = (await database.db.selectFrom('proposals').select('id').where('meeting_id', '=', s.id).executeTakeFirstOrThrow()).id;
    const act = (who: Session, action: string, fields: Record<string, string> = {}) =>
      who.agent
        .post(`/seances/${s.id}/propositions/${pid}/${action}`)
        .type('form')
        .send({ _csrf: who.csrf, retour: who === facilitator ? 'console' : 'participant', ...fields })
        .expect(303);
    await act(facilitator, 'presenter');
    await act(facilitator, 'ouvrir-clarification');
    for (const who of [alice, bob]) await act(who, 'passer');
    await act(facilitator, 'ouvrir-reactions');
    for (const who of [alice, bob]) await act(who, 'passer');
    await act(facilitator, 'ouvrir-bonification');
    await act(facilitator, 'maintenir');
    await act(facilitator, 'ouvrir-objections');
    await act(alice, 'objection', { texte: 'Je préférerais 9 h.' });
    await act(bob, 'pas-objection');
    const objection = (await database.db.selectFrom('objections').select('id').where('proposal_id', '=', pid).executeTakeFirstOrThrow()).id;
    // not important for the proposal: ruled not valid, as the answers say; the proposal is adopted with it as a concern
    await act(facilitator, 'tester', { objection, 'reponses[importante]': 'non', 'reponses[argumentee]': 'oui' });
    expect((await database.db.selectFrom('proposals').select('stage').where('id', '=', pid).executeTakeFirstOrThrow()).stage).toBe('adopted');
    await facilitator.agent.post(`/seances/${s.id}/cloture`).type('form').send({ _csrf: facilitator.csrf, retour: 'console' }).expect(303);

    const releve = readable((await facilitator.agent.get(`/seances/${s.id}/releve`).expect(200)).text);
    const concerns = releve.slice(releve.indexOf('Préoccupations</h4>'));
    expect(concerns).not.toContain('Aucune préoccupation.');
    expect(concerns).toMatch(
      /Alice Agente<\/strong> \(objection jugée non recevable, conservée comme préoccupation\)\u00a0: <span class="pre">Je préférerais 9 h\.<\/span>/,
    );
    const record = readable((await facilitator.agent.get(`/registre/${pid}`).expect(200)).text);
    const section = record.slice(record.indexOf('id="rec-concerns"'));
    expect(section).not.toContain('Aucune préoccupation n’a été exprimée.');
    expect(section).toContain('Je préférerais 9 h.');
    expect(section).toContain('objection jugée non recevable, conservée comme préoccupation');
  });
});
