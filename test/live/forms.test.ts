/**
 * The live action forms as people meet them: a refused form comes back with its French error next
 * to the field and what was typed still in it; every field takes at most what the route accepts
 * (maxlength from LIMITS, src/http/limits.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { csrfOf, fingerprint, seedAccount, seedCircle, seedMeeting, signIn, unique, type Session, joinWithAccount } from '../helpers/auth.ts';
import { LIMITS } from '../../src/http/limits.ts';

let database: TestDatabase;
let app: Express;

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
});
afterAll(async () => {
  await database.dispose();
});

const NNBSP = '\u202f';

/** A meeting of its own: a facilitator, a proposer, Alice and Bob on their phones, Dominique in the room without one, a drafted proposal. */
async function heldMeeting() {
  const admin = await seedAccount(database.db, 'admin');
  const fac = await seedAccount(database.db, 'facilitator');
  const member = await seedAccount(database.db, 'member');
  const { id: meetingId, code } = await seedMeeting(database.db, fac.actor, await seedCircle(database.db, admin.actor));
  const facilitator = await signIn(app, fac.email);
  const proposer = await signIn(app, member.email);
  await joinWithAccount(proposer, code);
  const guest = async (displayName: string): Promise<Session> => {
    const agent = request.agent(app);
    const page = await agent.get(`/rejoindre/${code}`).expect(200);
    await agent
      .post('/rejoindre')
      .type('form')
      .send({ _csrf: csrfOf(page.text), code, displayName })
      .expect(303);
    return { agent, csrf: csrfOf((await agent.get(`/seances/${meetingId}/participant`).expect(200)).text), cookie: '' };
  };
  const alice = await guest('Alice Agente');
  const bob = await guest('Bob Habitant');
  await facilitator.agent.get(`/seances/${meetingId}/console`).expect(200);
  const inRoom = `Dominique ${unique()}`;
  await facilitator.agent.post(`/seances/${meetingId}/presence`).type('form').send({ _csrf: facilitator.csrf, nom: inRoom }).expect(303);
  const draft = await proposer.agent.get(`/seances/${meetingId}/propositions/nouvelle`).expect(200);
  await proposer.agent
    .post(`/seances/${meetingId}/propositions`)
    .type('form')
    .send({
      _csrf: csrfOf(draft.text),
      title: 'Horaires de la mairie',
      tension: 'Les habitants qui travaillent trouvent porte close.',
      text: 'Ouvrir le samedi matin.',
      validitySet: 'importante_argumentee',
    })
    .expect(303);
  const proposalId = (await database.db.selectFrom('proposals').select('id').where('meeting_id', '=', meetingId).executeTakeFirstOrThrow()).id;
  const dominique = (await database.db.selectFrom('persons').select('id').where('display_name', '=', inRoom).executeTakeFirstOrThrow()).id;
  const post = (who: Session, action: string, fields: Record<string, string> = {}, back = 'participant') =>
    who.agent
      .post(`/seances/${meetingId}/propositions/${proposalId}/${action}`)
      .type('form')
      .send({ _csrf: who.csrf, retour: back, ...fields });
  /** An action that must be taken. */
  const act = async (who: Session, action: string, fields: Record<string, string> = {}, back = 'participant') => {
    const res = await post(who, action, fields, back);
    expect(res.status, `${action}: ${/id="action-error">([\s\S]*?)<\/p>/.exec(res.text)?.[1]}`).toBe(303);
  };
  const page = async (who: Session, view: string) => (await who.agent.get(`/seances/${meetingId}/${view}?proposition=${proposalId}`).expect(200)).text;
  const questionBy = async (body: string) =>
    (
      await database.db
        .selectFrom('contributions')
        .select('ref_id')
        .where('proposal_id', '=', proposalId)
        .where('kind', '=', 'question')
        .where('body', '=', body)
        .executeTakeFirstOrThrow()
    ).ref_id!;
  return { meetingId, proposalId, facilitator, proposer, alice, bob, dominique, post, act, page, questionBy };
}

/** The error shown next to the field #id, as the page says it. */
function errorNextTo(html: string, id: string): string | null {
  const match = new RegExp(`<p class="error" id="${id}-error">([^<]*)</p>\\s*<(?:textarea|input)[^>]*\\bid="${id}"`).exec(html);
  return match ? match[1]! : null;
}

