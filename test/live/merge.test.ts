/**
 * Two entries of a séance that are one person (issue 10, item 6): the facilitator merges them from
 * the console (« Fusionner … avec… » → the entry to keep → a confirmation page → POST). Nothing is
 * lost and the log is not rewritten: the removed entry becomes an alias of the person kept, through
 * which names, presence, sessions and dots are read; the relevé records the merge. Refusals change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { csrfOf, fingerprint, seedAccount, seedCircle, seedMeeting, signIn, type SeededAccount, type Session, joinWithAccount } from '../helpers/auth.ts';
import { MergeRefused, MergeService } from '../../src/meetings/merge.service.ts';
import { DotVoteService } from '../../src/meetings/dot-vote.service.ts';
import { SeanceService } from '../../src/meetings/seance.service.ts';
import { personNames } from '../../src/accounts/accounts.repository.ts';
import { pseudonymNumbers } from '../../src/register/export.repository.ts';
import { readable } from '../helpers/html.ts';

let database: TestDatabase;
let app: Express;
let admin: SeededAccount;
let fac: SeededAccount;
let circleId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  admin = await seedAccount(database.db, 'admin');
  fac = await seedAccount(database.db, 'facilitator', { name: 'Farid Facilitateur' });
  circleId = await seedCircle(database.db, admin.actor);
});
afterAll(async () => {
  await database.dispose();
});

type Guest = Session & { personId: string };

/** A guest joins from a device of their own (a fresh agent); two devices may give the same name. */
async function join(code: string, displayName: string, agent = request.agent(app)): Promise<Guest> {
  const form = await agent.get(`/rejoindre/${code}`).expect(200);
  const res = await agent
    .post('/rejoindre')
    .type('form')
    .send({ _csrf: csrfOf(form.text), code, displayName })
    .expect(303);
  const page = await agent.get(res.headers.location!).expect(200);
  const meetingId = /\/seances\/([0-9a-f-]{36})/.exec(res.headers.location!)![1]!;
  const row = await database.db
    .selectFrom('meeting_members')
    .innerJoin('persons', 'persons.id', 'meeting_members.person_id')
    .select('persons.id')
    .where('meeting_members.meeting_id', '=', meetingId)
    .where('persons.display_name', '=', displayName)
    .orderBy('meeting_members.joined_at', 'desc')
    .executeTakeFirstOrThrow();
  return { agent, csrf: csrfOf(page.text), cookie: '', personId: row.id };
}

async function seance() {
  const meeting = await seedMeeting(database.db, fac.actor, circleId);
  await new SeanceService({ db: database.db }).open(fac.actor, meeting.id);
  return { ...meeting, facilitator: await signIn(app, fac.email) };
}

const current = async (meetingId: string) =>
  (
    await database.db
      .selectFrom('meeting_members')
      .innerJoin('persons', 'persons.id', 'meeting_members.person_id')
      .select(['persons.id', 'persons.display_name', 'meeting_members.present'])
      .where('meeting_members.meeting_id', '=', meetingId)
      .where('meeting_members.removed_at', 'is', null)
      .execute()
  ).map((r) => ({ id: r.id, name: r.display_name, present: r.present }));

function post(who: Session, path: string, fields: Record<string, string>) {
  return who.agent
    .post(path)
    .type('form')
    .send({ _csrf: who.csrf, ...fields });
}

