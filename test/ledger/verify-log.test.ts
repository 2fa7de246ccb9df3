import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { canonicalJson, eventHash, GENESIS_HASH } from '../../src/ledger/hash.ts';
import { verifyLog } from '../../src/ledger/verify.ts';
import { verifyLogCommand } from '../../src/cli/verify-log.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { createPeople } from '../helpers/people.ts';
import { commandsAt } from '../consent/fixtures.ts';

const run = promisify(execFile);
let database: TestDatabase;
let people: Record<'proposer' | 'facilitator' | 'alice', string>;
const proposals = [randomUUID(), randomUUID()];

let clock = Date.parse('2026-11-25T10:00:00.000Z');
const cmd = commandsAt(() => new Date((clock += 1000)).toISOString());

beforeAll(async () => {
  database = await createTestDatabase();
  people = await createPeople(database, { proposer: 'Porteuse', facilitator: 'Facilitateur', alice: 'Alice' });
  const service = new ProposalService({ db: database.db });
  for (const id of proposals) {
    await service.execute(
      id,
      cmd('CreateProposal', people.proposer, {
        proposalId: id,
        proposerId: people.proposer,
        facilitatorId: people.facilitator,
        secretaryId: null,
        title: 'Titre',
        tension: 'Tension',
        text: 'Texte',
        criteria: 'Critères',
        reviewDate: null,
        validitySet: 'holacracy',
      }),
    );
    await service.execute(id, cmd('Present', people.facilitator, {}));
    await service.execute(id, cmd('StartClarificationRound', people.facilitator, { participants: [people.alice] }));
    await service.execute(id, cmd('AskQuestion', people.alice, { questionId: 'q1', text: 'Pourquoi ?' }));
    await service.execute(id, cmd('AnswerQuestion', people.proposer, { questionId: 'q1', answer: 'Parce que.' }));
  }
});
afterAll(async () => {
  await database.dispose();
});

/** The command run in-process on this file's database: its exit code and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await verifyLogCommand(args, { ...process.env, ...database.env }, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  return { code, out: lines.join('\n') };
}

describe('the hash chain', () => {
  it('when keys come back in another order, then the canonical JSON and the hash are the same', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'é' } })).toBe('{"a":{"c":"é","d":[1,{"y":2,"z":1}]},"b":1}');
    const entry = { streamId: 's', seq: 1, event: { type: 'X', at: 't' } };
    expect(eventHash(GENESIS_HASH, entry)).toBe(eventHash(GENESIS_HASH, { ...entry, event: { at: 't', type: 'X' } }));
    expect(eventHash(GENESIS_HASH, entry)).not.toBe(eventHash('1'.repeat(64), entry));
  });

  it('when nothing was altered, then verification counts every event and finds no break', async () => {
    const report = await verifyLog(database.db);
    expect(report).toMatchObject({ streams: 2, events: 10, breaks: [] });
  });

  it('when a row is altered directly in SQL with the guard disabled, then verification names that event', async () => {
    const victim = proposals[1]!;
    await sql`alter table events disable trigger events_append_only`.execute(database.db);
    await sql`update events set data = jsonb_set(data, '{text}', '"Texte réécrit après coup"') where stream_id = ${victim} and seq = 4`.execute(database.db);
    await sql`alter table events enable trigger events_append_only`.execute(database.db);
    const report = await verifyLog(database.db);
    expect(report.breaks).toEqual([{ streamId: victim, seq: 4, eventId: expect.any(Number), reason: 'hash_mismatch' }]);
  });

  it('when the command line verifies the altered log, then it prints the first broken event and exits non-zero', async () => {
    if (database.kind === 'pglite') await database.close(); // the embedded folder has one owner at a time
    const { code, out } = await cli();
    expect(code).toBe(1);
    expect(out).toContain(`proposition ${proposals[1]}, événement n° 4`);
    expect(out).not.toContain(`proposition ${proposals[0]}`);
  });
});

describe('npm run verify-log (a real process, as the npm script starts it)', () => {
  it('when every chain is intact, then it prints OK with the count and exits 0', async () => {
    const fresh = await createTestDatabase();
    try {
      const alice = (await createPeople(fresh, { a: 'A' })).a;
      const id = randomUUID();
      await new ProposalService({ db: fresh.db }).execute(
        id,
        cmd('CreateProposal', alice, {
          proposalId: id,
          proposerId: alice,
          facilitatorId: alice,
          secretaryId: null,
          title: 'T',
          tension: 'T',
          text: 'T',
          criteria: '',
          reviewDate: null,
          validitySet: 's3',
        }),
      );
      if (fresh.kind === 'pglite') await fresh.close();
      const { stdout } = await run('node_modules/.bin/tsx', ['src/cli/verify-log.ts'], { env: { ...process.env, ...fresh.env } });
      expect(stdout).toMatch(/^OK : 1 événement vérifié dans 1 proposition, chaînes intactes\./);
    } finally {
      await fresh.dispose();
    }
  }, 120_000);
});
