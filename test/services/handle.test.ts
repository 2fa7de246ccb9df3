/**
 * ProposalService.handle: the facts the policy needs are read under a lock in the command's
 * transaction, or, for the usual contribution, checked again under a lock inside the one statement
 * that writes it: a permission changed by another transaction cannot slip between the check and
 * the write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { seedAccount, seedCircle, seedMeeting, type SeededAccount } from '../helpers/auth.ts';
import { createPeople } from '../helpers/people.ts';
import { AccessDenied, type Actor } from '../../src/accounts/policy.ts';
import { insertMember, removeGuest } from '../../src/meetings/meetings.repository.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { actionCommand, type ActionName } from '../../src/proposals/actions.ts';

let database: TestDatabase;
let facilitator: SeededAccount;
let outsider: SeededAccount;
let circleId: string;
/** When set, called once inside the next command's transaction, right after it was authorised. */
let onAuthorised: (() => void) | null = null;
let service: ProposalService;

beforeAll(async () => {
  database = await createTestDatabase();
  const admin = await seedAccount(database.db, 'admin');
  facilitator = await seedAccount(database.db, 'facilitator');
  outsider = await seedAccount(database.db, 'member');
  circleId = await seedCircle(database.db, admin.actor);
  let clock = Date.parse('2026-11-26T09:00:00.000Z');
  service = new ProposalService({
    db: database.db,
    now: () => {
      const hook = onAuthorised;
      onAuthorised = null;
      hook?.();
      return new Date((clock += 1000));
    },
  });
});
afterAll(async () => {
  await database.dispose();
});

const request = (action: ActionName, fields: Record<string, unknown> = {}) => actionCommand(action, { ...fields, reponses: {} });

async function counts(proposalId: string): Promise<{ events: number; members: number }> {
  const r = await sql<{
    events: number;
    members: number;
  }>`select (select count(*)::int from events where stream_id = ${proposalId}) as events, (select count(*)::int from meeting_members where removed_at is null) as members`.execute(
    database.db,
  );
  return r.rows[0]!;
}

/** A meeting with two guests present, and a proposal in its clarification round: Alice holds the floor. */
async function clarification(): Promise<{ meetingId: string; proposalId: string; alice: Actor & { personId: string } }> {
  const meeting = await seedMeeting(database.db, facilitator.actor, circleId);
  const people = await createPeople(database, { alice: 'Aline Depernet', bob: 'Patrice Solier' });
  for (const personId of [people.alice, people.bob])
    await insertMember(database.db, { meetingId: meeting.id, personId, role: 'participant', isGuest: true, present: true });
  // Alice arrived first: two inserts may share a timestamp, and a tie falls back to the ids' order
  await sql`update meeting_members set joined_at = joined_at - interval '1 second' where person_id = ${people.alice}`.execute(database.db);
  const proposalId = randomUUID();
  await service.handle(
    facilitator.actor,
    { meetingId: meeting.id, proposalId },
    {
      may: ['meeting.facilitate'],
      startsRound: false,
      creates: true,
      onBehalfOf: null,
      ownObjection: false,
      toCommand: (c) => ({
        type: 'CreateProposal',
        actorId: c.actorId,
        at: c.at,
        proposalId,
        proposerId: c.actorId,
        facilitatorId: c.meeting.facilitatorPersonId,
        secretaryId: c.meeting.secretaryPersonId,
        title: 'Télétravail',
        tension: 'Les trajets coûtent.',
        text: 'Deux jours par semaine.',
        criteria: '',
        reviewDate: null,
        validitySet: 's3',
      }),
    },
  );
  await service.handle(facilitator.actor, { meetingId: meeting.id, proposalId }, request('presenter'));
  const started = await service.handle(facilitator.actor, { meetingId: meeting.id, proposalId }, request('ouvrir-clarification'));
  // the round order is read in the command's transaction, from who is present
  expect(started.state.stage === 'clarification' && started.state.round.order).toEqual([people.alice, people.bob]);
  return { meetingId: meeting.id, proposalId, alice: { kind: 'guest', personId: people.alice, meetingId: meeting.id, displayName: 'Aline Depernet' } };
}