describe('a refused live form comes back with its error next to the field and the typed text kept', () => {
  it('when a question is empty, an answer is empty, a text typed for someone else or a change note is too long, then each error is next to its field, in French', async () => {
    const s = await heldMeeting();
    await s.act(s.facilitator, 'presenter', {}, 'console');
    await s.act(s.facilitator, 'ouvrir-clarification', {}, 'console');

    // Alice speaks first; an empty question is refused next to the question field, and nothing is stored
    const before = await fingerprint(database.db);
    const empty = await s.post(s.alice, 'question', { texte: '   ' });
    expect(empty.status).toBe(400);
    expect(errorNextTo(empty.text, 'f-question')).toBe('Écrivez un texte avant de valider.');
    const field = /<textarea id="f-question"[^>]*>/.exec(empty.text)![0];
    expect(field).toContain('aria-invalid="true"');
    expect(field).toContain('aria-describedby="f-question-error"');
    expect(await fingerprint(database.db)).toEqual(before);
    // the same through htmx: the fragment that replaces #live carries it too
    const fragment = await s.alice.agent
      .post(`/seances/${s.meetingId}/propositions/${s.proposalId}/question`)
      .set('HX-Target', 'live')
      .type('form')
      .send({ _csrf: s.alice.csrf, retour: 'participant', texte: '' });
    expect(fragment.status).toBe(400);
    expect(fragment.text.trimStart().startsWith('<div id="live"')).toBe(true);
    expect(errorNextTo(fragment.text, 'f-question')).toBe('Écrivez un texte avant de valider.');

    // a question one character too long stays in the field, with the limit next to it
    const long = 'Pourquoi le samedi ? '.repeat(100).slice(0, LIMITS.question + 1);
    const tooLong = await s.post(s.alice, 'question', { texte: long });
    expect(tooLong.status).toBe(400);
    expect(errorNextTo(tooLong.text, 'f-question')).toBe(`Raccourcissez ce texte à 2${NNBSP}000 caractères au plus.`);
    expect(tooLong.text).toContain(`>${long}</textarea>`);

    await s.act(s.alice, 'question', { texte: 'Qui tiendra l’accueil ?' });
    const qid = await s.questionBy('Qui tiendra l’accueil ?');
    const noAnswer = await s.post(s.proposer, 'repondre', { question: qid, texte: '' }, 'porteur');
    expect(noAnswer.status).toBe(400);
    expect(errorNextTo(noAnswer.text, `f-answer-${qid}`)).toBe('Écrivez un texte avant de valider.');
    await s.act(s.proposer, 'repondre', { question: qid, texte: 'Les agents volontaires.' }, 'porteur');
    await s.act(s.bob, 'passer');

    // Dominique has no phone: the facilitator types for them, and a refusal reaches that field
    const typedFor = 'Et les jours fériés ? '.repeat(100).slice(0, LIMITS.question + 1);
    const behalf = await s.post(s.facilitator, 'question', { pour: s.dominique, texte: typedFor }, 'console');
    expect(behalf.status).toBe(400);
    expect(errorNextTo(behalf.text, 'f-question-pour')).toBe(`Raccourcissez ce texte à 2${NNBSP}000 caractères au plus.`);
    expect(behalf.text).toContain(`>${typedFor}</textarea>`);
    await s.act(s.facilitator, 'passer', { pour: s.dominique }, 'console');

    await s.act(s.facilitator, 'ouvrir-reactions', {}, 'console');
    await s.act(s.alice, 'passer');
    await s.act(s.bob, 'passer');
    await s.act(s.facilitator, 'passer', { pour: s.dominique }, 'console');
    await s.act(s.facilitator, 'ouvrir-bonification', {}, 'console');

    // two fields: the error goes to the note, both texts stay where they were typed
    const text = 'Ouvrir le samedi matin, de 9 h à 12 h.';
    const note = 'n'.repeat(LIMITS.changeNote + 1);
    const amend = await s.post(s.proposer, 'amender', { texte: text, note }, 'porteur');
    expect(amend.status).toBe(400);
    expect(errorNextTo(amend.text, 'f-amend-note')).toBe(`Raccourcissez ce texte à 2${NNBSP}000 caractères au plus.`);
    expect(errorNextTo(amend.text, 'f-amend')).toBeNull();
    expect(amend.text).toContain(`>${text}</textarea>`);
    expect(amend.text).toContain(`value="${note}"`);
  });
});

