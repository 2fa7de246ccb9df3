/**
 * What each view says while the meeting is held (issue 10): who must act while a question waits for
 * its answer, what an observer is told, the proposer's preview, the controls that name their
 * objection, the confirmations before withdrawing or postponing, the draft form and its confirmation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { csrfOf, joinAsGuest, seedAccount, seedCircle, seedMeeting, signIn, type Session, joinWithAccount } from '../helpers/auth.ts';
import { readable } from '../helpers/html.ts';

let database: TestDatabase;
let app: Express;

interface Seance {
  meetingId: string;
  code: string;
  facilitator: Session;
  proposer: Session;
  observer: Session;
  alice: Session & { personId: string };
  bob: Session & { personId: string };
}

/** A séance of its own: Farid facilitates, Marie proposes, Élise observes, Alice and Bob join as guests (in that order). */
async function seedSeance(): Promise<Seance> {
  const admin = await seedAccount(database.db, 'admin');
  const fac = await seedAccount(database.db, 'facilitator', { name: 'Farid Facilitateur' });
  const member = await seedAccount(database.db, 'member', { name: 'Marie Porteuse' });
  const elue = await seedAccount(database.db, 'observer', { name: 'Élise Élue' });
  const { id: meetingId, code } = await seedMeeting(database.db, fac.actor, await seedCircle(database.db, admin.actor));
  const facilitator = await signIn(app, fac.email);
  const proposer = await signIn(app, member.email);
  const observer = await signIn(app, elue.email);
  await joinWithAccount(proposer, code);
  await joinWithAccount(observer, code);
  for (const who of [proposer, observer]) await who.agent.post(`/seances/${meetingId}/arrivee`).type('form').send({ _csrf: who.csrf }).expect(303);
  const alice = await joinAsGuest(app, database.db, code, `Alice Agente`);
  const bob = await joinAsGuest(app, database.db, code, `Bob Habitant`);
  for (const who of [alice, bob]) await who.agent.post(`/seances/${meetingId}/arrivee`).type('form').send({ _csrf: who.csrf }).expect(303);
  return { meetingId, code, facilitator, proposer, observer, alice, bob };
}

function actIn(meetingId: string, proposalId: string) {
  return (who: Session, action: string, fields: Record<string, string> = {}, back = 'participant') =>
    who.agent
      .post(`/seances/${meetingId}/propositions/${proposalId}/${action}`)
      .type('form')
      .send({ _csrf: who.csrf, retour: back, ...fields });
}

/** Marie drafts a proposal; the facilitator presents it and opens the clarification round (Alice, then Bob). */
async function clarification(s: Seance): Promise<{ proposalId: string; act: ReturnType<typeof actIn> }> {
  const form = await s.proposer.agent.get(`/seances/${s.meetingId}/propositions/nouvelle`).expect(200);
  await s.proposer.agent
    .post(`/seances/${s.meetingId}/propositions`)
    .type('form')
    .send({
      _csrf: csrfOf(form.text),
      title: 'Du consensus au consentement',
      tension: 'Les décisions traînent.',
      text: 'Passer d’une culture du consensus à une culture du consentement.',
      validitySet: 'importante_argumentee',
    })
    .expect(303);
  const row = await database.db.selectFrom('proposals').select('id').where('meeting_id', '=', s.meetingId).executeTakeFirstOrThrow();
  const act = actIn(s.meetingId, row.id);
  expect((await act(s.facilitator, 'presenter', {}, 'console')).status).toBe(303);
  expect((await act(s.facilitator, 'ouvrir-clarification', {}, 'console')).status).toBe(303);
  return { proposalId: row.id, act };
}

const view = async (who: Session, meetingId: string, name: string) => readable((await who.agent.get(`/seances/${meetingId}/${name}`).expect(200)).text);
/** The status the order list gives each person, in order. */
const statuses = (html: string) =>
  [...html.matchAll(/<span class="turn-name">([^<]+)<\/span>\s*<span class="turn-status">([^<·]+)/g)].map((m) => [m[1], m[2]!.trim()]);

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
});
afterAll(async () => {
  await database.dispose();
});