describe('merging two entries that are one person, from the console', () => {
  it('when a guest joined twice from two devices, then « Fusionner … avec… », the choice and the confirmation make one person, still signed in on both devices', async () => {
    const s = await seance();
    const phone = await join(s.code, 'Gaëlle Invitée');
    const tablet = await join(s.code, 'Gaëlle Invitée');
    expect(phone.personId).not.toBe(tablet.personId);
    // she left the tablet's entry absent: the merged person is present (the phone is)
    await post(s.facilitator, `/seances/${s.id}/presence`, { personne: phone.personId, present: 'non' }).expect(303);

    const console = readable((await s.facilitator.agent.get(`/seances/${s.id}/console`).expect(200)).text);
    expect(console).toContain(`/seances/${s.id}/fusion?personne=${tablet.personId}`);
    expect(console.match(/Fusionner Gaëlle Invitée avec…/g) ?? []).toHaveLength(2);
    // not offered to the participants
    expect((await phone.agent.get(`/seances/${s.id}/participant`).expect(200)).text).not.toContain('/fusion?');

    const choose = readable((await s.facilitator.agent.get(`/seances/${s.id}/fusion?personne=${tablet.personId}`).expect(200)).text);
    expect(choose).toContain('Choisissez l’entrée à garder');
    expect(choose).toContain(`value="${phone.personId}"`);
    expect(choose).not.toContain(`value="${tablet.personId}" required`);
    // nothing chosen: the choice again, saying what to do
    const none = await s.facilitator.agent.get(`/seances/${s.id}/fusion/confirmer?personne=${tablet.personId}`);
    expect(none.status).toBe(400);
    expect(readable(none.text)).toContain('Choisissez l’entrée à garder.');

    const before = await fingerprint(database.db);
    const confirm = await s.facilitator.agent.get(`/seances/${s.id}/fusion/confirmer?personne=${tablet.personId}&garder=${phone.personId}`).expect(200);
    expect(readable(confirm.text)).toContain('sera fusionnée dans celle de Gaëlle Invitée');
    expect(confirm.text).toContain('action="/seances/' + s.id + '/fusion"');
    expect(await fingerprint(database.db)).toEqual(before); // the confirmation page stores nothing

    const done = await post(s.facilitator, `/seances/${s.id}/fusion`, { personne: tablet.personId, garder: phone.personId });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/seances/${s.id}/console`);
    expect(await current(s.id)).toContainEqual({ id: phone.personId, name: 'Gaëlle Invitée', present: true });
    expect((await current(s.id)).filter((m) => m.name === 'Gaëlle Invitée')).toHaveLength(1);
    const after = readable((await s.facilitator.agent.get(`/seances/${s.id}/console`).expect(200)).text);
    expect(after.match(/Noter l’absence de Gaëlle Invitée/g) ?? []).toHaveLength(1);
    const audit = await database.db.selectFrom('meeting_merges').selectAll().where('meeting_id', '=', s.id).execute();
    expect(audit).toMatchObject([
      { merged_person_id: tablet.personId, kept_person_id: phone.personId, merged_name: 'Gaëlle Invitée', merged_by: fac.personId },
    ]);

    // the tablet is still signed in, now as the person kept; signed out, it joins again as her too
    const sessions = await database.db.selectFrom('sessions').select('person_id').where('person_id', 'in', [phone.personId, tablet.personId]).execute();
    expect(sessions.map((x) => x.person_id)).toEqual([phone.personId, phone.personId]);
    await tablet.agent.get(`/seances/${s.id}/participant`).expect(200);
    await post(tablet, '/deconnexion', {}).expect(303);
    await join(s.code, 'Gaëlle Invitée', tablet.agent);
    expect((await current(s.id)).filter((m) => m.name === 'Gaëlle Invitée')).toEqual([{ id: phone.personId, name: 'Gaëlle Invitée', present: true }]);
  });

  it('when a guest is also a member, then the guest entry merges into the account: the turns it took are told under the member’s name, and the relevé records the merge', async () => {
    const s = await seance();
    const marie = await seedAccount(database.db, 'member', { name: 'Marie Membre' });
    const member = await signIn(app, marie.email);
    await joinWithAccount(member, s.code);
    const guest = await join(s.code, 'Marie M.');
    const bob = await join(s.code, 'Bob Habitant');
    // an item, and a clarification round in which the guest entry and the member each have a place
    const form = await member.agent.get(`/seances/${s.id}/propositions/nouvelle`).expect(200);
    await member.agent
      .post(`/seances/${s.id}/propositions`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), title: 'Horaires d’été', tension: 'Il fait chaud.', text: 'Ouvrir à 8 h.', validitySet: 'importante_argumentee' })
      .expect(303);
    const pid = (await database.db.selectFrom('proposals').select('id').where('meeting_id', '=', s.id).executeTakeFirstOrThrow()).id;
    const act = (who: Session, action: string, back = 'participant') => post(who, `/seances/${s.id}/propositions/${pid}/${action}`, { retour: back });
    await act(s.facilitator, 'presenter', 'console').expect(303);
    await act(s.facilitator, 'ouvrir-clarification', 'console').expect(303);
    // the proposer is left out of the clarification round: only the guest entry and Bob take turns
    await act(guest, 'passer').expect(303);
    // the guest entry already spoke, but Bob has yet to: merging now is fine for the round (the member is not in it)
    const refusedBoth = await post(s.facilitator, `/seances/${s.id}/fusion`, { personne: bob.personId, garder: guest.personId });
    expect(refusedBoth.status).toBe(409);
    expect(readable(refusedBoth.text)).toContain('Les deux entrées ont chacune une place dans le tour en cours');
    const turnToCome = await post(s.facilitator, `/seances/${s.id}/fusion`, { personne: bob.personId, garder: marie.personId });
    expect(turnToCome.status).toBe(409);
    expect(readable(turnToCome.text)).toContain('doit encore prendre son tour');

    await post(s.facilitator, `/seances/${s.id}/fusion`, { personne: guest.personId, garder: marie.personId }).expect(303);
    // the account was signed in elsewhere: the guest's device is signed out (it is not the account)
    expect(await database.db.selectFrom('sessions').select('id_hash').where('person_id', '=', guest.personId).execute()).toEqual([]);
    const console = readable((await s.facilitator.agent.get(`/seances/${s.id}/console`).expect(200)).text);
    expect(console).not.toContain('Marie M.');
    expect(console).toContain('Marie Membre');
    // the log is unchanged: the turn stays the guest entry's, and is told under the member's name
    const turn = await database.db.selectFrom('contributions').select('person_id').where('proposal_id', '=', pid).executeTakeFirstOrThrow();
    expect(turn.person_id).toBe(guest.personId);

    await act(bob, 'passer').expect(303);
    await act(s.facilitator, 'reporter', 'console').expect(303);
    await post(s.facilitator, `/seances/${s.id}/cloture`, { retour: 'console' }).expect(303);
    const releve = readable((await member.agent.get(`/seances/${s.id}/releve`).expect(200)).text);
    expect(releve).toContain('Entrées fusionnées');
    expect(releve).toMatch(/«\u00a0Marie M\.\u00a0», fusionnée dans l’entrée de Marie Membre par Farid Facilitateur le/);
    const present = releve.slice(releve.indexOf('id="present"'), releve.indexOf('id="absent"'));
    expect(present).toContain('Marie Membre');
    expect(present).not.toContain('Marie M.');
  });
});

describe('an entry merged into one that is merged in turn', () => {
  it('when A is merged into B, then B into C, then A and B are read as C everywhere: names, the open data’s pseudonym, and a later join from A’s device', async () => {
    const s = await seance();
    const a = await join(s.code, 'Léa R.');
    const b = await join(s.code, 'Léa Roux');
    const c = await join(s.code, 'Léa Roux-Martin');
    await post(s.facilitator, `/seances/${s.id}/fusion`, { personne: a.personId, garder: b.personId }).expect(303);
    await post(s.facilitator, `/seances/${s.id}/fusion`, { personne: b.personId, garder: c.personId }).expect(303);
    expect((await current(s.id)).map((m) => m.name).filter((n) => n.startsWith('Léa'))).toEqual(['Léa Roux-Martin']);

    // the log keeps each entry's own id: every reader names them as the person finally kept
    const names = await personNames(database.db, [a.personId, b.personId, c.personId]);
    expect([...names.values()]).toEqual(['Léa Roux-Martin', 'Léa Roux-Martin', 'Léa Roux-Martin']);
    const numbers = await pseudonymNumbers(database.db);
    expect(numbers.get(a.personId)).toBe(numbers.get(c.personId));
    expect(numbers.get(b.personId)).toBe(numbers.get(c.personId));
    expect(new Set([...numbers.values()]).size).toBeLessThan(numbers.size);

    // A's device (signed in as C since the merges) signs out and joins again: it is C, not a new entry
    await post(a, '/deconnexion', {}).expect(303);
    await join(s.code, 'Léa R.', a.agent);
    expect((await current(s.id)).filter((m) => m.name.startsWith('Léa'))).toEqual([{ id: c.personId, name: 'Léa Roux-Martin', present: true }]);
  });
});

describe('a merge refused changes nothing', () => {
  it('when it is not the facilitator, the same entry, an entry of another séance, an account to remove, or a closed séance, then it is refused in French', async () => {
    const s = await seance();
    const other = await seance();
    const anna = await join(s.code, 'Anna Invitée');
    const anna2 = await join(s.code, 'Anna Invitée');
    const stranger = await join(other.code, 'Anna Invitée');
    const marc = await seedAccount(database.db, 'member', { name: 'Marc Membre' });
    const member = await signIn(app, marc.email);
    await joinWithAccount(member, s.code);
    const before = await fingerprint(database.db);
    // not the facilitator: a member of the séance, and a guest
    expect((await post(member, `/seances/${s.id}/fusion`, { personne: anna2.personId, garder: anna.personId })).status).toBe(403);
    expect((await member.agent.get(`/seances/${s.id}/fusion?personne=${anna2.personId}`)).status).toBe(403);
    expect((await post(anna, `/seances/${s.id}/fusion`, { personne: anna2.personId, garder: anna.personId })).status).toBe(403);
    const cases: [Record<string, string>, number, string][] = [
      [{ personne: anna2.personId, garder: anna2.personId }, 422, 'une entrée ne peut pas être fusionnée avec elle-même'],
      [{ personne: stranger.personId, garder: anna.personId }, 422, 'ne fait pas partie de cette séance'],
      [{ personne: anna2.personId, garder: stranger.personId }, 422, 'ne fait pas partie de cette séance'],
      [{ personne: 'pas-un-identifiant', garder: anna.personId }, 422, 'ne fait pas partie de cette séance'],
      [{ personne: marc.personId, garder: anna.personId }, 422, 'gardez l’entrée du compte'],
    ];
    for (const [fields, status, message] of cases) {
      const res = await post(s.facilitator, `/seances/${s.id}/fusion`, fields);
      expect(res.status, message).toBe(status);
      expect(readable(res.text), message).toContain(message);
    }
    expect(await fingerprint(database.db)).toEqual(before);
    await new SeanceService({ db: database.db }).close(fac.actor, s.id);
    const closed = await fingerprint(database.db);
    const res = await post(s.facilitator, `/seances/${s.id}/fusion`, { personne: anna2.personId, garder: anna.personId });
    expect(res.status).toBe(409);
    expect(readable(res.text)).toContain('Cette séance est clôturée');
    expect(await fingerprint(database.db)).toEqual(closed);
    // the console of a closed séance offers no merge
    expect((await s.facilitator.agent.get(`/seances/${s.id}/console`).expect(200)).text).not.toContain('/fusion?');
  });
});

describe('a merge that would leave an objection without its author', () => {
  it('when the entry to remove has an objection still being handled, then the merge is refused until it is settled', async () => {
    const s = await seance();
    const zoe = await join(s.code, 'Zoé Invitée');
    const zoe2 = await join(s.code, 'Zoé Invitée');
    const form = await s.facilitator.agent.get(`/seances/${s.id}/propositions/nouvelle`).expect(200);
    await s.facilitator.agent
      .post(`/seances/${s.id}/propositions`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), title: 'Horaires d’hiver', tension: 'Il fait froid.', text: 'Ouvrir à 9 h.', validitySet: 'importante_argumentee' })
      .expect(303);
    const pid = (await database.db.selectFrom('proposals').select('id').where('meeting_id', '=', s.id).executeTakeFirstOrThrow()).id;
    const act = (who: Session, action: string, fields: Record<string, string> = {}) =>
      post(who, `/seances/${s.id}/propositions/${pid}/${action}`, { retour: who === s.facilitator ? 'console' : 'participant', ...fields }).expect(303);
    await act(s.facilitator, 'presenter');
    await act(s.facilitator, 'ouvrir-clarification');
    for (const who of [zoe, zoe2]) await act(who, 'passer');
    await act(s.facilitator, 'ouvrir-reactions');
    for (const who of [zoe, zoe2]) await act(who, 'passer');
    await act(s.facilitator, 'ouvrir-bonification');
    await act(s.facilitator, 'maintenir');
    await act(s.facilitator, 'ouvrir-objections');
    await act(zoe, 'pas-objection');
    await act(zoe2, 'objection', { texte: 'Neuf heures, c’est trop tard pour les familles.' });
    // the objection round is over (testing): the round holds, but nobody could answer for the objection
    const before = await fingerprint(database.db);
    const res = await post(s.facilitator, `/seances/${s.id}/fusion`, { personne: zoe2.personId, garder: zoe.personId });
    expect(res.status).toBe(409);
    expect(readable(res.text)).toContain('a une objection en cours de traitement');
    expect(await fingerprint(database.db)).toEqual(before);
  });
});

describe('the merge service', () => {
  it('when both entries placed dots, then the person kept has them within one allowance; a refusal says which rule', async () => {
    const s = await seance();
    const lea = await join(s.code, 'Léa Invitée');
    const lea2 = await join(s.code, 'Léa Invitée');
    const live = await signIn(app, fac.email);
    for (const title of ['Point A', 'Point B']) {
      const form = await live.agent.get(`/seances/${s.id}/propositions/nouvelle`).expect(200);
      await live.agent
        .post(`/seances/${s.id}/propositions`)
        .type('form')
        .send({ _csrf: csrfOf(form.text), title, tension: 'Une tension', text: 'Un texte', validitySet: 'importante_argumentee' })
        .expect(303);
    }
    const [a, b] = (await database.db.selectFrom('proposals').select('id').where('meeting_id', '=', s.id).orderBy('created_at').execute()).map((r) => r.id);
    const votes = new DotVoteService({ db: database.db });
    await votes.handle(fac.actor, s.id, { type: 'open' });
    const guestActor = (personId: string) => ({ kind: 'guest' as const, personId, meetingId: s.id, displayName: 'Léa Invitée' });
    await votes.handle(guestActor(lea.personId), s.id, { type: 'dot', proposalId: a!, delta: 1 });
    await votes.handle(guestActor(lea2.personId), s.id, { type: 'dot', proposalId: b!, delta: 1 });
    await votes.handle(guestActor(lea2.personId), s.id, { type: 'dot', proposalId: b!, delta: 1 });

    const merges = new MergeService({ db: database.db });
    await expect(merges.merge(fac.actor, s.id, { merged: lea2.personId, kept: lea2.personId })).rejects.toMatchObject({ refusal: 'same' });
    await expect(merges.merge(guestActor(lea.personId), s.id, { merged: lea2.personId, kept: lea.personId })).rejects.toMatchObject({ refusal: 'forbidden' });
    await merges.merge(fac.actor, s.id, { merged: lea2.personId, kept: lea.personId });
    const dots = await database.db.selectFrom('agenda_dots').select(['person_id', 'proposal_id', 'dots']).where('meeting_id', '=', s.id).execute();
    // two dots for one person: hers on A, then one of the tablet's on B (the second would exceed her allowance)
    expect(dots.map((d) => [d.person_id, d.proposal_id, d.dots]).sort()).toEqual(
      [
        [lea.personId, a, 1],
        [lea.personId, b, 1],
      ].sort(),
    );
    const again = merges.merge(fac.actor, s.id, { merged: lea2.personId, kept: lea.personId });
    await expect(again).rejects.toBeInstanceOf(MergeRefused);
    await expect(again).rejects.toMatchObject({ refusal: 'not_in_seance', status: 422 });
  });
});
