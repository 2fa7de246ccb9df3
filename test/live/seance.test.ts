/**
 * A séance from beginning to end over plain HTTP: prévue → ouverte → clôturée, the decision moment
 * on every view, nothing accepted once closed, the relevé de séance and the facilitator's follow-ups;
 * and who may put an item on the agenda, the actions offered, the ruling that follows the answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { readFile } from 'node:fs/promises';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { csrfOf, fingerprint, joinAsGuest, seedAccount, seedCircle, signIn, type Session, joinWithAccount } from '../helpers/auth.ts';
import { createMeeting } from '../../src/meetings/meeting.service.ts';
import { readable } from '../helpers/html.ts';

let database: TestDatabase;
let app: Express;
let meetingId: string;
let code: string;
let facilitator: Session;
let secretary: Session;
let proposer: Session;
let observer: Session;
let outsider: Session;
let alice: Session & { personId: string };
let bob: Session & { personId: string };
let nadiaId: string;
let first: string;
let second: string;

function act(who: Session, proposalId: string, action: string, fields: Record<string, string> = {}, back = 'participant') {
  return who.agent
    .post(`/seances/${meetingId}/propositions/${proposalId}/${action}`)
    .type('form')
    .send({ _csrf: who.csrf, retour: back, ...fields });
}

async function draft(who: Session, title: string, extra: Record<string, string> = {}) {
  const form = await who.agent.get(`/seances/${meetingId}/propositions/nouvelle`);
  return who.agent
    .post(`/seances/${meetingId}/propositions`)
    .type('form')
    .send({
      _csrf: csrfOf(form.text),
      title,
      tension: 'Les décisions traînent.',
      text: 'Passer au consentement.',
      validitySet: 'importante_argumentee',
      ...extra,
    });
}

const status = async () =>
  database.db
    .selectFrom('meetings')
    .select(['status', 'opened_at', 'closed_at', 'place', 'opened_by', 'closed_by'])
    .where('id', '=', meetingId)
    .executeTakeFirstOrThrow();

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  const admin = await seedAccount(database.db, 'admin');
  const fac = await seedAccount(database.db, 'facilitator', { name: 'Farid Facilitateur' });
  const sec = await seedAccount(database.db, 'member', { name: 'Sophie Secrétaire' });
  const member = await seedAccount(database.db, 'member', { name: 'Marie Porteuse' });
  const elue = await seedAccount(database.db, 'observer', { name: 'Élise Élue' });
  const other = await seedAccount(database.db, 'member', { name: 'Oscar Sans-Séance' });
  const circle = await seedCircle(database.db, admin.actor, 'Direction générale');
  const created = await createMeeting(database.db, fac.actor, {
    circleId: circle,
    title: 'Séance de direction',
    scheduledFor: new Date('2026-11-26T13:30:00Z'),
    secretaryPersonId: sec.personId,
  });
  if (!created.ok) throw new Error('meeting not created');
  meetingId = created.id;
  code = (await database.db.selectFrom('meetings').select('join_code').where('id', '=', meetingId).executeTakeFirstOrThrow()).join_code;
  facilitator = await signIn(app, fac.email);
  secretary = await signIn(app, sec.email);
  proposer = await signIn(app, member.email);
  observer = await signIn(app, elue.email);
  outsider = await signIn(app, other.email);
  await joinWithAccount(proposer, code);
  await joinWithAccount(observer, code);
  alice = await joinAsGuest(app, database.db, code, 'Alice Agente');
  bob = await joinAsGuest(app, database.db, code, 'Bob Habitant');
  const nadia = await joinAsGuest(app, database.db, code, 'Nadia Absente');
  nadiaId = nadia.personId;
  // the secretary opens her view (she is then present); Nadia leaves before the first round
  await secretary.agent.post(`/seances/${meetingId}/arrivee`).type('form').send({ _csrf: secretary.csrf, retour: 'participant' }).expect(303);
  await facilitator.agent.post(`/seances/${meetingId}/presence`).type('form').send({ _csrf: facilitator.csrf, personne: nadiaId, present: 'non' }).expect(303);
});
afterAll(async () => {
  await database.dispose();
});

describe('who may put an item on the agenda', () => {
  it('when a member who has not joined writes a proposal, then the form comes back with the text and says to join first, and nothing is stored', async () => {
    const form = await outsider.agent.get(`/seances/${meetingId}/propositions/nouvelle`);
    expect(form.status).toBe(403);
    expect(readable(form.text)).toContain('Rejoignez d’abord la séance');
    const before = await fingerprint(database.db);
    const res = await outsider.agent
      .post(`/seances/${meetingId}/propositions`)
      .type('form')
      .send({
        _csrf: csrfOf(form.text),
        title: 'Mon idée',
        tension: 'Une tension vécue',
        text: 'Un texte long et soigné.',
        validitySet: 'importante_argumentee',
      });
    expect(res.status).toBe(403);
    expect(readable(res.text)).toContain('Rejoignez d’abord la séance');
    expect(res.text).toContain('Un texte long et soigné.');
    expect(res.text).toContain('Une tension vécue');
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when a guest or the observer opens the séance, then « Rédiger une proposition » is not offered, and a guest who tries is told why', async () => {
    for (const who of [alice, observer]) {
      const view = await who.agent.get(`/seances/${meetingId}/participant`).expect(200);
      expect(view.text).not.toContain('/propositions/nouvelle');
    }
    expect((await observer.agent.get(`/seances/${meetingId}`).expect(200)).text).not.toContain('/propositions/nouvelle');
    const refused = await draft(alice, 'Idée d’invitée');
    expect(refused.status).toBe(403);
    expect(readable(refused.text)).toContain('n’inscrivent pas de point');
    const member = await proposer.agent.get(`/seances/${meetingId}`).expect(200);
    expect(member.text).toContain('/propositions/nouvelle');
  });
});

describe('a séance from prévue to clôturée', () => {
  it('when the séance is planned, then every view says so, and the facilitator opens it with its place and time', async () => {
    expect((await draft(proposer, 'Du consensus au consentement', { criteria: 'Délai moyen de décision', reviewDate: '2027-06-30' })).status).toBe(303);
    expect((await draft(proposer, 'Charte des réunions')).status).toBe(303);
    [first, second] = (await database.db.selectFrom('proposals').select('id').where('meeting_id', '=', meetingId).orderBy('created_at').execute()).map(
      (r) => r.id,
    ) as [string, string];
    for (const [who, view] of [
      [facilitator, 'console'],
      [alice, 'participant'],
      [proposer, 'porteur'],
      [observer, 'projection'],
    ] as const) {
      expect((await who.agent.get(`/seances/${meetingId}/${view}`).expect(200)).text, view).toContain('Séance prévue');
    }
    expect((await facilitator.agent.get(`/seances/${meetingId}`).expect(200)).text).toContain('Séance prévue');
    const res = await facilitator.agent
      .post(`/seances/${meetingId}/ouverture`)
      .type('form')
      .send({ _csrf: facilitator.csrf, lieu: '  Salle   du conseil ', retour: 'console' });
    expect(res.status).toBe(303);
    const row = await status();
    expect(row).toMatchObject({ status: 'open', place: 'Salle du conseil' });
    expect(row.opened_at).toBeInstanceOf(Date);
    const view = await alice.agent.get(`/seances/${meetingId}/participant`).expect(200);
    expect(view.text).toContain('Séance ouverte');
    expect(view.text).toContain('Salle du conseil');
  });

  it('when someone else than the facilitator opens or closes it, or it is opened twice, then it is refused and nothing changes', async () => {
    const before = await fingerprint(database.db);
    expect((await alice.agent.post(`/seances/${meetingId}/cloture`).type('form').send({ _csrf: alice.csrf })).status).toBe(403);
    expect((await proposer.agent.post(`/seances/${meetingId}/ouverture`).type('form').send({ _csrf: proposer.csrf })).status).toBe(403);
    const twice = await facilitator.agent.post(`/seances/${meetingId}/ouverture`).type('form').send({ _csrf: facilitator.csrf });
    expect(twice.status).toBe(409);
    expect(readable(twice.text)).toContain('Cette séance est déjà ouverte.');
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when the proposer looks at their views, then « Ouvrir la présentation » is not offered; forced over htmx, the refusal says why', async () => {
    for (const view of ['participant', 'porteur']) {
      const page = await proposer.agent.get(`/seances/${meetingId}/${view}?proposition=${first}`).expect(200);
      expect(page.text, view).not.toContain('Ouvrir la présentation');
    }
    expect((await facilitator.agent.get(`/seances/${meetingId}/console?proposition=${first}`).expect(200)).text).toContain('Ouvrir la présentation');
    const before = await fingerprint(database.db);
    const forced = await proposer.agent
      .post(`/seances/${meetingId}/propositions/${first}/presenter`)
      .set('HX-Request', 'true')
      .set('HX-Target', 'live')
      .type('form')
      .send({ _csrf: proposer.csrf, retour: 'porteur' });
    expect(forced.status).toBe(403);
    expect(forced.text.trimStart().startsWith('<div id="live"')).toBe(true);
    expect(readable(forced.text)).toContain('Cette action ne vous revient pas dans cette séance.');
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when an item is under way, then the séance cannot be closed', async () => {
    expect((await act(facilitator, first, 'presenter', {}, 'console')).status).toBe(303);
    const res = await facilitator.agent.post(`/seances/${meetingId}/cloture`).type('form').send({ _csrf: facilitator.csrf, retour: 'console' });
    expect(res.status).toBe(409);
    expect(readable(res.text)).toContain('encore en cours de traitement');
    expect((await status()).status).toBe('open');
    expect((await facilitator.agent.get(`/seances/${meetingId}/console`).expect(200)).text).not.toContain('btn-cloturer-seance');
  });

  it('when the facilitator rules against the answers, then only with a written reason, which is recorded', async () => {
    expect((await act(facilitator, first, 'ouvrir-clarification', {}, 'console')).status).toBe(303);
    for (const who of [secretary, alice, bob]) expect((await act(who, first, 'passer')).status).toBe(303);
    expect((await act(facilitator, first, 'ouvrir-reactions', {}, 'console')).status).toBe(303);
    for (const who of [secretary, alice, bob]) expect((await act(who, first, 'passer')).status).toBe(303);
    expect((await act(facilitator, first, 'ouvrir-bonification', {}, 'console')).status).toBe(303);
    expect((await act(proposer, first, 'maintenir', {}, 'porteur')).status).toBe(303);
    expect((await act(facilitator, first, 'ouvrir-objections', {}, 'console')).status).toBe(303);
    expect((await act(secretary, first, 'pas-objection')).status).toBe(303);
    expect((await act(proposer, first, 'pas-objection', {}, 'porteur')).status).toBe(303);
    expect((await act(alice, first, 'objection', { texte: 'Les élus ne seront pas informés.' })).status).toBe(303);
    expect((await act(bob, first, 'preoccupation', { texte: 'Le délai de six mois est court.' })).status).toBe(303);
    const objection = (await database.db.selectFrom('objections').select('id').where('proposal_id', '=', first).executeTakeFirstOrThrow()).id;
    const answers = { objection, 'reponses[importante]': 'oui', 'reponses[argumentee]': 'non' };
    const before = await fingerprint(database.db);
    const refused = await act(facilitator, first, 'tester', { ...answers, decision: 'valid' }, 'console');
    expect(refused.status).toBe(422);
    expect(readable(refused.text)).toContain('écrivez-en la raison');
    expect(await fingerprint(database.db)).toEqual(before);
    const ruled = await act(
      facilitator,
      first,
      'tester',
      { ...answers, decision: 'valid', raison: 'Les arguments ont été donnés oralement en séance.' },
      'console',
    );
    expect(ruled.status).toBe(303);
    expect(await database.db.selectFrom('objections').select(['ruling', 'ruling_reason']).where('id', '=', objection).executeTakeFirstOrThrow()).toEqual({
      ruling: 'valid',
      ruling_reason: 'Les arguments ont été donnés oralement en séance.',
    });
    // deferred with its follow-up date, the unchanged text is adopted
    expect((await act(facilitator, first, 'reporter-objection', { objection, date: '2027-01-15' }, 'console')).status).toBe(303);
    expect((await database.db.selectFrom('proposals').select('stage').where('id', '=', first).executeTakeFirstOrThrow()).stage).toBe('adopted');
  });

  it('when the proposal is adopted, then every view shows the decision, and the console offers the next item and « Clôturer la séance »', async () => {
    const console = readable((await facilitator.agent.get(`/seances/${meetingId}/console?proposition=${first}`).expect(200)).text);
    expect(console).toContain('Nous avons une décision');
    expect(console).toContain('Passer au consentement.');
    expect(console).toContain('Le délai de six mois est court.');
    expect(console).toContain('30 juin 2027');
    expect(console).toContain('Point suivant');
    expect(console).toContain(`/seances/${meetingId}/console?proposition=${second}`);
    expect(console).toContain('Clôturer la séance');
    for (const [who, view] of [
      [alice, 'participant'],
      [observer, 'projection'],
      [proposer, 'porteur'],
    ] as const) {
      const page = readable((await who.agent.get(`/seances/${meetingId}/${view}?proposition=${first}`).expect(200)).text);
      expect(page, view).toContain('Nous avons une décision');
      expect(page, view).toContain('Passer au consentement.');
      expect(page, view).not.toContain('btn-cloturer-seance');
    }
  });

  it('when the relevé is asked for before closing, then it says it comes at closing', async () => {
    const res = await alice.agent.get(`/seances/${meetingId}/releve`);
    expect(res.status).toBe(409);
    expect(readable(res.text)).toContain('disponible à la clôture');
  });

  it('when the facilitator closes the séance, then every view says « Séance clôturée » and links the relevé', async () => {
    const res = await facilitator.agent.post(`/seances/${meetingId}/cloture`).type('form').send({ _csrf: facilitator.csrf, retour: 'console' });
    expect(res.status).toBe(303);
    const row = await status();
    expect(row.status).toBe('closed');
    expect(row.closed_at).toBeInstanceOf(Date);
    for (const [who, view] of [
      [facilitator, 'console'],
      [alice, 'participant'],
      [observer, 'projection'],
    ] as const) {
      const page = (await who.agent.get(`/seances/${meetingId}/${view}`).expect(200)).text;
      expect(page, view).toContain('Séance clôturée');
      expect(page, view).toContain(`/seances/${meetingId}/releve`);
    }
  });

  it('when anyone acts on a closed séance, then a clear French message says so, what was typed is kept and nothing changes', async () => {
    const before = await fingerprint(database.db);
    const present = await act(facilitator, second, 'presenter', {}, 'console');
    expect(present.status).toBe(409);
    expect(readable(present.text)).toContain('Cette séance est clôturée');
    const late = await draft(proposer, 'Un point de dernière minute', { text: 'Texte à ne pas perdre.' });
    expect(late.status).toBe(409);
    expect(readable(late.text)).toContain('Cette séance est clôturée');
    expect(late.text).toContain('Texte à ne pas perdre.');
    expect((await facilitator.agent.post(`/seances/${meetingId}/presence`).type('form').send({ _csrf: facilitator.csrf, nom: 'Retardataire' })).status).toBe(
      409,
    );
    expect(
      (await facilitator.agent.post(`/seances/${meetingId}/presence`).type('form').send({ _csrf: facilitator.csrf, personne: nadiaId, present: 'oui' })).status,
    ).toBe(409);
    expect((await facilitator.agent.post(`/seances/${meetingId}/ouverture`).type('form').send({ _csrf: facilitator.csrf })).status).toBe(409);
    expect((await facilitator.agent.post(`/seances/${meetingId}/cloture`).type('form').send({ _csrf: facilitator.csrf })).status).toBe(409);
    await alice.agent.post(`/seances/${meetingId}/arrivee`).type('form').send({ _csrf: alice.csrf }).expect(303);
    expect(await fingerprint(database.db)).toEqual(before);
  });
});

describe('a séance held without pressing « Ouvrir la séance »', () => {
  it('when the facilitator starts the first item of a planned séance, then the séance opens at that moment', async () => {
    const fac = await database.db.selectFrom('meetings').select(['facilitator_person_id', 'circle_id']).where('id', '=', meetingId).executeTakeFirstOrThrow();
    const created = await createMeeting(
      database.db,
      { kind: 'account', personId: fac.facilitator_person_id, role: 'facilitator', displayName: 'Farid Facilitateur' },
      { circleId: fac.circle_id, title: 'Séance sans ouverture', scheduledFor: new Date('2026-12-03T13:30:00Z') },
    );
    if (!created.ok) throw new Error('meeting not created');
    const other = created.id;
    const form = await facilitator.agent.get(`/seances/${other}/propositions/nouvelle`).expect(200);
    await facilitator.agent
      .post(`/seances/${other}/propositions`)
      .type('form')
      .send({ _csrf: csrfOf(form.text), title: 'Un point', tension: 'Une tension', text: 'Un texte', validitySet: 'importante_argumentee' })
      .expect(303);
    const pid = (await database.db.selectFrom('proposals').select('id').where('meeting_id', '=', other).executeTakeFirstOrThrow()).id;
    expect((await database.db.selectFrom('meetings').select('status').where('id', '=', other).executeTakeFirstOrThrow()).status).toBe('planned');
    await facilitator.agent
      .post(`/seances/${other}/propositions/${pid}/presenter`)
      .type('form')
      .send({ _csrf: facilitator.csrf, retour: 'console' })
      .expect(303);
    const row = await database.db.selectFrom('meetings').select(['status', 'opened_at', 'opened_by']).where('id', '=', other).executeTakeFirstOrThrow();
    expect(row.status).toBe('open');
    expect(row.opened_at).toBeInstanceOf(Date);
    expect(row.opened_by).toBe(fac.facilitator_person_id);
  });
});

describe('the relevé de séance and the follow-ups', () => {
  it('when a participant, a guest or the observer opens the relevé, then it gives the séance, the attendance and each item as decided', async () => {
    for (const who of [alice, observer, proposer]) await who.agent.get(`/seances/${meetingId}/releve`).expect(200);
    const page = readable((await alice.agent.get(`/seances/${meetingId}/releve`).expect(200)).text);
    expect(page).toContain('/static/css/record-print.css');
    for (const text of [
      'Relevé de séance',
      'Séance de direction',
      'Direction générale',
      '26 novembre 2026 à 14\u00a0h\u00a030',
      'Salle du conseil',
      'Farid Facilitateur',
      'Sophie Secrétaire',
    ])
      expect(page).toContain(text);
    const dd = (id: string) => new RegExp(`<dd id="${id}">([^<]*)</dd>`).exec(page)?.[1];
    expect(dd('present')).toBe('Alice Agente, Bob Habitant, Farid Facilitateur, Marie Porteuse, Sophie Secrétaire');
    expect(dd('absent')).toBe('Nadia Absente');
    expect(dd('observers')).toBe('Élise Élue');
    const item1 = page.slice(page.indexOf('id="point-1"'), page.indexOf('id="point-2"'));
    for (const text of [
      'Du consensus au consentement',
      'adoptée le',
      'Texte adopté',
      'Passer au consentement.',
      'Objection formulée par Alice Agente',
      'Les élus ne seront pas informés.',
      'recevable, décision de Farid Facilitateur, le',
      'Les arguments ont été donnés oralement en séance.',
      'reportée',
      '15 janvier 2027',
      'Le délai de six mois est court.',
      '30 juin 2027',
      'Délai moyen de décision',
      'Avis consultatif\u00a0: le conseil décide par délibération.',
      `href="/registre/${first}"`,
    ]) {
      expect(item1, text).toContain(text);
    }
    expect(page.slice(page.indexOf('id="point-2"'))).toContain('non examinée au cours de la séance');
    const head = await database.db.selectFrom('proposals').select(['last_seq', 'last_hash']).where('id', '=', first).executeTakeFirstOrThrow();
    expect(page).toContain(`${first} ${head.last_seq} ${head.last_hash}`);
  });

  it('when the relevé is printed, then the stylesheet lays it out on A4 with numbered pages', async () => {
    const css = await readFile(new URL('../../public/css/record-print.css', import.meta.url), 'utf8');
    expect(css).toMatch(/@page\s*\{[^}]*size:\s*A4/);
    expect(css).toContain('counter(page)');
    expect(css).toMatch(/@media print\s*\{[^}]*\.no-print\s*\{\s*display:\s*none/);
  });

  it('when the facilitator lists the follow-ups, then deferred objections, concerns and review dates are there; others may not', async () => {
    const page = readable((await facilitator.agent.get(`/seances/${meetingId}/suivi`).expect(200)).text);
    const section = (id: string) => page.slice(page.indexOf(`id="${id}"`), page.indexOf('</section>', page.indexOf(`id="${id}"`)));
    expect(section('suivi-objections')).toContain('15 janvier 2027');
    expect(section('suivi-objections')).toContain('Alice Agente');
    expect(section('suivi-objections')).toContain('Les élus ne seront pas informés.');
    expect(section('suivi-preoccupations')).toContain('Le délai de six mois est court.');
    expect(section('suivi-revisions')).toContain('30 juin 2027');
    expect(section('suivi-revisions')).toContain('Du consensus au consentement');
    await alice.agent.get(`/seances/${meetingId}/suivi`).expect(403);
    await observer.agent.get(`/seances/${meetingId}/suivi`).expect(403);
  });
});
