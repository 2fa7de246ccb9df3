/**
 * Nothing is lost under load (issue 13): 200 participants on their phones press « Passer » in one
 * round at the same instant, then press it again; 100 « advance » requests race; two facilitator
 * sessions rule on one objection at once. Every request goes through the whole stack (session,
 * CSRF, validation, decide, append, project) on one listening server, on PGlite and, in CI, on
 * PostgreSQL 15 where the requests really run side by side.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp } from '../helpers/app.ts';
import { csrfOf, joinAsGuest, seedAccount, seedCircle, seedMeeting, signIn, type Session, joinWithAccount } from '../helpers/auth.ts';
import { readable } from '../helpers/html.ts';

const CROWD = Number(process.env.LOAD_CROWD ?? 200);

let database: TestDatabase;
let server: http.Server;
let app: Express;
let admin: Awaited<ReturnType<typeof seedAccount>>;
let fac: Awaited<ReturnType<typeof seedAccount>>;

/** The text of the page's alert (the refusal), tags removed. */
const alertOf = (html: string): string =>
  (readable(html).match(/role="alert"[^>]*>([\s\S]*?)<\/div>/)?.[1] ?? '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

interface Meeting {
  meetingId: string;
  proposalId: string;
  facilitator: Session;
  proposer: Session;
}

function post(who: Session, m: Meeting, action: string, fields: Record<string, string> = {}, back = 'participant') {
  return who.agent
    .post(`/seances/${m.meetingId}/propositions/${m.proposalId}/${action}`)
    .type('form')
    .send({ _csrf: who.csrf, retour: back, ...fields });
}

async function ok(who: Session, m: Meeting, action: string, fields: Record<string, string> = {}, back = 'participant'): Promise<void> {
  const res = await post(who, m, action, fields, back);
  expect(res.status, `${action}: ${alertOf(res.text)}`).toBe(303);
}

/** A séance whose member proposes a text the facilitator presents; `guests` join from their phones. */
async function meetingWith(guests: number): Promise<Meeting & { guests: (Session & { personId: string })[] }> {
  const member = await seedAccount(database.db, 'member');
  const { id: meetingId, code } = await seedMeeting(database.db, fac.actor, await seedCircle(database.db, admin.actor));
  const facilitator = await signIn(server as unknown as Express, fac.email);
  const proposer = await signIn(server as unknown as Express, member.email);
  await joinWithAccount(proposer, code);
  const joined: (Session & { personId: string })[] = [];
  // joined a few at a time, as people arrive
  for (let i = 0; i < guests; i += 10) {
    const batch = Array.from({ length: Math.min(10, guests - i) }, (_, k) =>
      joinAsGuest(server as unknown as Express, database.db, code, `Participant·e ${meetingId.slice(0, 4)} ${i + k + 1}`),
    );
    joined.push(...(await Promise.all(batch)));
  }
  const form = await proposer.agent.get(`/seances/${meetingId}/propositions/nouvelle`).expect(200);
  await proposer.agent
    .post(`/seances/${meetingId}/propositions`)
    .type('form')
    .send({
      _csrf: csrfOf(form.text),
      title: 'Horaires d’été',
      tension: 'Il fait trop chaud l’après-midi.',
      text: 'Ouvrir de 7 h à 14 h en juillet.',
      validitySet: 'importante_argumentee',
    })
    .expect(303);
  const proposal = await database.db.selectFrom('proposals').select('id').where('meeting_id', '=', meetingId).executeTakeFirstOrThrow();
  const m = { meetingId, proposalId: proposal.id, facilitator, proposer };
  await ok(facilitator, m, 'presenter', {}, 'console');
  return { ...m, guests: joined };
}

async function eventCount(proposalId: string, type?: string): Promise<number> {
  let q = database.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('stream_id', '=', proposalId);
  if (type) q = q.where('type', '=', type);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  expect((server.address() as AddressInfo).port).toBeGreaterThan(0);
  admin = await seedAccount(database.db, 'admin');
  fac = await seedAccount(database.db, 'facilitator', { name: 'Farid Facilitateur' });
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await database.dispose();
});

