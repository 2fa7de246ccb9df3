/**
 * A contribution through the whole stack, counted in SQL statements (each one a round trip the app
 * and PostgreSQL both pay for): the session, one locked read of what the command needs, the key,
 * the event, the read models, the signal (sent inside the transaction) and the commit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openRound } from '../../src/consent/index.ts';
import { LiveMeetingService } from '../../src/meetings/live.service.ts';
import { actionCommand } from '../../src/proposals/actions.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { loadHead } from '../../src/proposals/proposals.repository.ts';
import { SignalBus } from '../../src/realtime/bus.ts';
import type { Signal } from '../../src/realtime/signals.ts';
import { buildApp } from '../helpers/app.ts';
import { fingerprint, joinAsGuest, seedAccount, seedCircle, seedMeeting, type Session } from '../helpers/auth.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let database: TestDatabase;
let bus: SignalBus;
let app: Express;
const signals: Signal[] = [];
let lastWith = '';

beforeAll(async () => {
  database = await createTestDatabase();
  bus = new SignalBus(database);
  await bus.start();
  bus.subscribe((s) => {
    if (s.name === 'proposal-changed') signals.push(s);
  });
  app = buildApp(database, { bus });
});
afterAll(async () => {
  await bus.close();
  await database.dispose();
});

/** The statements the app sends while `run` runs, as their first words. */
async function statementsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const config = args[0] as string | { text?: string };
    const text = typeof config === 'string' ? config : (config?.text ?? '');
    seen.push(text.replace(/\s+/g, ' ').trim().slice(0, 60));
    if (text.startsWith('with')) lastWith = text;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await run();
  } finally {
    pg.Client.prototype.query = original;
  }
  return seen;
}

/** The tables a combined write touches, in its order. */
function written(): string[] {
  return [...lastWith.matchAll(/ as \((insert into|update) "(\w+)"/g)].map((m) => m[2]!);
}

/** A séance with three guests on their phones and the clarification round open. */
async function meetingInClarification() {
  const admin = await seedAccount(database.db, 'admin');
  const fac = await seedAccount(database.db, 'facilitator');
  const meeting = await seedMeeting(database.db, fac.actor, await seedCircle(database.db, admin.actor));
  const guests: (Session & { personId: string })[] = [];
  for (let i = 0; i < 3; i++) guests.push(await joinAsGuest(app, database.db, meeting.code));
  const live = new LiveMeetingService({ db: database.db, proposals: new ProposalService({ db: database.db }) });
  const proposalId = await live.draft(fac.actor, meeting.id, {
    title: 'Horaires de la mairie',
    tension: 'Les habitants qui travaillent trouvent porte close.',
    text: 'Ouvrir le samedi matin.',
    criteria: '',
    reviewDate: null,
    validitySet: 'importante_argumentee',
  });
  await live.act(fac.actor, meeting.id, proposalId, actionCommand('presenter', { reponses: {} }));
  await live.act(fac.actor, meeting.id, proposalId, actionCommand('ouvrir-clarification', { reponses: {} }));
  const round = openRound((await loadHead(database.db, proposalId))!.state)!;
  const inOrder = round.order.map((id) => guests.find((g) => g.personId === id)!);
  const pass = (who: Session, key: string) =>
    who.agent.post(`/seances/${meeting.id}/propositions/${proposalId}/passer`).type('form').send({ _csrf: who.csrf, cle: key, retour: 'participant' });
  return { proposalId, inOrder, pass };
}

describe('a contribution through the whole stack', () => {
  it('when a guest passes their turn, then three statements do it, with no transaction: the session, one read of the meeting, membership and proposal, one write of the key, the event, the read models and the signal that checks the facts it was decided on', async () => {
    const s = await meetingInClarification();
    const statements = await statementsDuring(async () => {
      const res = await s.pass(s.inOrder[0]!, randomUUID());
      expect(res.status).toBe(303);
    });
    // 11 at first: the proposal, the meeting and the membership were three reads, each write one
    // statement, and the signal a round trip after COMMIT; then 5, in a transaction (BEGIN, COMMIT)
    expect(
      statements.map((t) => t.split(' ')[0]!.toLowerCase()),
      statements.join('\n'),
    ).toEqual([
      'select', // the session and who it speaks for
      'select', // the meeting and the membership, the proposal's snapshot and the events since (no lock)
      'with', // the submission key, the event, the proposal, the contribution; the facts locked and checked; pg_notify
    ]);
    expect(statements[1]).not.toContain('for share');
    expect(lastWith).toContain('command_facts_hold(');
    expect(written()).toEqual(['command_keys', 'events', 'proposals', 'contributions']);
    expect(lastWith).toContain('pg_notify');
  });

  it('when a turn is refused, then no signal is sent; when the next is stored, then its signal arrives, with its sequence number', async () => {
    const s = await meetingInClarification();
    const before = await fingerprint(database.db);
    // the third guest speaks out of turn: refused, nothing stored, nothing signalled
    const refused = await s.pass(s.inOrder[2]!, randomUUID());
    expect(refused.status).toBe(422);
    expect(await fingerprint(database.db)).toEqual(before);
    signals.length = 0;
    expect((await s.pass(s.inOrder[0]!, randomUUID())).status).toBe(303);
    const head = (await loadHead(database.db, s.proposalId))!;
    await new Promise<void>((resolve) => {
      const check = () => (signals.length > 0 ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(signals).toEqual([
      { name: 'proposal-changed', proposalId: s.proposalId, meetingId: expect.any(String), seq: head.lastSeq, stage: 'clarification', events: ['TurnPassed'] },
    ]);
  });

  it('when the same form is sent twice, one after the other and then twice at once, then each answer is a success and each turn is stored once', async () => {
    const s = await meetingInClarification();
    const key = randomUUID();
    expect((await s.pass(s.inOrder[0]!, key)).status).toBe(303);
    // the resent form: its key is taken, the one-statement write stores nothing and the careful path answers
    expect((await s.pass(s.inOrder[0]!, key)).status).toBe(303);
    const twice = randomUUID();
    const answers = await Promise.all([s.pass(s.inOrder[1]!, twice), s.pass(s.inOrder[1]!, twice)]);
    expect(answers.map((r) => r.status)).toEqual([303, 303]);
    const passes = await database.db
      .selectFrom('contributions')
      .select('person_id')
      .where('proposal_id', '=', s.proposalId)
      .where('kind', '=', 'pass')
      .orderBy('event_seq')
      .execute();
    expect(passes.map((p) => p.person_id)).toEqual([s.inOrder[0]!.personId, s.inOrder[1]!.personId]);
  });
});
