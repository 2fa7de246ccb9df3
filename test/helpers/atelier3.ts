/** The Atelier 3 proposal taken through the whole method by the real service: two objections, one integrated, one not valid. */
import type { Command } from '../../src/consent/index.ts';
import type { commandsAt } from '../consent/fixtures.ts';
import type { ProposalService } from '../../src/proposals/proposal.service.ts';

export type Atelier3People = Record<'proposer' | 'facilitator' | 'secretary' | 'alice' | 'bob' | 'carol', string>;

export const TEXT_V1 = "Passer d'une culture du consensus à une culture du consentement pour les décisions de l'équipe de direction.";
export const TEXT_V2 = `${TEXT_V1} Une évaluation est faite au bout de six mois.`;
export const TEXT_V3 = `${TEXT_V2} Les élus sont informés de chaque décision.`;

export async function playAtelier3(service: ProposalService, p: Atelier3People, proposalId: string, cmd: ReturnType<typeof commandsAt>): Promise<void> {
  const all = [p.alice, p.bob, p.carol, p.proposer];
  const run = (c: Command) => service.execute(proposalId, c);
  await run(
    cmd('CreateProposal', p.proposer, {
      proposalId,
      proposerId: p.proposer,
      facilitatorId: p.facilitator,
      secretaryId: p.secretary,
      title: 'Du consensus au consentement',
      tension: 'Les décisions traînent faute de consensus.',
      text: TEXT_V1,
      criteria: 'Délai moyen de décision',
      reviewDate: '2027-06-30',
      validitySet: 'importante_argumentee',
    }),
  );
  await run(cmd('Present', p.facilitator, {}));
  await run(cmd('StartClarificationRound', p.facilitator, { participants: all }));
  await run(cmd('AskQuestion', p.alice, { questionId: 'q1', text: 'Qui décide en cas de blocage ?' }));
  await run(cmd('AnswerQuestion', p.proposer, { questionId: 'q1', answer: 'Le groupe, par une nouvelle proposition.' }));
  await run(cmd('Pass', p.bob, {}));
  await run(cmd('Pass', p.facilitator, { onBehalfOf: p.carol }));
  await run(cmd('StartReactionRound', p.facilitator, { participants: all }));
  await run(cmd('React', p.alice, { reactionId: 'r1', text: 'Enthousiaste, mais il faudra se former.' }));
  await run(cmd('React', p.bob, { reactionId: 'r2', text: 'Je crains la lenteur.' }));
  await run(cmd('Pass', p.facilitator, { onBehalfOf: p.carol }));
  await run(cmd('StartAmendment', p.facilitator, {}));
  await run(cmd('AmendProposal', p.proposer, { text: TEXT_V2, changeNote: 'Évaluation à six mois', motivatedBy: [{ kind: 'reaction', id: 'r2' }] }));
  await run(cmd('StartObjectionRound', p.facilitator, { participants: all }));
  await run(cmd('RaiseObjection', p.alice, { objectionId: 'o1', reasoning: 'Les élus ne seront pas informés.' }));
  await run(cmd('RaiseObjection', p.bob, { objectionId: 'o2', reasoning: 'Je préfère le vote.' }));
  await run(cmd('RecordConcern', p.facilitator, { onBehalfOf: p.carol, concernId: 'c1', text: 'Le temps de formation.' }));
  await run(cmd('DeclareNoObjection', p.proposer, {}));
  await run(cmd('TestObjection', p.facilitator, { objectionId: 'o1', answers: { importante: true, argumentee: true }, ruling: 'valid' }));
  await run(cmd('TestObjection', p.facilitator, { objectionId: 'o2', answers: { importante: false, argumentee: false }, ruling: 'not_valid' }));
  await run(cmd('AmendProposal', p.proposer, { text: TEXT_V3, changeNote: 'Information des élus', motivatedBy: [{ kind: 'objection', id: 'o1' }] }));
  await run(cmd('ConfirmObjectionLifted', p.alice, { objectionId: 'o1' }));
  await run(cmd('ConfirmTensionAnswered', p.proposer, { objectionId: 'o1' }));
  await run(cmd('StartObjectionRound', p.facilitator, { participants: all }));
  for (const who of [p.alice, p.bob, p.carol, p.proposer]) await run(cmd('DeclareNoObjection', who, {}));
}
