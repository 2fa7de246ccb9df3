import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ejs from 'ejs';
import { sql } from 'kysely';
import { commandsAt } from '../consent/fixtures.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { translator } from '../../src/i18n/index.ts';
import { canonicalJson, eventHash } from '../../src/ledger/hash.ts';
import { chainHead, HeadsFileError, parseHeads } from '../../src/ledger/head.ts';
import { verifyLog } from '../../src/ledger/verify.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { verifyLogCommand } from '../../src/cli/verify-log.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { createPeople } from '../helpers/people.ts';

// Item 10 of issue 8: a deleted last event, a truncated chain, a rewritten head must not go unnoticed.
let database: TestDatabase;
let db: Database['db'];
let reopened: Database | null = null;
const [A, B, C, D] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
const headsFile = path.join(os.tmpdir(), `so-heads-${randomUUID()}.txt`);

let clock = Date.parse('2026-11-25T10:00:00.000Z');
const cmd = commandsAt(() => new Date((clock += 1000)).toISOString());

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  const people = await createPeople(database, { proposer: 'Porteuse', facilitator: 'Facilitateur', alice: 'Alice' });
  const service = new ProposalService({ db });
  for (const id of [A, B, C, D]) {
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
}, 120_000);
afterAll(async () => {
  await reopened?.close();
  await database.dispose();
});

/** The command (in-process) needs the embedded folder to itself: close, run, reopen. */
async function cli(...args: string[]): Promise<{ code: number; out: string; stdout: string }> {
  if (database.kind === 'pglite') {
    await (reopened ?? database).close();
    reopened = null;
  }
  try {
    const out: string[] = [];
    const stdout: string[] = [];
    const print = (line: string) => void (out.push(line), stdout.push(line));
    const code = await verifyLogCommand(args, { ...process.env, ...database.env }, { out: print, err: (line) => void out.push(line) });
    return { code, out: out.join('\n'), stdout: stdout.map((line) => `${line}\n`).join('') };
  } finally {
    if (database.kind === 'pglite') {
      reopened = await openDatabase({ databaseUrl: null, pgliteDir: database.env.PGLITE_DIR! });
      db = reopened.db;
    }
  }
}

/** As an attacker with SQL access: the append-only guard switched off for one change. */
async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
  await sql`alter table events disable trigger events_append_only`.execute(db);
  await statement.execute(db);
  await sql`alter table events enable trigger events_append_only`.execute(db);
}

describe('the head of each chain', () => {
  it('when nothing was altered, then every head matches its proposal and the printed partial carries it', async () => {
    const report = await verifyLog(db);
    expect(report.breaks).toEqual([]);
    const head = await chainHead(db, A);
    expect(head).toEqual({ proposalId: A, events: 5, lastHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(report.heads).toContainEqual(head);
    expect(await chainHead(db, randomUUID())).toBeNull();
    const html = await ejs.renderFile('views/partials/chain_head.ejs', { t: translator('fr'), head });
    expect(html).toContain(`Chaîne\u00a0: 5 événements, dernière empreinte ${head!.lastHash}`);
    expect(html).toContain(`<code>${A} 5 ${head!.lastHash}</code>`);
  });

  it('when an auditor saves the heads, then --heads prints one line per proposal that --against reads back', async () => {
    const { code, stdout } = await cli('--heads');
    expect(code).toBe(0);
    const heads = parseHeads(stdout);
    expect(heads.map((h) => h.proposalId).sort()).toEqual([A, B, C, D].sort());
    expect(heads.every((h) => h.events === 5)).toBe(true);
    await writeFile(headsFile, stdout);
  });

  it('when a heads file has a bad line, then it is refused with its line number', () => {
    expect(() => parseHeads(`# relevé\n\n${A} 5 abc\n`)).toThrow(HeadsFileError);
    expect(() => parseHeads(`# relevé\n\n${A} 5 abc\n`)).toThrow(/ligne 3 : « abc » n’est pas une empreinte complète/);
    expect(parseHeads(`# relevé\n${A.toUpperCase()}  5  ${'A'.repeat(64)}\r\n`)).toEqual([{ proposalId: A, events: 5, lastHash: 'a'.repeat(64) }]);
  });

  it('when the last event of a proposal is deleted, then verification names the proposal and the missing event', async () => {
    // Failed before the fix: the four remaining events still chain, so nothing was reported.
    await tamper(sql`delete from events where stream_id = ${A} and seq = 5`);
    const report = await verifyLog(db);
    expect(report.breaks).toEqual([expect.objectContaining({ streamId: A, seq: 5, eventId: null, reason: 'head_truncated' })]);
  });

  it('when every event of a proposal is deleted, then verification still names it', async () => {
    await tamper(sql`delete from events where stream_id = ${D}`);
    const report = await verifyLog(db);
    expect(report.breaks).toContainEqual(expect.objectContaining({ streamId: D, seq: 1, reason: 'head_truncated' }));
  });

  it('when events and the recorded head are both rewritten, then only the saved heads tell, and --against names each one', async () => {
    // B: the last event deleted and the proposal's head moved back to match (a consistent truncation).
    await tamper(sql`delete from events where stream_id = ${B} and seq = 5`);
    await sql`update proposals set last_seq = 4, last_hash = (select hash from events where stream_id = ${B} and seq = 4) where id = ${B}`.execute(db);
    // C: the last event rewritten, its hash recomputed, the proposal's head updated.
    const row = (
      await sql<{ data: Record<string, unknown>; prev_hash: string }>`select data, prev_hash from events where stream_id = ${C} and seq = 5`.execute(db)
    ).rows[0]!;
    const data = { ...row.data, answer: 'Réponse réécrite.' };
    const hash = eventHash(row.prev_hash, { streamId: C, seq: 5, event: data });
    await tamper(sql`update events set data = ${canonicalJson(data)}::jsonb, hash = ${hash} where stream_id = ${C} and seq = 5`);
    await sql`update proposals set last_hash = ${hash} where id = ${C}`.execute(db);

    const alone = await verifyLog(db);
    expect(alone.breaks.map((b) => b.streamId).sort()).toEqual([A, D].sort());

    const { code, out } = await cli('--against', headsFile);
    expect(code).toBe(1);
    expect(out).toContain(
      `ALTÉRÉ : proposition ${A}, événement n° 5 : la proposition enregistre 5 événements mais le journal s’arrête à l’événement n° 4 : l’événement n° 5 a été supprimé.`,
    );
    expect(out).toContain(
      `ALTÉRÉ : proposition ${D}, événement n° 1 : la proposition enregistre 5 événements mais le journal n’en contient aucun : les événements n° 1 à 5 ont été supprimés.`,
    );
    expect(out).toContain(`NON CONFORME AU RELEVÉ : proposition ${A}, événement n° 5 : le relevé atteste 5 événements`);
    expect(out).toContain(`NON CONFORME AU RELEVÉ : proposition ${B}, événement n° 5 : le relevé atteste 5 événements`);
    expect(out).toMatch(
      new RegExp(
        `NON CONFORME AU RELEVÉ : proposition ${C}, événement n° 5 \\(id \\d+\\) : le relevé atteste pour cet événement l’empreinte [0-9a-f]{64}, le journal lui donne ${hash} : cet événement ou l’un de ceux d’avant a été réécrit\\.`,
      ),
    );
    expect(out).toContain('4 propositions en défaut sur 4');
  });
});
