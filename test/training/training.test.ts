import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import request from 'supertest';
import { csrfOf, fingerprint, seedAccount, seedCircle, signIn, type Session } from '../helpers/auth.ts';
import { readableSpaced as readable } from '../helpers/html.ts';

let database: TestDatabase;
let app: Express;
let trainer: Session;
let circleId: string;

async function startSession(scenario = 'atelier-3-consentement'): Promise<{ id: string; code: string }> {
  const res = await trainer.agent.post('/formation').type('form').send({ _csrf: trainer.csrf, scenario, cercle: circleId });
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  const id = /\/formation\/([0-9a-f-]{36})$/.exec(res.headers.location!)![1]!;
  const row = await database.db.selectFrom('meetings').select('join_code').where('id', '=', id).executeTakeFirstOrThrow();
  return { id, code: row.join_code };
}

/** A trainee joins on their phone through the ordinary /rejoindre flow and lands on the training view. */
async function trainee(code: string, name: string): Promise<Session & { personId: string }> {
  const agent = request.agent(app);
  const form = await agent.get(`/rejoindre/${code}`).expect(200);
  const joined = await agent
    .post('/rejoindre')
    .type('form')
    .send({ _csrf: csrfOf(form.text), code, displayName: name });
  expect(joined.status).toBe(303);
  const seance = await agent.get(joined.headers.location!);
  expect(seance.status).toBe(303);
  expect(seance.headers.location).toMatch(/^\/formation\/[0-9a-f-]{36}$/);
  const page = await agent.get(seance.headers.location!).expect(200);
  const person = await database.db.selectFrom('persons').select('id').where('display_name', '=', name).executeTakeFirstOrThrow();
  return { agent, csrf: csrfOf(page.text), cookie: '', personId: person.id };
}

const post = (who: Session, path: string, fields: Record<string, string> = {}) =>
  who.agent
    .post(path)
    .type('form')
    .send({ _csrf: who.csrf, ...fields });

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