describe('while a question waits for its answer', () => {
  it('when Alice has asked, then every view says that Marie answers Alice’s question, Alice waits, and the order list agrees', async () => {
    const s = await seedSeance();
    const { act } = await clarification(s);
    expect((await act(s.alice, 'question', { texte: 'Qui tranche en cas de blocage ?' })).status).toBe(303);

    const waiting = 'Marie Porteuse répond à la question d’Alice Agente';
    const aliceView = await view(s.alice, s.meetingId, 'participant');
    expect(aliceView).toContain('En attente de la réponse de Marie Porteuse à votre question.');
    expect(aliceView).not.toContain('À vous');
    expect(aliceView).not.toContain('Aucune action ne vous revient');
    for (const [who, name] of [
      [s.bob, 'participant'],
      [s.facilitator, 'console'],
      [s.facilitator, 'projection'],
    ] as const) {
      const html = await view(who, s.meetingId, name);
      expect(html, name).toContain(waiting);
      expect(html, name).not.toContain('C’est au tour');
    }
    // the projector shows the round's questions, with the one awaiting its answer
    const projector = await view(s.facilitator, s.meetingId, 'projection');
    expect(projector).toMatch(/<section class="said card"[\s\S]*Qui tranche en cas de blocage/);
    const porteur = await view(s.proposer, s.meetingId, 'porteur');
    expect(porteur).toContain('id="your-turn"');
    expect(porteur).toContain('Répondez à la question d’Alice Agente.');
    const console = await view(s.facilitator, s.meetingId, 'console');
    expect(statuses(console)).toEqual([
      ['Alice Agente', 'attend la réponse à sa question'],
      ['Bob Habitant', 'à venir'],
    ]);
    expect(console).toContain('En attente de la réponse de Marie Porteuse.');

    const qid = (await database.db.selectFrom('contributions').select('ref_id').where('kind', '=', 'question').executeTakeFirstOrThrow()).ref_id!;
    expect((await act(s.proposer, 'repondre', { question: qid, texte: 'Le groupe, ensemble.' }, 'porteur')).status).toBe(303);
    const after = await view(s.facilitator, s.meetingId, 'console');
    expect(after).toContain('C’est au tour de Bob Habitant');
    expect(statuses(after)).toEqual([
      ['Alice Agente', 'a parlé'],
      ['Bob Habitant', 'a la parole'],
    ]);
    expect(await view(s.bob, s.meetingId, 'participant')).toContain('id="your-turn"');
  });
});

