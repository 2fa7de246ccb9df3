import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { DomainError, fold, isDomainError, type Event } from '../../src/consent/index.ts';
import { translateError, translator } from '../../src/i18n/index.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { LocalPublisher, type ProposalChanged, type Signal } from '../../src/realtime/signals.ts';
import { loadStream } from '../../src/proposals/events.repository.ts';
import { loadHead } from '../../src/proposals/proposals.repository.ts';
import { verifyLog } from '../../src/ledger/verify.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { createPeople } from '../helpers/people.ts';
import { playAtelier3, TEXT_V3 } from '../helpers/atelier3.ts';
import { commandsAt } from '../consent/fixtures.ts';

let database: TestDatabase;
let people: Record<'proposer' | 'facilitator' | 'secretary' | 'alice' | 'bob' | 'carol', string>;
const signals: Signal[] = [];
let service: ProposalService;

beforeAll(async () => {
  database = await createTestDatabase();
  people = await createPeople(database, {
    proposer: 'Marie Pradel',
    facilitator: 'Thierry Clément',
    secretary: 'Anne Jestin',
    alice: 'Aline Depernet',
    bob: 'Patrice Solier',
    carol: 'Laurent Badone',
  });
  const publisher = new LocalPublisher();
  publisher.subscribe((s) => signals.push(s));
  service = new ProposalService({ db: database.db, publisher });
});
afterAll(async () => {
  await database.dispose();
});

let clock = Date.parse('2026-11-25T09:00:00.000Z');
const now = () => new Date((clock += 1000)).toISOString();
const cmd = commandsAt(now);

const runAtelier3 = (proposalId: string) => playAtelier3(service, people, proposalId, cmd);

