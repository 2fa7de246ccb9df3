/**
 * Trainer mode plays a real proposal: « Étape suivante » and auto-play run the personas' script
 * through the proposal service, the trainer and trainees take personas over and act for real,
 * and reset starts again with a new proposal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import request from 'supertest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { csrfOf, fingerprint, seedAccount, seedCircle, signIn, type Session } from '../helpers/auth.ts';
import type { Proposal } from '../../src/consent/index.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { loadHead } from '../../src/proposals/proposals.repository.ts';
import { scenarios } from '../../src/training/scenarios.ts';
import { TrainingError, TrainingService } from '../../src/training/training.service.ts';
import { readableSpaced as readable } from '../helpers/html.ts';

let database: TestDatabase;
let app: Express;
let trainer: Session;
let circleId: string;

const post = (who: Session, path: string, fields: Record<string, string> = {}) =>
  who.agent
    .post(path)
    .type('form')
    .send({ _csrf: who.csrf, ...fields });

async function startSession(scenario = 'atelier-3-consentement'): Promise<{ id: string; code: string }> {
  const res = await post(trainer, '/formation', { scenario, cercle: circleId });
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  const id = /\/formation\/([0-9a-f-]{36})$/.exec(res.headers.location!)![1]!;
  const row = await database.db.selectFrom('meetings').select('join_code').where('id', '=', id).executeTakeFirstOrThrow();
  return { id, code: row.join_code };
}

async function trainee(code: string, name: string): Promise<Session> {
  const agent = request.agent(app);
  const form = await agent.get(`/rejoindre/${code}`).expect(200);
  const joined = await agent
    .post('/rejoindre')
    .type('form')
    .send({ _csrf: csrfOf(form.text), code, displayName: name });
  expect(joined.status).toBe(303);
  const page = await agent.get(joined.headers.location!).redirects(2).expect(200);
  return { agent, csrf: csrfOf(page.text), cookie: '' };
}

async function session(id: string) {
  return database.db.selectFrom('training_sessions').selectAll().where('meeting_id', '=', id).executeTakeFirstOrThrow();
}
async function proposalOf(id: string): Promise<Proposal> {
  const { proposal_id } = await session(id);
  return (await loadHead(database.db, proposal_id!))!.state;
}
async function personOf(id: string, personaId: string): Promise<string> {
  return (
    await database.db
      .selectFrom('training_personas')
      .select('person_id')
      .where('meeting_id', '=', id)
      .where('persona_id', '=', personaId)
      .executeTakeFirstOrThrow()
  ).person_id!;
}
async function eventsOf(proposalId: string): Promise<{ type: string; actor_id: string | null }[]> {
  return database.db.selectFrom('events').select(['type', 'actor_id']).where('stream_id', '=', proposalId).orderBy('seq').execute();
}

/** Presses « Étape suivante » until `until` holds (or the step is refused); returns the last refusal's text, if any. */
async function stepUntil(id: string, until: (p: Proposal) => boolean, max = 80): Promise<string | null> {
  for (let i = 0; i < max; i++) {
    if (until(await proposalOf(id))) return null;
    const res = await post(trainer, `/formation/${id}/etape`);
    if (res.status !== 303) return readable(res.text);
  }
  throw new Error('the script never got there');
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  const admin = await seedAccount(database.db, 'admin');
  const fac = await seedAccount(database.db, 'facilitator', { name: 'Fanny Formatrice' });
  circleId = await seedCircle(database.db, admin.actor);
  trainer = await signIn(app, fac.email);
});
afterAll(async () => {
  await database.dispose();
});