describe('someone outside the round', () => {
  it('when a round is open, then the observer is told they follow without speaking, never that they take part in the next round', async () => {
    const s = await seedSeance();
    const { act } = await clarification(s);
    const observed = await view(s.observer, s.meetingId, 'participant');
    expect(observed).toContain('Vous observez la séance\u00a0: vous suivez chaque tour sans prendre la parole.');
    expect(observed).not.toContain('tour suivant');
    expect(observed).toContain('C’est au tour d’Alice Agente');
    const proposer = await view(s.proposer, s.meetingId, 'participant');
    expect(proposer).toContain('Vous portez la proposition');
    expect(proposer).not.toContain('tour suivant');
    // a member arriving after the round started does take part in the next one
    const late = await joinAsGuest(app, database.db, s.code, 'Lucie Retard');
    await late.agent.post(`/seances/${s.meetingId}/arrivee`).type('form').send({ _csrf: late.csrf }).expect(303);
    expect(await view(late, s.meetingId, 'participant')).toContain('Ce tour a commencé avant votre arrivée\u00a0: vous prendrez part au tour suivant.');
    expect((await act(s.alice, 'passer')).status).toBe(303);
    expect(await view(s.observer, s.meetingId, 'participant')).toContain('Vous observez la séance');
  });

  it('when a member who has not joined the séance opens its participant view, then they are told why they are not in the round, and join from there', async () => {
    const s = await seedSeance();
    await clarification(s);
    const account = await seedAccount(database.db, 'member', { name: 'Noé Non-Inscrit' });
    const noe = await signIn(app, account.email);
    const page = await noe.agent.get(`/seances/${s.meetingId}/participant`).expect(200);
    const seen = readable(page.text);
    expect(seen).toContain('Vous n’avez pas rejoint cette séance\u00a0: vous la suivez sans prendre part à ses tours de parole.');
    expect(seen).not.toContain('tour suivant');
    expect(seen).toContain('id="btn-join-seance"');
    // the button posts the séance's code to /rejoindre: Noé is then a participant, present for the next round
    const joined = await noe.agent
      .post('/rejoindre')
      .type('form')
      .send({ _csrf: csrfOf(page.text), code: s.code });
    expect(joined.status).toBe(303);
    expect(joined.headers.location).toBe(`/seances/${s.meetingId}`);
    const after = readable((await noe.agent.get(`/seances/${s.meetingId}/participant`).expect(200)).text);
    expect(after).not.toContain('Vous n’avez pas rejoint cette séance');
    expect(after).toContain('Ce tour a commencé avant votre arrivée');
  });
});

/** From clarification to the amendment: Alice and Bob pass, then react. */
async function amendment(s: Seance) {
  const c = await clarification(s);
  for (const [who, action, fields, back] of [
    [s.alice, 'passer', {}, 'participant'],
    [s.bob, 'passer', {}, 'participant'],
    [s.facilitator, 'ouvrir-reactions', {}, 'console'],
    [s.alice, 'reaction', { texte: 'Soulagée.' }, 'participant'],
    [s.bob, 'reaction', { texte: 'Inquiet pour les élus.' }, 'participant'],
    [s.facilitator, 'ouvrir-bonification', {}, 'console'],
  ] as const)
    expect((await c.act(who, action, fields, back)).status, action).toBe(303);
  return c;
}

