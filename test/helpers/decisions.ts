/**
 * Brings proposals to a decision through the real proposal service (decide → append → project,
 * one transaction each), as a meeting would: the register is then read from what the consent
 * process really stored.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from '../../src/consent/index.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import type { Database } from '../../src/db/database.ts';
import { seedAccount, seedCircle, seedMeeting, type SeededAccount } from './auth.ts';
import { createPeople } from './people.ts';
import { commandsAt } from '../consent/fixtures.ts';

export interface DecisionScenario {
  title: string;
  text: string;
  tension?: string;
  criteria?: string;
  reviewDate?: string | null;
  /** 'ongoing' stops in the clarification round: not a decision yet. */
  outcome?: 'adopted' | 'withdrawn' | 'postponed' | 'ongoing';
  question?: string;
  answer?: string;
  reaction?: string;
  /** Alice objects; the objection is ruled valid and integrated by a second version. */
  objection?: string;
  /** The text of the version that integrates the objection. */
  amended?: string;
  /** Bob records a concern in the objection round. */
  concern?: string;
  /** When the proposal is created (ISO); each command takes one minute more. */
  at?: string;
  /** The decision this proposal revises (as « Réviser » in the register tables it). */
  revises?: string;
}

export interface DecisionMaker {
  people: { proposer: string; facilitator: string; alice: string; bob: string };
  names: { proposer: string; facilitator: string; alice: string; bob: string };
  admin: SeededAccount;
  circleId: string;
  meetingId: string;
  /** Runs the scenario to its outcome; returns the proposal id. */
  decide(scenario: DecisionScenario): Promise<string>;
}

let made = 0;

/** A circle, a meeting and four people; `circleName` names the circle. */
export async function decisionMaker(database: Database, options: { circleName?: string; admin?: SeededAccount } = {}): Promise<DecisionMaker> {
  const n = ++made;
  const names = { proposer: `Marie Pradel ${n}`, facilitator: `Thierry Clément ${n}`, alice: `Aline Depernet ${n}`, bob: `Patrice Solier ${n}` };
  const admin = options.admin ?? (await seedAccount(database.db, 'admin'));
  const facilitator = await seedAccount(database.db, 'facilitator', { name: names.facilitator });
  const circleId = await seedCircle(database.db, admin.actor, options.circleName);
  const meeting = await seedMeeting(database.db, facilitator.actor, circleId);
  const others = await createPeople(database, { proposer: names.proposer, alice: names.alice, bob: names.bob });
  const people = { ...others, facilitator: facilitator.personId };
  const service = new ProposalService({ db: database.db });

  async function decide(s: DecisionScenario): Promise<string> {
    const id = randomUUID();
    let clock = Date.parse(s.at ?? '2026-03-14T09:00:00.000Z');
    const cmd = commandsAt(() => new Date((clock += 60_000)).toISOString());
    const run = (c: Command) => service.execute(id, c, { meetingId: meeting.id });
    const p = people;
    await run(
      cmd('CreateProposal', p.proposer, {
        proposalId: id,
        proposerId: p.proposer,
        facilitatorId: p.facilitator,
        secretaryId: null,
        title: s.title,
        tension: s.tension ?? 'Une tension à résoudre.',
        text: s.text,
        criteria: s.criteria ?? '',
        reviewDate: s.reviewDate ?? null,
        validitySet: 'importante_argumentee',
        ...(s.revises ? { revises: s.revises } : {}),
      }),
    );
    await run(cmd('Present', p.facilitator, {}));
    await run(cmd('StartClarificationRound', p.facilitator, { participants: [p.alice, p.bob] }));
    if (s.outcome === 'ongoing') return id;
    if (s.question) {
      await run(cmd('AskQuestion', p.alice, { questionId: 'q1', text: s.question }));
      await run(cmd('AnswerQuestion', p.proposer, { questionId: 'q1', answer: s.answer ?? 'Une réponse.' }));
    } else {
      await run(cmd('Pass', p.alice, {}));
    }
    await run(cmd('Pass', p.facilitator, { onBehalfOf: p.bob }));
    if (s.outcome === 'withdrawn') {
      await run(cmd('WithdrawProposal', p.proposer, {}));
      return id;
    }
    if (s.outcome === 'postponed') {
      await run(cmd('PostponeProposal', p.facilitator, {}));
      return id;
    }
    await run(cmd('StartReactionRound', p.facilitator, { participants: [p.alice, p.bob] }));
    if (s.reaction) await run(cmd('React', p.alice, { reactionId: 'r1', text: s.reaction }));
    else await run(cmd('Pass', p.alice, {}));
    await run(cmd('Pass', p.bob, {}));
    await run(cmd('StartAmendment', p.facilitator, {}));
    await run(cmd('KeepProposal', p.proposer, {}));
    const all = [p.alice, p.bob, p.proposer];
    await run(cmd('StartObjectionRound', p.facilitator, { participants: all }));
    if (s.objection) await run(cmd('RaiseObjection', p.alice, { objectionId: 'o1', reasoning: s.objection }));
    else await run(cmd('DeclareNoObjection', p.alice, {}));
    if (s.concern) await run(cmd('RecordConcern', p.bob, { concernId: 'c1', text: s.concern }));
    else await run(cmd('DeclareNoObjection', p.bob, {}));
    await run(cmd('DeclareNoObjection', p.proposer, {}));
    if (s.objection) {
      await run(cmd('TestObjection', p.facilitator, { objectionId: 'o1', answers: { importante: true, argumentee: true }, ruling: 'valid' }));
      await run(
        cmd('AmendProposal', p.proposer, {
          text: s.amended ?? `${s.text} Version amendée.`,
          changeNote: 'Objection intégrée',
          motivatedBy: [{ kind: 'objection', id: 'o1' }],
        }),
      );
      await run(cmd('ConfirmObjectionLifted', p.alice, { objectionId: 'o1' }));
      await run(cmd('ConfirmTensionAnswered', p.proposer, { objectionId: 'o1' }));
      await run(cmd('StartObjectionRound', p.facilitator, { participants: all }));
      for (const who of all) await run(cmd('DeclareNoObjection', who, {}));
    }
    return id;
  }

  return { people, names, admin, circleId, meetingId: meeting.id, decide };
}
