/**
 * A small register history for the demo installation (never in production, see demo.ts): five
 * séances of the « Direction générale » over the past year, each opened, held and closed through
 * the séance lifecycle, every step of every decision a command of the consent method through the
 * proposal service, so an élue who signs in on a fresh clone reads a real register: objections
 * integrated, withdrawn and deferred, questions, reactions, a concern, a review date, a published
 * decision, a postponed one.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Command, CommandOf, CommandType } from '../consent/index.ts';
import type { Actor } from './policy.ts';
import { createMeeting } from '../meetings/meeting.service.ts';
import { SeanceService } from '../meetings/seance.service.ts';
import { ProposalService } from '../proposals/proposal.service.ts';
import { insertPerson } from './accounts.repository.ts';

export interface DemoCast {
  /** the facilitator account: runs the séances */
  facilitator: Actor & { kind: 'account' };
  /** the member and the admin: propose, ask, react, object */
  member: string;
  admin: string;
  circleId: string;
}

type Fields<K extends CommandType> = Omit<CommandOf<K>, 'type' | 'at' | 'actorId'>;
const DAY = 86_400_000;
const isoDay = (at: Date) => at.toISOString().slice(0, 10);

/** Writes the history; `now` dates it (the last séance a month ago). */
export async function seedDemoHistory(db: Kysely<DB>, cast: DemoCast, now: Date = new Date()): Promise<string[]> {
  const proposals = new ProposalService({ db });
  const farid = cast.facilitator.personId;
  const { member: maelle, admin: alix } = cast;
  const decided: string[] = [];

  /** One séance, `daysAgo` days ago at 14 h, held by Farid; `agenda` runs its commands with a clock one minute a step. */
  async function seance(daysAgo: number, title: string, agenda: (item: (title: string) => Item) => Promise<void>): Promise<void> {
    const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 13) - daysAgo * DAY);
    let clock = start.getTime();
    const tick = () => new Date((clock += 60_000));
    const created = await createMeeting(db, cast.facilitator, { circleId: cast.circleId, title, scheduledFor: start });
    if (!created.ok) throw new Error(`demo: séance refused (${created.key})`);
    const lifecycle = new SeanceService({ db, now: () => new Date(clock) });
    await lifecycle.open(cast.facilitator, created.id, 'Salle du conseil');
    await agenda((itemTitle) => item(created.id, itemTitle, tick));
    tick();
    await lifecycle.close(cast.facilitator, created.id);
  }

  interface Item {
    id: string;
    run<K extends CommandType>(type: K, actorId: string, fields: Fields<K>): Promise<void>;
  }
  function item(meetingId: string, _title: string, tick: () => Date): Item {
    const id = randomUUID();
    return {
      id,
      async run(type, actorId, fields) {
        const command = { type, actorId, at: tick().toISOString(), ...fields } as unknown as Command;
        await proposals.execute(id, command, { meetingId });
      },
    };
  }
  const create = (p: Item, proposer: string, f: Pick<Fields<'CreateProposal'>, 'title' | 'tension' | 'text' | 'criteria'> & { reviewDate?: string }) =>
    p.run('CreateProposal', proposer, {
      proposalId: p.id,
      proposerId: proposer,
      facilitatorId: farid,
      secretaryId: null,
      reviewDate: f.reviewDate ?? null,
      validitySet: 'importante_argumentee',
      title: f.title,
      tension: f.tension,
      text: f.text,
      criteria: f.criteria,
    });
  // a member of the circle without an account, present at every séance
  const aline = await insertPerson(db, 'Aline Depernet');
  const withAline = (other: string) => [other, aline];
  const all = (other: string, proposer: string) => [other, aline, proposer];

  // 1. Water management: an objection tested, integrated by a second version; a review date; published.
  await seance(330, 'Comité de direction du printemps', async (next) => {
    const p = next('Gestion de l’eau des espaces verts');
    await create(p, maelle, {
      title: 'Gestion de l’eau des espaces verts',
      tension: 'Les arrêtés sécheresse se succèdent et l’arrosage des espaces verts représente un tiers de la consommation d’eau de la commune.',
      text: 'Arroser les massifs et pelouses uniquement entre 20 h et 8 h, remplacer les massifs les plus gourmands par des plantes vivaces adaptées et installer trois cuves de récupération d’eau de pluie.',
      criteria: 'Consommation d’eau des espaces verts relevée chaque trimestre, comparée à l’année précédente.',
      reviewDate: isoDay(new Date(now.getTime() + 200 * DAY)),
    });
    await p.run('Present', farid, {});
    await p.run('StartClarificationRound', farid, { participants: withAline(alix) });
    await p.run('AskQuestion', alix, { questionId: 'q1', text: 'Les jardins partagés sont-ils concernés par les horaires d’arrosage\u00a0?' });
    await p.run('AnswerQuestion', maelle, { questionId: 'q1', answer: 'Oui, comme tous les espaces arrosés par le réseau communal.' });
    await p.run('Pass', aline, {});
    await p.run('StartReactionRound', farid, { participants: withAline(alix) });
    await p.run('React', alix, { reactionId: 'r1', text: 'Les cuves sont une bonne idée, à condition de prévoir leur entretien.' });
    await p.run('Pass', aline, {});
    await p.run('StartAmendment', farid, {});
    await p.run('KeepProposal', maelle, {});
    await p.run('StartObjectionRound', farid, { participants: all(alix, maelle) });
    await p.run('RaiseObjection', alix, {
      objectionId: 'o1',
      reasoning: 'Arroser la nuit seulement empêche les bénévoles des jardins partagés, qui viennent en fin d’après-midi, d’arroser leurs parcelles.',
    });
    await p.run('DeclareNoObjection', aline, {});
    await p.run('DeclareNoObjection', maelle, {});
    await p.run('TestObjection', farid, { objectionId: 'o1', answers: { importante: true, argumentee: true } });
    await p.run('AmendProposal', maelle, {
      text: 'Arroser les massifs et pelouses uniquement entre 20 h et 8 h, sauf les jardins partagés, arrosés à la cuve de récupération de 17 h à 20 h\u00a0; remplacer les massifs les plus gourmands par des plantes vivaces adaptées et installer trois cuves de récupération d’eau de pluie, dont une aux jardins partagés.',
      changeNote: 'Les jardins partagés gardent un créneau en fin de journée, à l’eau de pluie.',
      motivatedBy: [{ kind: 'objection', id: 'o1' }],
    });
    await p.run('ConfirmObjectionLifted', alix, { objectionId: 'o1' });
    await p.run('ConfirmTensionAnswered', maelle, { objectionId: 'o1' });
    await p.run('StartObjectionRound', farid, { participants: all(alix, maelle) });
    for (const who of all(alix, maelle)) await p.run('DeclareNoObjection', who, {});
    await p.run('PublishDecision', farid, {});
    decided.push(p.id);
  });

  // 2. The diversification master plan: an objection deferred to a follow-up date.
  await seance(250, 'Comité de direction de l’été', async (next) => {
    const p = next('Schéma directeur de diversification');
    await create(p, alix, {
      title: 'Schéma directeur de diversification des activités',
      tension: 'La station dépend d’une seule activité, de plus en plus fragile avec le manque de neige.',
      text: 'Adopter le schéma directeur de diversification\u00a0: sentiers de randonnée balisés, vélo à assistance électrique et un programme d’animations d’avril à novembre, évalués chaque année.',
      criteria: 'Fréquentation hors saison d’hiver et recettes des nouvelles activités.',
    });
    await p.run('Present', farid, {});
    await p.run('StartClarificationRound', farid, { participants: withAline(maelle) });
    await p.run('AskQuestion', maelle, { questionId: 'q1', text: 'Qui porte les animations\u00a0: la commune ou l’office de tourisme\u00a0?' });
    await p.run('AnswerQuestion', alix, { questionId: 'q1', answer: 'L’office de tourisme, avec une convention d’objectifs.' });
    await p.run('Pass', aline, {});
    await p.run('StartReactionRound', farid, { participants: withAline(maelle) });
    await p.run('React', maelle, { reactionId: 'r1', text: 'Enfin une réponse au manque de neige, je suis enthousiaste.' });
    await p.run('Pass', aline, {});
    await p.run('StartAmendment', farid, {});
    await p.run('KeepProposal', alix, {});
    await p.run('StartObjectionRound', farid, { participants: all(maelle, alix) });
    await p.run('RaiseObjection', maelle, {
      objectionId: 'o1',
      reasoning: 'Le schéma ne chiffre pas l’entretien des sentiers\u00a0: adopté tel quel, il engage des dépenses que le budget annexe ne peut pas absorber.',
    });
    await p.run('DeclareNoObjection', aline, {});
    await p.run('DeclareNoObjection', alix, {});
    await p.run('TestObjection', farid, { objectionId: 'o1', answers: { importante: true, argumentee: true } });
    await p.run('DeferObjection', farid, { objectionId: 'o1', followUpDate: isoDay(new Date(now.getTime() - 60 * DAY)) });
    decided.push(p.id);
  });

  // 3. The climate plan: a question, reactions and a concern; adopted without objection.
  await seance(160, 'Comité de direction de l’automne', async (next) => {
    const p = next('Plan climat');
    await create(p, maelle, {
      title: 'Plan climat\u00a0: extinction de l’éclairage public la nuit',
      tension: 'L’éclairage public est le premier poste de consommation électrique de la commune et trouble la faune nocturne.',
      text: 'Éteindre l’éclairage public de 23 h à 5 h, sauf aux carrefours dangereux et devant la gare, à partir du 1er janvier.',
      criteria: 'Consommation électrique de l’éclairage public et signalements des habitants.',
    });
    await p.run('Present', farid, {});
    await p.run('StartClarificationRound', farid, { participants: withAline(alix) });
    await p.run('AskQuestion', alix, { questionId: 'q1', text: 'Qui décide de la liste des carrefours dangereux\u00a0?' });
    await p.run('AnswerQuestion', maelle, { questionId: 'q1', answer: 'La police municipale, avec les services techniques.' });
    await p.run('Pass', aline, {});
    await p.run('StartReactionRound', farid, { participants: withAline(alix) });
    await p.run('React', alix, { reactionId: 'r1', text: 'Une économie utile, et les habitants la demandaient.' });
    await p.run('React', aline, { reactionId: 'r2', text: 'Pensez à prévenir les habitants par le bulletin municipal.' });
    await p.run('StartAmendment', farid, {});
    await p.run('KeepProposal', maelle, {});
    await p.run('StartObjectionRound', farid, { participants: all(alix, maelle) });
    await p.run('DeclareNoObjection', alix, {});
    await p.run('RecordConcern', aline, {
      concernId: 'c1',
      text: 'Ma préoccupation porte sur le sentiment d’insécurité des personnes qui rentrent tard à pied.',
    });
    await p.run('DeclareNoObjection', maelle, {});
    decided.push(p.id);
  });

  // 4. Waste-management steering: an objection withdrawn by its author; then an item postponed.
  await seance(30, 'Comité de direction de l’hiver', async (next) => {
    const p = next('Pilotage de la collecte des déchets');
    await create(p, alix, {
      title: 'Comité de pilotage de la collecte des déchets',
      tension: 'Les habitants ne sont pas associés aux choix de collecte et les réclamations augmentent.',
      text: 'Ouvrir le comité de pilotage de la collecte des déchets à trois habitants tirés au sort, renouvelés chaque année.',
      criteria: 'Présence des habitants aux séances et nombre de réclamations.',
    });
    await p.run('Present', farid, {});
    await p.run('StartClarificationRound', farid, { participants: withAline(maelle) });
    await p.run('Pass', maelle, {});
    await p.run('Pass', aline, {});
    await p.run('StartReactionRound', farid, { participants: withAline(maelle) });
    await p.run('React', maelle, { reactionId: 'r1', text: 'Tirer au sort est juste, mais il faudra former les habitants.' });
    await p.run('Pass', aline, {});
    await p.run('StartAmendment', farid, {});
    await p.run('KeepProposal', alix, {});
    await p.run('StartObjectionRound', farid, { participants: all(maelle, alix) });
    await p.run('RaiseObjection', maelle, {
      objectionId: 'o1',
      reasoning: 'Sans formation, les habitants tirés au sort ne pourront pas suivre les débats techniques.',
    });
    await p.run('DeclareNoObjection', aline, {});
    await p.run('DeclareNoObjection', alix, {});
    await p.run('TestObjection', farid, { objectionId: 'o1', answers: { importante: true, argumentee: true } });
    // the answer given in the séance (a half-day of training is already budgeted) convinced its author
    await p.run('WithdrawObjection', maelle, { objectionId: 'o1' });
    decided.push(p.id);

    const q = next('Médiathèque le dimanche');
    await create(q, maelle, {
      title: 'Ouverture de la médiathèque le dimanche',
      tension: 'Les familles qui travaillent en semaine ne peuvent pas venir à la médiathèque.',
      text: 'Ouvrir la médiathèque le dimanche de 10 h à 13 h, avec deux agents volontaires.',
      criteria: 'Fréquentation du dimanche.',
    });
    await q.run('Present', farid, {});
    await q.run('StartClarificationRound', farid, { participants: withAline(alix) });
    await q.run('AskQuestion', alix, { questionId: 'q1', text: 'Les agents volontaires sont-ils déjà connus\u00a0?' });
    await q.run('DeclineQuestion', maelle, { questionId: 'q1', reason: 'Le service doit d’abord consulter les équipes.' });
    await q.run('Pass', aline, {});
    await q.run('PostponeProposal', farid, { reason: 'En attente de la consultation des équipes de la médiathèque.' });
    decided.push(q.id);
  });
  return decided;
}