describe(`${CROWD} participants in one round at once`, () => {
  it('when everyone presses « Passer » at the same instant, twice, then every 2xx is recorded exactly once, in the round order, and every other answer says in French whose turn it is', async () => {
    const m = await meetingWith(CROWD);
    await ok(m.facilitator, m, 'ouvrir-clarification', {}, 'console');
    const roundOrder = async () =>
      (await database.db.selectFrom('rounds').select('turn_order').where('proposal_id', '=', m.proposalId).orderBy('number', 'desc').executeTakeFirstOrThrow())
        .turn_order;
    const order = await roundOrder();
    expect(order).toHaveLength(CROWD);

    const accepted: string[] = [];
    for (let wave = 0; wave < 2; wave++) {
      const answers = await Promise.all(m.guests.map(async (g) => ({ who: g.personId, res: await post(g, m, 'passer') })));
      for (const { who, res } of answers) {
        if (res.status === 303) {
          accepted.push(who);
          continue;
        }
        expect(res.status, `unexpected answer: ${res.status} ${alertOf(res.text)}`).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(alertOf(res.text)).toMatch(/tour|déjà/);
      }
    }
    const passed = await database.db
      .selectFrom('events')
      .select(['actor_id', 'seq'])
      .where('stream_id', '=', m.proposalId)
      .where('type', '=', 'TurnPassed')
      .orderBy('seq')
      .execute();
    // every acknowledged « Passer » is in the log, once, and nothing else is
    expect(passed.map((e) => e.actor_id).sort()).toEqual([...accepted].sort());
    expect(new Set(accepted).size).toBe(accepted.length);
    // and in the order of the round, with no gap
    expect(passed.map((e) => e.actor_id)).toEqual(order.slice(0, passed.length));
    expect(passed.length).toBeGreaterThanOrEqual(2);
    const turns = await database.db
      .selectFrom('contributions')
      .select('person_id')
      .where('proposal_id', '=', m.proposalId)
      .where('kind', '=', 'pass')
      .execute();
    expect(turns.map((t) => t.person_id).sort()).toEqual([...accepted].sort());
  });
});

describe('races', () => {
  it('when the facilitator sends « Ouvrir le tour de réactions » 100 times at once, then exactly one round opens and 99 are refused in French', async () => {
    const m = await meetingWith(1);
    await ok(m.facilitator, m, 'ouvrir-clarification', {}, 'console');
    await ok(m.guests[0]!, m, 'passer');
    const before = await eventCount(m.proposalId);
    const answers = await Promise.all(Array.from({ length: 100 }, () => post(m.facilitator, m, 'ouvrir-reactions', {}, 'console')));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 303)) {
      expect([409, 422]).toContain(a.status);
      expect(alertOf(a.text)).not.toBe('');
    }
    expect(await eventCount(m.proposalId)).toBe(before + 1);
    expect(await eventCount(m.proposalId, 'ReactionRoundStarted')).toBe(1);
  });

  it('when two sessions of the facilitator rule on one objection at the same instant, then exactly one ruling is recorded', async () => {
    const m = await meetingWith(1);
    const guest = m.guests[0]!;
    await ok(m.facilitator, m, 'ouvrir-clarification', {}, 'console');
    await ok(guest, m, 'passer');
    await ok(m.facilitator, m, 'ouvrir-reactions', {}, 'console');
    await ok(guest, m, 'passer');
    await ok(m.facilitator, m, 'ouvrir-bonification', {}, 'console');
    await ok(m.proposer, m, 'maintenir', {}, 'porteur');
    await ok(m.facilitator, m, 'ouvrir-objections', {}, 'console');
    await ok(m.proposer, m, 'pas-objection', {}, 'porteur');
    await ok(guest, m, 'objection', { texte: 'La chaleur est aussi le matin dans les bureaux exposés à l’est.' });
    const objection = await database.db.selectFrom('objections').select('id').where('proposal_id', '=', m.proposalId).executeTakeFirstOrThrow();
    const second = await signIn(server as unknown as Express, fac.email);
    const ruling = (who: Session, decision: string) =>
      post(who, m, 'tester', { objection: objection.id, 'reponses[importante]': 'oui', 'reponses[argumentee]': 'oui', decision }, 'console');
    const answers = await Promise.all([ruling(m.facilitator, 'valid'), ruling(second, 'valid'), ruling(m.facilitator, 'valid'), ruling(second, 'valid')]);
    expect(answers.filter((a) => a.status === 303)).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 303)) expect(a.status).toBeLessThan(500);
    expect(await eventCount(m.proposalId, 'ObjectionTested')).toBe(1);
  });
});