describe('starting a training session', () => {
  it('when a facilitator starts one from a scenario, then it is a séance flagged as training with the scenario’s personas', async () => {
    const page = await trainer.agent.get('/formation').expect(200);
    expect(readable(page.text)).toContain('Du consensus au consentement');
    const { id } = await startSession();
    const meeting = await database.db.selectFrom('meetings').select(['is_training', 'title']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(meeting.is_training).toBe(true);
    const personas = await database.db.selectFrom('training_personas').select(['persona_id', 'position', 'taken_by']).where('meeting_id', '=', id).execute();
    expect(personas).toHaveLength(8);
    expect(personas.every((p) => p.taken_by === null && p.position !== null)).toBe(true);
    // its proposal is a real one, in the training séance, proposed by the first persona (its own persons row)
    const proposals = await database.db.selectFrom('proposals').select(['meeting_id', 'stage', 'proposer_id']).execute();
    expect(proposals).toHaveLength(1);
    const dgs = await database.db
      .selectFrom('training_personas as tp')
      .innerJoin('persons as p', 'p.id', 'tp.person_id')
      .select(['tp.person_id', 'p.display_name'])
      .where('tp.meeting_id', '=', id)
      .where('tp.persona_id', '=', 'dgs')
      .executeTakeFirstOrThrow();
    expect(proposals[0]).toEqual({ meeting_id: id, stage: 'draft', proposer_id: dgs.person_id });
    expect(dgs.display_name).toBe('Nadia Benali');
  });

  it('when the scenario is unknown, then the form comes back with a French error and nothing is stored', async () => {
    const before = await fingerprint(database.db);
    const res = await post(trainer, '/formation', { scenario: 'inconnu', cercle: circleId });
    expect(res.status).toBe(400);
    expect(readable(res.text)).toContain('Choisissez un scénario dans la liste.');
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when a member asks for the trainer page, then it is refused', async () => {
    const member = await seedAccount(database.db, 'member');
    const s = await signIn(app, member.email);
    await s.agent.get('/formation').expect(403);
  });
});

describe('a session with trainees', () => {
  let id: string;
  let code: string;
  let alice: Session & { personId: string };
  let bob: Session & { personId: string };

  beforeAll(async () => {
    ({ id, code } = await startSession());
    alice = await trainee(code, 'Alice Stagiaire');
    bob = await trainee(code, 'Bob Stagiaire');
  });

  it('when a trainee joins by code, then the séance opens as the training view with the personas to take', async () => {
    const res = await alice.agent.get(`/seances/${id}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/formation/${id}`);
    const page = await alice.agent.get(`/formation/${id}`).expect(200);
    expect(readable(page.text)).toContain('Choisissez un persona à jouer');
    expect(page.text).toContain(`/formation/${id}/personas/drh/prendre`);
    expect(page.text).toContain(`sse-connect="/seances/${id}/flux"`);
    expect(page.text).toContain('hx-trigger="sse:changed"');
  });

  it('when two trainees want the same persona, then the second is told it is taken and keeps none', async () => {
    await post(alice, `/formation/${id}/personas/drh/prendre`).expect(303);
    const refused = await post(bob, `/formation/${id}/personas/drh/prendre`);
    expect(refused.status).toBe(422);
    expect(readable(refused.text)).toContain('Ce persona vient d’être pris par quelqu’un d’autre');
    const rows = await database.db
      .selectFrom('training_personas')
      .select(['persona_id', 'taken_by', 'position'])
      .where('meeting_id', '=', id)
      .where('taken_by', 'is not', null)
      .execute();
    expect(rows).toEqual([{ persona_id: 'drh', taken_by: alice.personId, position: null }]);
    await post(bob, `/formation/${id}/personas/elue/prendre`).expect(303);
  });

  it('when a trainee chooses a position, then it stays secret: others and the projector see only how many have chosen', async () => {
    await post(alice, `/formation/${id}/position`, { position: '5' }).expect(303);
    const own = readable((await alice.agent.get(`/formation/${id}`).expect(200)).text);
    expect(own).toContain('Votre position : 5. Objection');
    const projector = readable((await trainer.agent.get(`/formation/${id}/projection`).expect(200)).text);
    // 6 personas played by the app + Alice; Bob has not chosen
    expect(projector).toContain('Déjà 7 sur 8');
    expect(projector).not.toContain('Pas de consensus');
    const other = readable((await bob.agent.get(`/formation/${id}`).expect(200)).text);
    expect(other).not.toContain('class="gradient-table"');
    const console = readable((await trainer.agent.get(`/formation/${id}`).expect(200)).text);
    expect(/id="persona-drh">\s*<p>[^]*?<\/p>/.exec(console)![0]).toContain('a choisi');
    expect(console).not.toContain('class="gradient-table"');
  });

  it('when a trainee sends a position outside the gradient, then a French error comes back and nothing changes', async () => {
    const before = await fingerprint(database.db);
    const res = await post(bob, `/formation/${id}/position`, { position: '9' });
    expect(res.status).toBe(400);
    expect(readable(res.text)).toContain('choisissez une position de 1 à 5');
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when a trainee tries to reveal, then it is refused and nothing changes', async () => {
    const before = await fingerprint(database.db);
    await post(alice, `/formation/${id}/reveler`).expect(403);
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when the trainer reveals, then the three rules are shown side by side with exact majority numbers and Bob abstaining', async () => {
    await post(trainer, `/formation/${id}/reveler`).expect(303);
    const page = readable((await bob.agent.get(`/formation/${id}`).expect(200)).text);
    // scripted: dgs 1, habitant 2, agente 2, chef 3, juriste 4, associative 3; Alice (drh) 5; Bob (elue) abstains
    expect(page).toContain('Pas de consensus.');
    expect(page).toContain('Rejetée par 4 voix contre 3.');
    expect(page).toContain('S’abstiennent (1) : Claire Morel');
    expect(page).toContain('Pas encore : 1 objection à intégrer');
    expect(page).toContain('Préoccupations consignées avec la décision : Isabelle Roche');
    expect(page).toMatch(/<svg class="gradient"[^>]*role="img"/);
    expect(page).toContain('<title id="gradient-title">');
    expect(page).toContain('<caption>');
  });

  it('when the trainer moves a persona, then the comparison changes for everyone', async () => {
    await post(trainer, `/formation/${id}/personas/drh/position`, { position: '2' }).expect(303);
    await post(trainer, `/formation/${id}/personas/juriste/position`, { position: '2' }).expect(303);
    await post(trainer, `/formation/${id}/personas/chef-service/position`, { position: '2' }).expect(303);
    await post(trainer, `/formation/${id}/personas/associative/position`, { position: '1' }).expect(303);
    const fragment = readable((await alice.agent.get(`/formation/${id}`).set('HX-Target', 'training').expect(200)).text);
    expect(fragment.trim().startsWith('<div id="training"')).toBe(true);
    expect(fragment).toContain('Consensus atteint : tout le monde dit oui.');
    expect(fragment).toContain('Adoptée : personne ne dit non.');
    expect(fragment).toContain('Adoptée par 7 voix contre 0.');
  });

  it('when the trainer takes a persona back, then the trainee plays none and may pick another', async () => {
    await post(trainer, `/formation/${id}/personas/drh/reprendre`).expect(303);
    const row = await database.db
      .selectFrom('training_personas')
      .select('taken_by')
      .where('meeting_id', '=', id)
      .where('persona_id', '=', 'drh')
      .executeTakeFirstOrThrow();
    expect(row.taken_by).toBeNull();
    const refused = await post(alice, `/formation/${id}/position`, { position: '1' });
    expect(refused.status).toBe(422);
    expect(readable(refused.text)).toContain('Choisissez d’abord un persona à jouer');
  });

  it('when participants spread their dots, then the bars order the agenda and a third dot is refused', async () => {
    await post(alice, `/formation/${id}/voix`, { projet: 'plan-climat', sens: 'ajouter' }).expect(303);
    await post(alice, `/formation/${id}/voix`, { projet: 'dechets-usagers', sens: 'ajouter' }).expect(303);
    const third = await post(alice, `/formation/${id}/voix`, { projet: 'dechets-usagers', sens: 'ajouter' });
    expect(third.status).toBe(422);
    expect(readable(third.text)).toContain('Vous avez posé toutes vos voix');
    await post(bob, `/formation/${id}/voix`, { projet: 'dechets-usagers', sens: 'ajouter' }).expect(303);
    await post(bob, `/formation/${id}/voix`, { projet: 'dechets-usagers', sens: 'ajouter' }).expect(303);
    await post(bob, `/formation/${id}/voix`, { projet: 'dechets-usagers', sens: 'retirer' }).expect(303);
    await post(bob, `/formation/${id}/voix`, { projet: 'eau-besoins-agents', sens: 'ajouter' }).expect(303);
    const projector = (await trainer.agent.get(`/formation/${id}/projection`).expect(200)).text;
    const order = [...projector.matchAll(/data-project="([a-z0-9-]+)" data-dots="(\d+)"/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(order.slice(0, 3)).toEqual(['dechets-usagers:2', 'eau-besoins-agents:1', 'plan-climat:1']);
  });

  it('when the trainer resets, then positions are scripted again, trainees choose again, nothing is revealed and no dot is left', async () => {
    await post(trainer, `/formation/${id}/reinitialiser`).expect(303);
    const session = await database.db.selectFrom('training_sessions').select('phase').where('meeting_id', '=', id).executeTakeFirstOrThrow();
    expect(session.phase).toBe('secret');
    const rows = await database.db.selectFrom('training_personas').select(['persona_id', 'position', 'taken_by']).where('meeting_id', '=', id).execute();
    const by = Object.fromEntries(rows.map((r) => [r.persona_id, r]));
    expect(by.drh!.position).toBe(5);
    expect(by.juriste!.position).toBe(4);
    expect(by.elue).toMatchObject({ taken_by: bob.personId, position: null });
    expect((await database.db.selectFrom('training_votes').select('dots').where('meeting_id', '=', id).execute()).length).toBe(0);
  });

  it('when a trainee chooses to observe (bocal), then they see the session but may neither play nor vote', async () => {
    const carol = await trainee(code, 'Carole Observatrice');
    await post(carol, `/formation/${id}/observer`).expect(303);
    const page = readable((await carol.agent.get(`/formation/${id}`).expect(200)).text);
    expect(page).toContain('Vous suivez la session en observation');
    expect(page).not.toContain('Poser une voix');
    const before = await fingerprint(database.db);
    await post(carol, `/formation/${id}/voix`, { projet: 'plan-climat', sens: 'ajouter' }).expect(403);
    await post(carol, `/formation/${id}/personas/dgs/prendre`).expect(403);
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when an observer account follows the session, then it reads the debrief but changes nothing', async () => {
    const observer = await seedAccount(database.db, 'observer');
    const s = await signIn(app, observer.email);
    await s.agent.get(`/formation/${id}/bilan`).expect(200);
    const before = await fingerprint(database.db);
    await post(s, `/formation/${id}/position`, { position: '1' }).expect(403);
    await post(s, `/formation/${id}/reinitialiser`).expect(403);
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when a guest of another session asks for this one, then it does not exist for them', async () => {
    const other = await startSession('plan-climat');
    const stranger = await trainee(other.code, 'Dan Ailleurs');
    await stranger.agent.get(`/formation/${id}`).expect(404);
    const before = await fingerprint(database.db);
    await post(stranger, `/formation/${id}/personas/dgs/prendre`).expect(404);
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when the debrief is printed after a reveal, then it lists the objection, its test and the amendment that integrates it', async () => {
    await post(trainer, `/formation/${id}/reveler`).expect(303);
    const page = readable((await trainer.agent.get(`/formation/${id}/bilan`).expect(200)).text);
    expect(page).toContain('Bilan de la session');
    expect(page).toContain('Les objections et leur intégration');
    expect(page).toContain('chaque membre du comité suit une demi-journée de formation');
    expect(page).toContain('Pas de consensus.');
  });
});

describe('a tie under majority', () => {
  it('when the votes cast are tied, then the panel says « Égalité » and lists those for and against, naming no winner, in French and in English', async () => {
    // Atelier 3 as scripted: dgs 1, elue 2, agente 2, habitant 2 for; chef 3, juriste 4, drh 5, associative 3 against
    const { id } = await startSession();
    await post(trainer, `/formation/${id}/reveler`).expect(303);
    const majority = (html: string) => readable(/<section class="rule-panel rule-majority[^]*?<\/section>/.exec(html)![0]).replace(/<[^>]+>/g, ' ');
    const fr = majority((await trainer.agent.get(`/formation/${id}`).expect(200)).text);
    expect(fr).toContain('Égalité : 4 voix pour, 4 contre. La proposition n’est pas adoptée');
    expect(fr).toContain('Ni gagnants ni perdants : le vote ne tranche pas.');
    expect(fr).toContain('Pour (4) : Nadia Benali, Claire Morel, Sophie Lambert, Karim Haddad');
    expect(fr).toMatch(/Contre \(4\) : [^]*Thomas Girard/);
    expect(fr).not.toMatch(/Gagnent|Perdent/);
    const en = majority((await trainer.agent.get(`/formation/${id}`).set('Accept-Language', 'en').expect(200)).text);
    expect(en).toContain('Tie: 4 for, 4 against. The proposal is not adopted');
    expect(en).toContain('For (4):');
    expect(en).not.toMatch(/Win \(|Lose \(/);
  });
});

describe('live signals', () => {
  it('when a command is accepted, then one meeting-changed signal follows the commit; a refused one sends none', async () => {
    const { TrainingService } = await import('../../src/training/training.service.ts');
    const { LocalPublisher } = await import('../../src/realtime/signals.ts');
    const publisher = new LocalPublisher();
    const seen: { name: string; meetingId: string; phase: string | undefined }[] = [];
    const { ProposalService } = await import('../../src/proposals/proposal.service.ts');
    const service = new TrainingService({ db: database.db, proposals: new ProposalService({ db: database.db }), publisher });
    const fac = await seedAccount(database.db, 'facilitator');
    const id = await service.start(fac.actor, { scenarioId: 'eau-groupe-citoyen', circleId });
    // the listener reads the database: the change is already committed when the signal arrives
    publisher.subscribe((signal) => {
      if (signal.name !== 'meeting-changed') return;
      void database.db
        .selectFrom('training_sessions')
        .select('phase')
        .where('meeting_id', '=', signal.meetingId)
        .executeTakeFirst()
        .then((r) => seen.push({ ...signal, phase: r?.phase }));
    });
    await service.handle(fac.actor, id, { type: 'reveal' });
    await expect(service.handle(fac.actor, id, { type: 'reveal' })).rejects.toThrow('already_revealed');
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]).toEqual({ name: 'meeting-changed', meetingId: id, phase: 'revealed' });
  });
});
