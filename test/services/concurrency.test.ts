import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { fold, isDomainError, type Event, type Proposal } from '../../src/consent/index.ts';
import { loadStream } from '../../src/proposals/events.repository.ts';
import { loadHead } from '../../src/proposals/proposals.repository.ts';
import { verifyLog } from '../../src/ledger/verify.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { createTestDatabase, serverUrl, type TestDatabase } from '../helpers/database.ts';
import { createPeople } from '../helpers/people.ts';
import { commandsAt } from '../consent/fixtures.ts';

// On PostgreSQL (CI) these commands really race on separate connections; on the embedded
// database they are serialised by its single connection, and the same invariants must hold.
let database: TestDatabase;
let service: ProposalService;
let facilitator: string;
let proposer: string;
let participants: string[];

let clock = Date.parse('2026-11-25T11:00:00.000Z');
const cmd = commandsAt(() => new Date((clock += 1)).toISOString());

beforeAll(async () => {
  database = await createTestDatabase();
  service = new ProposalService({ db: database.db, maxAttempts: 500 });
  const names: Record<string, string> = { facilitator: 'Facilitation', proposer: 'Porteuse' };
  for (let i = 0; i < 50; i++) names[`p${i}`] = `Participant·e ${i}`;
  const ids = await createPeople(database, names);
  facilitator = ids.facilitator!;
  proposer = ids.proposer!;
  participants = Array.from({ length: 50 }, (_, i) => ids[`p${i}`]!);
});
afterAll(async () => {
  await database.dispose();
});

async function newProposalInReactionRound(): Promise<string> {
  const id = randomUUID();
  await service.execute(
    id,
    cmd('CreateProposal', proposer, {
      proposalId: id,
      proposerId: proposer,
      facilitatorId: facilitator,
      secretaryId: null,
      title: 'Course',
      tension: 'T',
      text: 'Texte',
      criteria: '',
      reviewDate: null,
      validitySet: 's3',
    }),
  );
  await service.execute(id, cmd('Present', facilitator, {}));
  await service.execute(id, cmd('StartClarificationRound', facilitator, { participants: [participants[0]!] }));
  await service.execute(id, cmd('Pass', participants[0]!, {}));
  await service.execute(id, cmd('StartReactionRound', facilitator, { participants }));
  return id;
}

async function assertLogMatchesState(id: string): Promise<{ events: Event[]; state: Proposal }> {
  const entries = await loadStream(database.db, id);
  expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
  const events = entries.map((e) => e.data as unknown as Event);
  const state = fold(events) as Proposal;
  const stored = (await loadHead(database.db, id))!;
  expect(stored.state).toEqual(JSON.parse(JSON.stringify(state)));
  expect(stored.lastSeq).toBe(entries.length);
  expect(stored.lastHash).toBe(entries.at(-1)!.hash);
  expect((await verifyLog(database.db, [id])).breaks).toEqual([]);
  return { events, state };
}

describe(`50 concurrent commands on one proposal (${serverUrl ? 'PostgreSQL server' : 'embedded database'})`, () => {
  it('when 50 participants all try to speak at once and retry until it is their turn, then each is recorded exactly once, in the round order, with no gap', async () => {
    const id = await newProposalInReactionRound();
    const accepted: string[] = [];
    // Each participant keeps trying, like a person tapping again after "ce n'est pas votre tour".
    await Promise.all(
      participants.map(async (person) => {
        for (;;) {
          try {
            await service.execute(id, cmd('React', person, { reactionId: `r-${person}`, text: `Réaction de ${person}` }));
            accepted.push(person);
            return;
          } catch (error) {
            if (!isDomainError(error) || error.code !== 'NOT_YOUR_TURN') throw error;
            await new Promise((r) => setTimeout(r, 2));
          }
        }
      }),
    );
    expect(accepted).toEqual(participants);
    const { events, state } = await assertLogMatchesState(id);
    const reactions = events.filter((e) => e.type === 'ReactionGiven');
    expect(reactions.map((e) => e.actorId)).toEqual(participants);
    expect(state.reactions.map((r) => r.authorId)).toEqual(participants);
    const rows = await database.db
      .selectFrom('contributions')
      .select(['person_id', 'event_seq'])
      .where('proposal_id', '=', id)
      .where('kind', '=', 'reaction')
      .orderBy('event_seq')
      .execute();
    expect(rows.map((r) => r.person_id)).toEqual(participants);
  });

  it('when the facilitator sends the same stage change 50 times at once, then exactly one is accepted and 49 are refused', async () => {
    const id = await newProposalInReactionRound();
    for (const person of participants) await service.execute(id, cmd('Pass', person, {}));
    const before = (await loadStream(database.db, id)).length;
    const results = await Promise.allSettled(participants.map(() => service.execute(id, cmd('StartAmendment', facilitator, {}))));
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(fulfilled).toHaveLength(1);
    expect(refused).toHaveLength(49);
    expect(refused.every((e) => isDomainError(e) && e.code === 'WRONG_STAGE')).toBe(true);
    const { events, state } = await assertLogMatchesState(id);
    expect(events).toHaveLength(before + 1);
    expect(events.filter((e) => e.type === 'AmendmentStarted')).toHaveLength(1);
    expect(state.stage).toBe('amendment');
  });

  it('when 50 different proposals are created at once with the same id, then one exists and the others are refused', async () => {
    const id = randomUUID();
    const results = await Promise.allSettled(
      participants.map((person) =>
        service.execute(
          id,
          cmd('CreateProposal', person, {
            proposalId: id,
            proposerId: person,
            facilitatorId: facilitator,
            secretaryId: null,
            title: `Par ${person}`,
            tension: 'T',
            text: 'Texte',
            criteria: '',
            reviewDate: null,
            validitySet: 's3',
          }),
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const reasons = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(reasons.every((e) => isDomainError(e) && e.code === 'ALREADY_EXISTS')).toBe(true);
    const { events } = await assertLogMatchesState(id);
    expect(events).toHaveLength(1);
  });
});
