/**
 * A contribution through the whole stack, counted in SQL statements (each one a round trip the app
 * and PostgreSQL both pay for): the session read with the meeting, the membership and the
 * proposal, then one write of the key, the event, the read models and the signal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openRound } from '../../src/consent/index.ts';
import { LiveMeetingService } from '../../src/meetings/live.service.ts';
import { AccessDenied } from '../../src/accounts/policy.ts';
import { actionCommand } from '../../src/proposals/actions.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { loadHead } from '../../src/proposals/proposals.repository.ts';
import { SignalBus } from '../../src/realtime/bus.ts';
import type { Signal } from '../../src/realtime/signals.ts';
import { sha256 } from '../../src/accounts/crypto.ts';
import { findLiveSessionActor } from '../../src/accounts/sessions.repository.ts';
import { findForCommand, findSessionWithCommand, readFor } from '../../src/meetings/command-read.repository.ts';
import { removeGuest } from '../../src/meetings/meetings.repository.ts';
import { buildApp } from '../helpers/app.ts';
import { fingerprint, joinAsGuest, seedAccount, seedCircle, seedMeeting, type Session } from '../helpers/auth.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let database: TestDatabase;
let bus: SignalBus;
let app: Express;
const signals: Signal[] = [];
let lastWith = '';
let firstRead = '';

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
    if (seen.length === 1) firstRead = text;
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
  return { meetingId: meeting.id, proposalId, inOrder, pass, guests };
}

describe('a contribution through the whole stack', () => {
  it('when a guest passes their turn, then two statements do it, with no transaction: one read of the session, the meeting, the membership and the proposal, one write of the key, the event, the read models and the signal that checks the facts it was decided on', async () => {
    const s = await meetingInClarification();
    const statements = await statementsDuring(async () => {
      const res = await s.pass(s.inOrder[0]!, randomUUID());
      expect(res.status).toBe(303);
    });
    // 11 at first: the proposal, the meeting and the membership were three reads, each write one
    // statement, and the signal a round trip after COMMIT; then 5, in a transaction (BEGIN, COMMIT);
    // then 3, the session read on its own
    expect(
      statements.map((t) => t.split(' ')[0]!.toLowerCase()),
      statements.join('\n'),
    ).toEqual([
      'select', // the session and who it speaks for; the meeting and the membership, the proposal's snapshot and the events since (no lock)
      'with', // the submission key, the event, the proposal, the contribution; the facts locked and checked; pg_notify
    ]);
    expect(firstRead).toContain('"sessions"');
    expect(firstRead).toContain('"meeting_members"');
    expect(firstRead).not.toContain('for share');
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

describe('the first read of a contribution, made with its session', () => {
  const tokenOf = (who: Session) => who.cookie.slice('so_session='.length);

  it('when it reads the session and the command together, then it finds what each read finds on its own', async () => {
    const s = await meetingInClarification();
    const guest = s.inOrder[0]!;
    const hash = sha256(tokenOf(guest));
    const found = await findSessionWithCommand(database.db, hash, 120, s.meetingId, s.proposalId);
    expect(found?.session).toEqual(await findLiveSessionActor(database.db, hash, 120));
    expect(found?.alongside).toEqual({
      meetingId: s.meetingId,
      proposalId: s.proposalId,
      personId: guest.personId,
      read: await findForCommand(database.db, s.meetingId, guest.personId, s.proposalId, { lock: false }),
    });
    expect(found?.alongside?.read?.membership?.role).toBe('participant');
    expect(found?.alongside?.read?.head?.state?.stage).toBe('clarification');
  });

  it('when the séance does not exist or the session is not live, then it finds no facts or no session, and the answer is the one made without it', async () => {
    const s = await meetingInClarification();
    const guest = s.inOrder[0]!;
    const elsewhere = await findSessionWithCommand(database.db, sha256(tokenOf(guest)), 120, randomUUID(), s.proposalId);
    expect(elsewhere?.session.personId).toBe(guest.personId);
    expect(elsewhere?.alongside?.read).toBeNull();
    expect(await findSessionWithCommand(database.db, sha256('no-such-session'), 120, s.meetingId, s.proposalId)).toBeNull();
    const before = await fingerprint(database.db);
    const res = await guest.agent
      .post(`/seances/${randomUUID()}/propositions/${s.proposalId}/passer`)
      .type('form')
      .send({ _csrf: guest.csrf, cle: randomUUID() });
    expect(res.status).toBe(404);
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when the guest was removed from the séance, then their turn is refused and their session closed, and nothing else changes', async () => {
    const s = await meetingInClarification();
    const guest = s.inOrder[0]!;
    await removeGuest(database.db, s.meetingId, guest.personId);
    const before = await database.db.selectFrom('contributions').select('id').where('proposal_id', '=', s.proposalId).execute();
    const res = await s.pass(guest, randomUUID());
    expect(res.status).toBe(403);
    expect(await database.db.selectFrom('contributions').select('id').where('proposal_id', '=', s.proposalId).execute()).toEqual(before);
    expect(await findLiveSessionActor(database.db, sha256(tokenOf(guest)), 120)).toBeNull();
  });

  it('when the guest is removed between the read made with the session and the write, then the write refuses it and nothing is stored', async () => {
    const s = await meetingInClarification();
    const guest = s.inOrder[0]!;
    const found = await findSessionWithCommand(database.db, sha256(tokenOf(guest)), 120, s.meetingId, s.proposalId);
    expect(found?.alongside?.read?.membership?.role).toBe('participant');
    await removeGuest(database.db, s.meetingId, guest.personId);
    const before = await fingerprint(database.db);
    const actor = { kind: 'guest' as const, personId: guest.personId, meetingId: s.meetingId, displayName: 'Invité' };
    // the read says a participant whose turn it is: only the write's check of the facts can refuse it
    await expect(
      new ProposalService({ db: database.db }).handle(
        actor,
        { meetingId: s.meetingId, proposalId: s.proposalId, key: randomUUID(), read: found!.alongside! },
        actionCommand('passer', { reponses: {} }),
      ),
    ).rejects.toBeInstanceOf(AccessDenied);
    expect(await fingerprint(database.db)).toEqual(before);
  });

  it('when the read was made for another person, séance or proposal, then the command reads its facts itself', async () => {
    const s = await meetingInClarification();
    const read = { meetingId: s.meetingId, proposalId: s.proposalId, personId: s.inOrder[0]!.personId, read: null };
    expect(readFor(read, s.inOrder[0]!.personId, s)).toBe(read);
    expect(readFor(read, s.inOrder[1]!.personId, s)).toBeUndefined();
    expect(readFor(read, s.inOrder[0]!.personId, { ...s, meetingId: randomUUID() })).toBeUndefined();
    expect(readFor(read, s.inOrder[0]!.personId, { ...s, proposalId: randomUUID() })).toBeUndefined();
    expect(readFor(undefined, s.inOrder[0]!.personId, s)).toBeUndefined();
  });
});