describe('the personas played by the app', () => {
  it(
    'when the trainer presses « Étape suivante » to the end, then the Atelier 3 proposal goes through every stage to adoption in the consent core',
    { timeout: 120_000 },
    async () => {
      const { id } = await startSession();
      const first = readable((await trainer.agent.get(`/formation/${id}`).expect(200)).text);
      expect(first).toContain('Prochaine action : La facilitation présente la proposition.');
      await post(trainer, `/formation/${id}/reveler`).expect(303);
      let page = readable((await trainer.agent.get(`/formation/${id}`).expect(200)).text);
      expect(page).toContain('Pas encore : 1 objection à intégrer');

      const refusal = await stepUntil(id, (p) => p.stage === 'adopted');
      expect(refusal).toBeNull();
      const proposal = await proposalOf(id);
      if (proposal.stage !== 'adopted') throw new Error('not adopted');
      const [drh, juriste, dgs, elue] = await Promise.all(['drh', 'juriste', 'dgs', 'elue'].map((p) => personOf(id, p)));
      // seven questions answered by the proposer, seven reactions, the amendment after the reactions, then integration
      expect(proposal.questions).toHaveLength(7);
      expect(proposal.questions.every((q) => q.response?.kind === 'answered')).toBe(true);
      expect(readable(proposal.questions.find((q) => q.askerId === elue)?.text ?? '')).toBe(
        'Les élus et élues seront-ils associés au bilan, ou seulement informés ?',
      );
      expect(proposal.reactions).toHaveLength(7);
      expect(proposal.versions).toHaveLength(3);
      expect(proposal.objections).toEqual([expect.objectContaining({ objectorId: drh, outcome: 'integrated', ruling: 'valid' })]);
      expect(proposal.decision.concerns).toEqual([expect.objectContaining({ personId: juriste, source: 'concern' })]);
      expect(proposal.proposerId).toBe(dgs);
      // every event is in the log, signed by the persona that said it or by the trainer who facilitates
      const events = await eventsOf(proposal.proposalId);
      expect(events.filter((e) => e.type === 'ObjectionRaised')).toEqual([{ type: 'ObjectionRaised', actor_id: drh }]);
      expect(events.filter((e) => e.type === 'QuestionAnswered').every((e) => e.actor_id === dgs)).toBe(true);
      expect(events.at(-1)?.type).toBe('ProposalAdopted');

      // the objector whose objection was integrated can now live with it: consent reached, consensus not
      expect(
        (
          await database.db
            .selectFrom('training_personas')
            .select('position')
            .where('meeting_id', '=', id)
            .where('persona_id', '=', 'drh')
            .executeTakeFirstOrThrow()
        ).position,
      ).toBe(3);
      page = readable((await trainer.agent.get(`/formation/${id}`).expect(200)).text);
      expect(page).toContain('Adoptée : personne ne dit non.');
      expect(page).toContain('Pas de consensus.');
      expect(page).toContain('Proposition adoptée : la proposition est réglée.');

      // one more step is refused and changes nothing
      const before = await fingerprint(database.db);
      const again = await post(trainer, `/formation/${id}/etape`);
      expect(again.status).toBe(422);
      expect(readable(again.text)).toContain('La proposition est réglée : réinitialisez la session pour la rejouer.');
      expect(await fingerprint(database.db)).toEqual(before);

      // a decision of a training séance never enters the register
      const register = readable((await trainer.agent.get('/registre').expect(200)).text);
      expect(register).not.toContain('Essayer la décision par consentement en comité de direction');
      await trainer.agent.get(`/registre/${proposal.proposalId}`).expect(404);
    },
  );

  it('when a trainee presses « Étape suivante », then it is refused and nothing moves', async () => {
    const { id, code } = await startSession();
    const alix = await trainee(code, 'Alix Stagiaire');
    const before = await fingerprint(database.db);
    await post(alix, `/formation/${id}/etape`).expect(403);
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it(
    'when the trainer sets an auto-play speed, then the page plays a step on that timer, and a refused timed step is silent',
    { timeout: 120_000 },
    async () => {
      const { id } = await startSession();
      await post(trainer, `/formation/${id}/lecture-auto`, { vitesse: '3' }).expect(303);
      expect((await session(id)).autoplay_seconds).toBe(3);
      const page = (await trainer.agent.get(`/formation/${id}`).expect(200)).text;
      expect(page).toMatch(/hx-post="\/formation\/[0-9a-f-]{36}\/etape" hx-trigger="every 3s"/);
      // what the timer posts is an ordinary step
      await post(trainer, `/formation/${id}/etape`, { auto: '1' }).expect(303);
      expect((await proposalOf(id)).stage).toBe('presentation');
      await stepUntil(id, (p) => p.stage === 'adopted');
      await post(trainer, `/formation/${id}/etape`, { auto: '1' }).expect(204);
      // an unknown speed is refused with a French message and changes nothing
      const res = await post(trainer, `/formation/${id}/lecture-auto`, { vitesse: '7' });
      expect(res.status).toBe(400);
      expect((await session(id)).autoplay_seconds).toBe(3);
      await post(trainer, `/formation/${id}/lecture-auto`, { vitesse: 'arret' }).expect(303);
      expect((await session(id)).autoplay_seconds).toBeNull();
    },
  );
});

describe('every shipped scenario', () => {
  it.each([...scenarios().keys()])(
    'when the app plays %s from start to end, then its proposal is adopted with every scripted objection integrated',
    { timeout: 120_000 },
    async (scenarioId) => {
      const fac = await seedAccount(database.db, 'facilitator');
      const service = new TrainingService({ db: database.db, proposals: new ProposalService({ db: database.db }) });
      const scenario = scenarios().get(scenarioId)!;
      const id = await service.start(fac.actor, { scenarioId, circleId });
      let finished = false;
      for (let i = 0; i < 120 && !finished; i++) {
        try {
          await service.step(fac.actor, id);
        } catch (error) {
          expect(error instanceof TrainingError && error.code).toBe('finished');
          finished = true;
        }
      }
      const proposal = await proposalOf(id);
      expect(proposal.stage).toBe('adopted');
      const objectors = scenario.personas.filter((p) => p.objection).length;
      expect(proposal.objections.filter((o) => o.outcome === 'integrated')).toHaveLength(objectors);
    },
  );
});

describe('a lifted objection', () => {
  it(
    'when the move to « je peux vivre avec » cannot be stored, then the lift is not stored either, and the next step stores both',
    { timeout: 120_000 },
    async () => {
      const fac = await seedAccount(database.db, 'facilitator');
      const service = new TrainingService({ db: database.db, proposals: new ProposalService({ db: database.db }) });
      const id = await service.start(fac.actor, { scenarioId: 'atelier-3-consentement', circleId });
      // play on until the objection is integrated and the objector is about to lift it
      for (let i = 0; i < 120; i++) {
        const p = await proposalOf(id);
        if (p.stage === 'integration' && p.current.amendedInVersion !== null && !p.current.liftConfirmed) break;
        await service.step(fac.actor, id);
      }
      const drhPosition = () =>
        database.db
          .selectFrom('training_personas')
          .select('position')
          .where('meeting_id', '=', id)
          .where('persona_id', '=', 'drh')
          .executeTakeFirstOrThrow()
          .then((r) => r.position);
      expect(await drhPosition()).toBe(5);
      const proposalId = (await session(id)).proposal_id!;
      const before = { events: await eventsOf(proposalId), state: await proposalOf(id) };
      // the second write of the step (the persona's move) fails in the database
      await sql`create function refuse_move() returns trigger language plpgsql as $$ begin raise exception 'move refused'; end $$`.execute(database.db);
      await sql`create trigger refuse_move before update of position on training_personas for each row when (new.position = 3) execute function refuse_move()`.execute(
        database.db,
      );
      try {
        await expect(service.step(fac.actor, id)).rejects.toThrow('move refused');
      } finally {
        await sql`drop trigger refuse_move on training_personas`.execute(database.db);
        await sql`drop function refuse_move()`.execute(database.db);
      }
      // nothing of the step remains: no event, the same proposal, the objector where they were
      expect(await eventsOf(proposalId)).toEqual(before.events);
      expect(await proposalOf(id)).toEqual(before.state);
      expect(await drhPosition()).toBe(5);

      await service.step(fac.actor, id);
      const lifted = await proposalOf(id);
      expect(lifted.stage === 'integration' && lifted.current.liftConfirmed).toBe(true);
      expect(await drhPosition()).toBe(3);
    },
  );
});

describe('taking a persona over', () => {
  it(
    'when the trainer takes over the objector, then the script waits for them, the trainer objects for real, and the app plays on once given back',
    { timeout: 120_000 },
    async () => {
      const { id, code } = await startSession();
      await post(trainer, `/formation/${id}/personas/drh/prendre-la-main`).expect(303);
      const drh = await personOf(id, 'drh');
      // held by the trainer, the persona is not offered to trainees, and taking it anyway is refused
      const alix = await trainee(code, 'Alix Stagiaire');
      const offered = (await alix.agent.get(`/formation/${id}`).expect(200)).text;
      expect(offered).toContain(`/formation/${id}/personas/elue/prendre"`);
      expect(offered).not.toContain(`/formation/${id}/personas/drh/prendre"`);
      const held = await fingerprint(database.db);
      const grab = await post(alix, `/formation/${id}/personas/drh/prendre`);
      expect(grab.status).toBe(422);
      expect(readable(grab.text)).toContain('Ce persona vient d’être pris par quelqu’un d’autre');
      expect(await fingerprint(database.db)).toEqual(held);
      const refusal = await stepUntil(id, (p) => p.stage === 'adopted');
      expect(refusal).toContain('C’est au tour d’un persona joué par une personne');
      const waiting = await proposalOf(id);
      expect(waiting.stage).toBe('clarification');
      let page = readable((await trainer.agent.get(`/formation/${id}`).expect(200)).text);
      expect(page).toContain('C’est au tour de Thomas Girard, joué par une personne : la session attend son action.');
      expect(page).toContain('À vous de jouer pour Thomas Girard');

      // the trainer asks another question than the script's, for the persona
      await post(trainer, `/formation/${id}/agir`, { persona: 'drh', action: 'question', texte: 'Qui paiera la formation ?' }).expect(303);
      const asked = await proposalOf(id);
      expect(asked.questions.at(-1)).toEqual(expect.objectContaining({ askerId: drh, text: 'Qui paiera la formation ?' }));
      // an action the method does not allow now is refused in French, and nothing changes
      const before = await fingerprint(database.db);
      const wrong = await post(trainer, `/formation/${id}/agir`, { persona: 'drh', action: 'reaction', texte: 'Trop tôt.' });
      expect(wrong.status).toBe(422);
      expect(readable(wrong.text)).toContain('Trop tôt.');
      expect(await fingerprint(database.db)).toEqual(before);

      // given back to the app, the script goes on to adoption
      await post(trainer, `/formation/${id}/personas/drh/reprendre`).expect(303);
      expect(await stepUntil(id, (p) => p.stage === 'adopted')).toBeNull();
      page = readable((await trainer.agent.get(`/formation/${id}`).expect(200)).text);
      expect(page).not.toContain('À vous de jouer pour Thomas Girard');
    },
  );

  it('when a trainee takes a persona, then they act for it for real, and may not act for another', { timeout: 120_000 }, async () => {
    const { id, code } = await startSession();
    const alix = await trainee(code, 'Alix Stagiaire');
    await post(alix, `/formation/${id}/personas/elue/prendre`).expect(303);
    await post(alix, `/formation/${id}/position`, { position: '2' }).expect(303);
    const elue = await personOf(id, 'elue');
    expect(await stepUntil(id, () => false, 10)).toContain('attendez son action');
    const page = readable((await alix.agent.get(`/formation/${id}`).expect(200)).text);
    expect(page).toContain('À vous de jouer pour Claire Morel');
    expect(page).toContain('Les élus et élues seront-ils associés au bilan, ou seulement informés ?');

    await post(alix, `/formation/${id}/agir`, { action: 'question', texte: 'Le bilan sera-t-il public ?' }).expect(303);
    expect((await proposalOf(id)).questions.at(-1)).toEqual(expect.objectContaining({ askerId: elue, text: 'Le bilan sera-t-il public ?' }));
    // the trainer’s way of acting for a held persona is not theirs
    const before = await fingerprint(database.db);
    await post(alix, `/formation/${id}/agir`, { persona: 'drh', action: 'question', texte: 'Et moi ?' }).expect(403);
    // an empty text is refused by the core, with the text kept
    const empty = await post(alix, `/formation/${id}/agir`, { action: 'reaction', texte: '' });
    expect(empty.status).toBe(422);
    expect(await fingerprint(database.db)).toEqual(before);
    // the app answers her question as the proposer, and plays on
    await post(trainer, `/formation/${id}/etape`).expect(303);
    expect((await proposalOf(id)).questions.at(-1)?.response?.kind).toBe('declined');
  });
});

describe('reset', () => {
  it(
    'when the trainer resets a session under way, then a new proposal starts at its beginning and the old one is withdrawn; at the start, reset changes nothing',
    { timeout: 120_000 },
    async () => {
      const { id } = await startSession();
      const first = (await session(id)).proposal_id!;
      await post(trainer, `/formation/${id}/personas/juriste/position`, { position: '1' }).expect(303);
      await post(trainer, `/formation/${id}/reveler`).expect(303);
      await stepUntil(id, (p) => p.stage === 'reactions');
      await post(trainer, `/formation/${id}/reinitialiser`).expect(303);

      const after = await session(id);
      expect(after.proposal_id).not.toBe(first);
      expect(after.phase).toBe('secret');
      expect((await proposalOf(id)).stage).toBe('draft');
      const old = (await database.db.selectFrom('proposals').select('stage').where('id', '=', first).executeTakeFirstOrThrow()).stage;
      expect(old).toBe('withdrawn');
      const juriste = await database.db
        .selectFrom('training_personas')
        .select('position')
        .where('meeting_id', '=', id)
        .where('persona_id', '=', 'juriste')
        .executeTakeFirstOrThrow();
      expect(juriste.position).toBe(4);
      const page = readable((await trainer.agent.get(`/formation/${id}`).expect(200)).text);
      expect(page).toContain('La session est à son début : rien à réinitialiser.');
      expect(page).not.toContain('Réinitialiser la session');

      // already at the start: no new proposal
      await post(trainer, `/formation/${id}/reinitialiser`).expect(303);
      expect((await session(id)).proposal_id).toBe(after.proposal_id);
    },
  );
});