async function counts() {
  const tables = ['events', 'proposals', 'proposal_versions', 'rounds', 'contributions', 'objections'] as const;
  const out: Record<string, number> = {};
  for (const t of tables) {
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}`.execute(database.db);
    out[t] = r.rows[0]!.n;
  }
  return out;
}

describe('the proposal service on a real database', () => {
  const proposalId = randomUUID();

  it('when the Atelier 3 proposal goes through the whole method, then the read models hold every step and both objections with their outcome', async () => {
    await runAtelier3(proposalId);
    const proposal = await database.db.selectFrom('proposals').selectAll().where('id', '=', proposalId).executeTakeFirstOrThrow();
    expect(proposal.stage).toBe('adopted');
    expect(proposal.current_version).toBe(3);
    expect(proposal.closed_at).not.toBeNull();

    const versions = await database.db
      .selectFrom('proposal_versions')
      .select(['number', 'text', 'motivated_by'])
      .where('proposal_id', '=', proposalId)
      .orderBy('number')
      .execute();
    expect(versions.map((v) => v.number)).toEqual([1, 2, 3]);
    expect(versions[2]!.text).toBe(TEXT_V3);
    expect(versions[2]!.motivated_by).toEqual([{ kind: 'objection', id: 'o1' }]);

    const objections = await database.db.selectFrom('objections').selectAll().where('proposal_id', '=', proposalId).orderBy('id').execute();
    expect(objections.map((o) => [o.id, o.ruling, o.outcome, o.decided_by !== null, o.decided_at !== null])).toEqual([
      ['o1', 'valid', 'integrated', true, true],
      ['o2', 'not_valid', 'not_valid', true, true],
    ]);
    expect(objections[1]!.ruled_by).toBe(people.facilitator);

    const rounds = await database.db
      .selectFrom('rounds')
      .select(['kind', 'number', 'version_number', 'completed_at'])
      .where('proposal_id', '=', proposalId)
      .orderBy('started_at')
      .execute();
    expect(rounds.map((r) => `${r.kind}#${r.number}@v${r.version_number}`)).toEqual([
      'clarification#1@v1',
      'reaction#1@v1',
      'objection#1@v2',
      'objection#2@v3',
    ]);
    expect(rounds.every((r) => r.completed_at !== null)).toBe(true);

    const aliceSaid = await database.db
      .selectFrom('contributions')
      .select(['kind', 'round_kind', 'round_number'])
      .where('proposal_id', '=', proposalId)
      .where('person_id', '=', people.alice)
      .orderBy('event_seq')
      .execute();
    expect(aliceSaid.map((c) => `${c.kind}@${c.round_kind}#${c.round_number}`)).toEqual([
      'question@clarification#1',
      'reaction@reaction#1',
      'objection@objection#1',
      'no_objection@objection#2',
    ]);

    const onBehalf = await database.db
      .selectFrom('contributions')
      .select(['kind', 'person_id', 'recorded_by'])
      .where('proposal_id', '=', proposalId)
      .where('person_id', '=', people.carol)
      .orderBy('event_seq')
      .execute();
    expect(onBehalf.slice(0, 3)).toEqual([
      { kind: 'pass', person_id: people.carol, recorded_by: people.facilitator },
      { kind: 'pass', person_id: people.carol, recorded_by: people.facilitator },
      { kind: 'concern', person_id: people.carol, recorded_by: people.facilitator },
    ]);
  });

  it('when the log is folded, then it reproduces the state read back exactly, and the stored snapshot is the fold of the events up to its own', async () => {
    const entries = await loadStream(database.db, proposalId);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    const events = entries.map((e) => e.data as unknown as Event);
    const head = await loadHead(database.db, proposalId);
    expect(head!.state).toEqual(JSON.parse(JSON.stringify(fold(events))));
    const stored = await database.db.selectFrom('proposals').select(['state', 'state_seq']).where('id', '=', proposalId).executeTakeFirstOrThrow();
    expect(stored.state_seq).toBeLessThan(entries.length);
    expect(stored.state).toEqual(JSON.parse(JSON.stringify(fold(events.slice(0, stored.state_seq)))));
  });

  it('when commands commit, then a signal is published after each with the new sequence number', () => {
    const mine = signals.filter((s): s is ProposalChanged => s.name === 'proposal-changed' && s.proposalId === proposalId);
    expect(mine.length).toBeGreaterThan(20);
    expect(mine.map((s) => s.seq)).toEqual([...mine.map((s) => s.seq)].sort((a, b) => a - b));
    expect(mine.at(-1)!.stage).toBe('adopted');
  });

  it('when a command is refused by the method, then it throws a named French error and the database is unchanged', async () => {
    const other = randomUUID();
    await service.execute(
      other,
      cmd('CreateProposal', people.proposer, {
        proposalId: other,
        proposerId: people.proposer,
        facilitatorId: people.facilitator,
        secretaryId: null,
        title: 'T',
        tension: 'T',
        text: 'Texte',
        criteria: '',
        reviewDate: null,
        validitySet: 's3',
      }),
    );
    const before = await counts();
    const refusal = service.execute(other, cmd('RaiseObjection', people.alice, { objectionId: 'x', reasoning: 'trop tôt' }));
    await expect(refusal).rejects.toBeInstanceOf(DomainError);
    const error: unknown = await refusal.catch((e: unknown) => e);
    expect(isDomainError(error) && error.code).toBe('WRONG_STAGE');
    expect(isDomainError(error) && translateError(error, translator('fr'))).toContain('n’est pas le moment');
    await expect(service.execute(other, cmd('Present', people.alice, {}))).rejects.toMatchObject({ code: expect.stringMatching(/NOT_/) });
    expect(await counts()).toEqual(before);
  });

  it('when a command names a proposal that does not exist, then it is refused and nothing is stored', async () => {
    const before = await counts();
    await expect(service.execute(randomUUID(), cmd('Present', people.facilitator, {}))).rejects.toMatchObject({ code: 'NO_PROPOSAL' });
    expect(await counts()).toEqual(before);
  });

  it('when the same submission arrives twice (a double click), then one contribution is stored', async () => {
    const id = randomUUID();
    await service.execute(
      id,
      cmd('CreateProposal', people.proposer, {
        proposalId: id,
        proposerId: people.proposer,
        facilitatorId: people.facilitator,
        secretaryId: null,
        title: 'T',
        tension: 'T',
        text: 'Texte',
        criteria: '',
        reviewDate: null,
        validitySet: 's3',
      }),
    );
    await service.execute(id, cmd('Present', people.facilitator, {}));
    await service.execute(id, cmd('StartClarificationRound', people.facilitator, { participants: [people.alice, people.bob] }));
    const key = randomUUID();
    const ask = cmd('AskQuestion', people.alice, { questionId: key, text: 'Combien de temps ?' });
    const results = await Promise.all([service.execute(id, ask, { idempotencyKey: key }), service.execute(id, ask, { idempotencyKey: key })]);
    expect(results.map((r) => r.events.length).sort()).toEqual([0, 1]);
    await service.execute(id, ask, { idempotencyKey: key });
    const questions = await database.db.selectFrom('contributions').select('ref_id').where('proposal_id', '=', id).where('kind', '=', 'question').execute();
    expect(questions).toEqual([{ ref_id: key }]);
  });

  it('when someone tries to change or delete an event in SQL, then the database refuses', async () => {
    await expect(sql`update events set data = '{}'::jsonb where stream_id = ${proposalId}`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from events where stream_id = ${proposalId}`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate events`.execute(database.db)).rejects.toThrow(/append-only/);
    expect((await verifyLog(database.db)).breaks).toEqual([]);
  });
});