describe('the proposer’s preview', () => {
  it('when « Prévisualiser les changements » is pressed, then the « Modification motivée par » boxes ticked stay ticked, and nothing is stored', async () => {
    const s = await seedSeance();
    const { act, proposalId } = await amendment(s);
    const reactions = await database.db.selectFrom('contributions').select(['ref_id', 'body']).where('kind', '=', 'reaction').execute();
    const bobs = reactions.find((r) => r.body === 'Inquiet pour les élus.')!.ref_id!;
    const alices = reactions.find((r) => r.body === 'Soulagée.')!.ref_id!;
    const res = await act(
      s.proposer,
      'amender',
      { texte: 'Passer au consentement. Les élus sont informés.', note: 'Les élus', motive: `reaction:${bobs}`, apercu: '1' },
      'porteur',
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain('id="amend-preview"');
    const box = (id: string) => new RegExp(`<input type="checkbox"[^>]*value="reaction:${id}"[^>]*>`).exec(res.text)?.[0] ?? '';
    expect(box(bobs)).toContain(' checked');
    expect(box(alices)).not.toContain('checked');
    expect(res.text).toContain('Les élus sont informés.');
    // the difference reads as passages, with « avant / après » side by side
    const preview = res.text.slice(res.text.indexOf('id="amend-preview"'));
    expect(preview).toContain('<ins title="ajouté">');
    expect(preview).toMatch(/class="diff-col diff-before"><p class="diff-col-title">Avant<\/p>/);
    expect(preview).toMatch(/class="diff-col diff-after"><p class="diff-col-title">Après<\/p>/);
    expect(await database.db.selectFrom('proposal_versions').select('number').where('proposal_id', '=', proposalId).execute()).toHaveLength(1);
  });
});

/** From the amendment to integration: the text is kept, Alice and Bob each object, both objections are valid. */
async function integration(s: Seance) {
  const c = await amendment(s);
  for (const [who, action, fields, back] of [
    [s.proposer, 'maintenir', {}, 'porteur'],
    [s.facilitator, 'ouvrir-objections', {}, 'console'],
    [s.proposer, 'pas-objection', {}, 'porteur'],
    [s.alice, 'objection', { texte: 'Les élus ne seront pas informés.' }, 'participant'],
    [s.bob, 'objection', { texte: 'Le délai est trop court.' }, 'participant'],
  ] as const)
    expect((await c.act(who, action, fields, back)).status, action).toBe(303);
  const objections = await database.db
    .selectFrom('objections')
    .select(['id', 'reasoning'])
    .where('proposal_id', '=', c.proposalId)
    .orderBy('raised_at')
    .execute();
  for (const o of objections)
    expect((await c.act(s.facilitator, 'tester', { objection: o.id, 'reponses[importante]': 'oui', 'reponses[argumentee]': 'oui' }, 'console')).status).toBe(
      303,
    );
  return { ...c, alices: objections[0]!.id, bobs: objections[1]!.id };
}

describe('controls that act on one objection', () => {
  it('when two objections are integrated, then each « Date de suivi / Reporter l’objection » pair names its objector and quotes its objection', async () => {
    const s = await seedSeance();
    const { alices, bobs } = await integration(s);
    const html = await view(s.facilitator, s.meetingId, 'console');
    const label = (id: string) => new RegExp(`<label for="f-defer-${id}"[^>]*>([^<]+)<`).exec(html)?.[1]?.trim();
    expect(label(alices)).toBe('Date de suivi de l’objection d’Alice Agente');
    expect(label(bobs)).toBe('Date de suivi de l’objection de Bob Habitant');
    const form = (id: string) => html.split('<form ').find((f) => f.includes(`id="form-reporter-objection-${id}"`)) ?? '';
    expect(form(alices)).toContain('Reporter l’objection d’Alice Agente');
    expect(form(alices)).toContain('Les élus ne seront pas informés.');
    expect(form(alices)).toMatch(new RegExp(`aria-describedby="form-reporter-objection-${alices}-quote"`));
    expect(form(bobs)).toContain('Reporter l’objection de Bob Habitant');
    expect(form(bobs)).toContain('Le délai est trop court.');
  });
});

describe('actions that cannot be undone are confirmed', () => {
  it('when Alice withdraws her objection without JavaScript, then a confirmation page comes first and stores nothing; confirming posts to the same action', async () => {
    const s = await seedSeance();
    const { alices, proposalId } = await integration(s);
    const page = await view(s.alice, s.meetingId, 'participant');
    const form = page.split('<form ').find((f) => f.includes(`id="form-retirer-objection-${alices}"`)) ?? '';
    const url = `/seances/${s.meetingId}/propositions/${proposalId}/retirer-objection`;
    expect(form).toContain(`method="get" action="${url}/confirmer"`);
    expect(form).toContain(`hx-post="${url}"`);
    expect(form).toContain('hx-confirm="Retirer l’objection d’Alice Agente');
    expect(form).not.toContain('name="_csrf"');

    const events = async () => (await database.db.selectFrom('events').select(database.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    const before = await events();
    const confirm = await s.alice.agent.get(`${url}/confirmer?retour=participant&objection=${alices}&cle=6f1c2a8e-5d0b-4c1e-9a53-2b7f0f5e9c12`).expect(200);
    const html = readable(confirm.text);
    expect(html).toContain('<h1>Retirer l’objection</h1>');
    expect(html).toContain('Les élus ne seront pas informés.');
    expect(html).toContain(`<form method="post" action="${url}"`);
    expect(html).toContain(`name="objection" value="${alices}"`);
    expect(html).toContain(`href="/seances/${s.meetingId}/participant?proposition=${proposalId}"`);
    expect(await events()).toBe(before);

    const posted = await s.alice.agent
      .post(url)
      .type('form')
      .send({ _csrf: csrfOf(confirm.text), retour: 'participant', objection: alices, cle: '6f1c2a8e-5d0b-4c1e-9a53-2b7f0f5e9c12' });
    expect(posted.status).toBe(303);
    const row = await database.db.selectFrom('objections').select('outcome').where('id', '=', alices).executeTakeFirstOrThrow();
    expect(row.outcome).toBe('withdrawn');
  });

  it('when the facilitator postpones or the proposer withdraws, then each form asks first, and an unknown action has no confirmation page', async () => {
    const s = await seedSeance();
    const { proposalId } = await clarification(s);
    const console = await view(s.facilitator, s.meetingId, 'console');
    const postpone = console.split('<form ').find((f) => f.includes('id="form-reporter"')) ?? '';
    expect(postpone).toContain(`action="/seances/${s.meetingId}/propositions/${proposalId}/reporter/confirmer"`);
    expect(postpone).toContain('hx-confirm="Reporter la proposition «\u00a0Du consensus au consentement\u00a0»\u202f?');
    const porteur = await view(s.proposer, s.meetingId, 'porteur');
    expect(porteur.split('<form ').find((f) => f.includes('id="form-retirer"'))).toContain('hx-confirm="Retirer la proposition');
    const page = await s.proposer.agent
      .get(`/seances/${s.meetingId}/propositions/${proposalId}/retirer/confirmer?retour=porteur&raison=Plus%20utile`)
      .expect(200);
    expect(readable(page.text)).toContain('Plus utile');
    await s.proposer.agent.get(`/seances/${s.meetingId}/propositions/${proposalId}/question/confirmer`).expect(404);
  });
});

describe('the draft form, a saved version, and who ruled', () => {
  it('when a member opens « Rédiger une proposition », then the form is built like every other form', async () => {
    const s = await seedSeance();
    const html = (await s.proposer.agent.get(`/seances/${s.meetingId}/propositions/nouvelle`).expect(200)).text;
    expect(html).toMatch(/<section class="narrow">[\s\S]*<form method="post" action="\/seances\/[^"]+\/propositions" class="form" novalidate>/);
    expect(html).toMatch(/<div class="field">\s*<label for="f-validitySet">/);
    expect(html).not.toContain('class="stack"');
  });

  it('when the proposer saves a new version, then the page says it is saved; and each tested objection says who ruled and when', async () => {
    const s = await seedSeance();
    const { act } = await amendment(s);
    const saved = await act(s.proposer, 'amender', { texte: 'Passer au consentement, et informer les élus.', note: 'Les élus' }, 'porteur');
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toMatch(/fait=version$/);
    const page = readable((await s.proposer.agent.get(saved.headers.location!).expect(200)).text);
    expect(page).toContain('La version 2 est enregistrée\u00a0: c’est désormais le texte en cours pour tout le monde.');
    // the live refresh (same view, no « fait ») does not say it again
    expect(await view(s.proposer, s.meetingId, 'porteur')).not.toContain('saved-notice');

    const s2 = await seedSeance();
    const { alices, act: act2 } = await integration(s2);
    const console = await view(s2.facilitator, s2.meetingId, 'console');
    const card = console.slice(console.indexOf(`id="objection-${alices}"`));
    expect(card).toMatch(/Déclarée recevable par Farid Facilitateur le \d{1,2}(er)? \S+ \d{4} à \d{1,2}\u00a0h\u00a0\d{2}/);
    expect((await act2(s2.alice, 'retirer-objection', { objection: alices })).status).toBe(303);
    const after = await view(s2.facilitator, s2.meetingId, 'console');
    expect(after.slice(after.indexOf(`id="objection-${alices}"`))).toMatch(/Issue consignée par Alice Agente le \d{1,2}(er)? \S+ \d{4} à/);
  });
});