/** Each typed field of the live pages (`<action> <name>`) and the most it may hold. */
const LIMIT_OF: Record<string, number> = {
  'question texte': LIMITS.question,
  'repondre texte': LIMITS.answer,
  'reaction texte': LIMITS.reaction,
  'objection texte': LIMITS.objection,
  'preoccupation texte': LIMITS.concern,
  'amender texte': LIMITS.proposalText,
  'amender note': LIMITS.changeNote,
  'reporter raison': LIMITS.concern,
  'retirer raison': LIMITS.concern,
  'presence nom': LIMITS.name,
  'propositions title': LIMITS.proposalTitle,
  'propositions tension': LIMITS.tension,
  'propositions text': LIMITS.proposalText,
  'propositions criteria': LIMITS.criteria,
};

interface TypedField {
  form: string;
  /** `<action> <name>`: the last segment of the form's URL and the field's name */
  field: string;
  max: number | null;
}

/** Every textarea and text input of the page's forms, with its maxlength. */
function typedFields(html: string): TypedField[] {
  const out: TypedField[] = [];
  for (const form of html.split('<form ').slice(1)) {
    const open = form.slice(0, form.indexOf('>'));
    // a form asking for confirmation goes to its action's « /confirmer » page first (without JavaScript)
    const action = /\baction="[^"]*?\/([a-z-]+)(?:\/confirmer)?"/.exec(open)![1]!;
    const body = form.slice(0, form.indexOf('</form>'));
    for (const [tag] of body.matchAll(/<(?:textarea|input)\b[^>]*>/g)) {
      if (/\btype="(hidden|radio|checkbox|date|datetime-local)"/.test(tag)) continue;
      const max = /\bmaxlength="(\d+)"/.exec(tag);
      out.push({ form: /\bid="([^"]+)"/.exec(open)?.[1] ?? action, field: `${action} ${/\bname="([^"]+)"/.exec(tag)![1]}`, max: max ? Number(max[1]) : null });
    }
  }
  return out;
}

describe('every typed field of the live forms takes at most what the route accepts', () => {
  it('when each form is on screen in turn, then each textarea and text input has the maxlength of LIMITS', async () => {
    const s = await heldMeeting();
    const seen: TypedField[] = [];
    const look = (html: string) => seen.push(...typedFields(html));
    look((await s.proposer.agent.get(`/seances/${s.meetingId}/propositions/nouvelle`).expect(200)).text);
    const views = async () => {
      look(await s.page(s.facilitator, 'console'));
      look(await s.page(s.proposer, 'porteur'));
      for (const who of [s.alice, s.bob]) look(await s.page(who, 'participant'));
    };
    await s.act(s.facilitator, 'presenter', {}, 'console');
    await s.act(s.facilitator, 'ouvrir-clarification', {}, 'console');
    await views();
    await s.act(s.alice, 'question', { texte: 'Qui tiendra l’accueil ?' });
    await views();
    await s.act(s.proposer, 'repondre', { question: await s.questionBy('Qui tiendra l’accueil ?'), texte: 'Les agents volontaires.' }, 'porteur');
    await s.act(s.bob, 'passer');
    await views();
    await s.act(s.facilitator, 'passer', { pour: s.dominique }, 'console');
    await s.act(s.facilitator, 'ouvrir-reactions', {}, 'console');
    await views();
    await s.act(s.alice, 'passer');
    await s.act(s.bob, 'passer');
    await views();
    await s.act(s.facilitator, 'passer', { pour: s.dominique }, 'console');
    await s.act(s.facilitator, 'ouvrir-bonification', {}, 'console');
    await views();
    await s.act(s.proposer, 'maintenir', {}, 'porteur');
    await s.act(s.facilitator, 'ouvrir-objections', {}, 'console');
    await s.act(s.proposer, 'pas-objection', {}, 'porteur');
    await views();
    await s.act(s.alice, 'pas-objection');
    await s.act(s.bob, 'pas-objection');
    await views();

    const wrong = seen.filter(({ field, max }) => LIMIT_OF[field] === undefined || max !== LIMIT_OF[field]);
    expect(wrong, 'a typed field without the maxlength of LIMITS').toEqual([]);
    // the walk met every typed field, those of the forms typed for someone else included
    expect([...new Set(seen.map((f) => f.field))].sort()).toEqual(Object.keys(LIMIT_OF).sort());
    const forms = new Set(seen.map((f) => f.form));
    for (const onBehalf of ['question', 'reaction', 'objection', 'preoccupation']) expect(forms).toContain(`form-${onBehalf}-pour`);
  });
});