describe('the proposal service handles a request in one transaction', () => {
  it('when the actor is not a member of the meeting, then the policy refuses and nothing is stored', async () => {
    const { meetingId, proposalId } = await clarification();
    const before = await counts(proposalId);
    await expect(service.handle(outsider.actor, { meetingId, proposalId }, request('passer'))).rejects.toMatchObject({ refusal: 'forbidden' });
    await expect(service.handle(outsider.actor, { meetingId: randomUUID(), proposalId }, request('passer'))).rejects.toMatchObject({ refusal: 'not_found' });
    expect(await counts(proposalId)).toEqual(before);
  });

  it('when a proposal of another meeting is named, then it is not found and nothing is stored', async () => {
    const first = await clarification();
    const second = await clarification();
    const before = await counts(second.proposalId);
    await expect(
      service.handle(facilitator.actor, { meetingId: first.meetingId, proposalId: second.proposalId }, request('ouvrir-reactions')),
    ).rejects.toMatchObject({ refusal: 'not_found' });
    expect(await counts(second.proposalId)).toEqual(before);
  });

  it('when a membership is revoked by a transaction still open as the person acts, then the act waits for it, is refused, and nothing is stored', async () => {
    const { meetingId, proposalId, alice } = await clarification();
    const before = await counts(proposalId);
    let commit!: () => void;
    const held = new Promise<void>((resolve) => (commit = resolve));
    let revoked!: () => void;
    const removed = new Promise<void>((resolve) => (revoked = resolve));
    const revoke = database.db.transaction().execute(async (trx) => {
      expect(await removeGuest(trx, meetingId, alice.personId)).toBe(true);
      revoked();
      await held;
    });
    await removed;
    const act = service.handle(alice, { meetingId, proposalId }, request('passer'));
    commit();
    await revoke;
    const refusal: unknown = await act.catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(AccessDenied);
    expect(refusal).toMatchObject({ refusal: 'forbidden' });
    expect(await counts(proposalId)).toEqual({ events: before.events, members: before.members - 1 });
  });

  it('when a membership is revoked right after the act was authorised, then one of them went first: either the turn was stored while she belonged and the revocation saw it, or the act, written after the revocation, was refused and stored nothing', async () => {
    const { meetingId, proposalId, alice } = await clarification();
    const before = await counts(proposalId);
    let revoke: Promise<number> | null = null;
    // Starts the revocation in its own transaction between the check and the write of the act.
    onAuthorised = () => {
      revoke = database.db.transaction().execute(async (trx) => {
        await removeGuest(trx, meetingId, alice.personId);
        const seen = await sql<{ n: number }>`select count(*)::int as n from events where stream_id = ${proposalId}`.execute(trx);
        return seen.rows[0]!.n;
      });
    };
    const outcome = await service.handle(alice, { meetingId, proposalId }, request('passer')).then(
      (result) => result.events.map((e) => e.event.type),
      (error: unknown) => error,
    );
    expect(revoke).not.toBeNull();
    const seenByRevocation = await revoke!;
    const stored = (await counts(proposalId)).events;
    if (Array.isArray(outcome)) {
      // the act went first: stored once, and the revocation's transaction saw it
      expect(outcome).toEqual(['TurnPassed']);
      expect([seenByRevocation, stored]).toEqual([before.events + 1, before.events + 1]);
    } else {
      // the revocation went first: the act's write found the membership changed, read it again, and was refused
      expect(outcome).toBeInstanceOf(AccessDenied);
      expect(outcome).toMatchObject({ refusal: 'forbidden' });
      expect([seenByRevocation, stored]).toEqual([before.events, before.events]);
    }
    await expect(service.handle(alice, { meetingId, proposalId }, request('question', { texte: 'Encore moi ?' }))).rejects.toMatchObject({
      refusal: 'forbidden',
    });
    expect((await counts(proposalId)).events).toBe(stored);
  });
});

describe('the check a one-statement write makes of the facts it was decided on (command_facts_hold, migration 0018)', () => {
  const hold = (meetingId: string, personId: string, status: string, facilitatorId: string, role: string | null) =>
    sql<{
      ok: boolean;
    }>`select command_facts_hold(${meetingId}::uuid, ${personId}::uuid, ${status}, ${facilitatorId}::uuid, null::uuid, ${role}) as ok`.execute(database.db);

  it('when the meeting and the membership are what was read, then it holds; when any of them changed, then the statement fails with serialization_failure', async () => {
    const { meetingId, alice } = await clarification();
    const f = facilitator.actor.kind === 'anonymous' ? '' : facilitator.actor.personId;
    const status = (await sql<{ status: string }>`select status from meetings where id = ${meetingId}`.execute(database.db)).rows[0]!.status;
    expect((await hold(meetingId, alice.personId, status, f, 'participant')).rows).toEqual([{ ok: true }]);
    // an outsider read as no member at all still holds
    expect((await hold(meetingId, outsider.actor.kind === 'anonymous' ? '' : outsider.actor.personId, status, f, null)).rows).toEqual([{ ok: true }]);
    for (const [label, changed] of [
      ['status', () => hold(meetingId, alice.personId, 'closed', f, 'participant')],
      ['facilitator', () => hold(meetingId, alice.personId, status, alice.personId, 'participant')],
      ['role', () => hold(meetingId, alice.personId, status, f, 'observer')],
    ] as const)
      await expect(changed(), label).rejects.toMatchObject({ code: '40001' });
    await removeGuest(database.db, meetingId, alice.personId);
    await expect(hold(meetingId, alice.personId, status, f, 'participant')).rejects.toMatchObject({ code: '40001' });
  });
});
