/**
 * What a benchmark needs in the database before it measures: accounts, meetings, guests who
 * joined them and hold sessions, a proposal in a round. Made in-process through the app's own
 * services (not timed), so the measured requests then go through the real HTTP stack.
 */
import { randomUUID } from 'node:crypto';
import { openRound } from '../../src/consent/index.ts';
import type { Database } from '../../src/db/database.ts';
import { createAccount, createCircle } from '../../src/accounts/account.service.ts';
import { ANONYMOUS, type Actor } from '../../src/accounts/policy.ts';
import { openSession } from '../../src/accounts/sessions.ts';
import { createMeeting, joinMeeting } from '../../src/meetings/meeting.service.ts';
import { LiveMeetingService } from '../../src/meetings/live.service.ts';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { loadHead } from '../../src/proposals/proposals.repository.ts';
import { actionCommand } from '../../src/proposals/actions.ts';
import { SESSION_COOKIE } from '../../src/http/session.ts';

/** A person with a session, as a browser holds it: the cookie and the CSRF token of its forms. */
export interface Browser {
  personId: string;
  cookie: string;
  csrf: string;
}

export interface World {
  facilitator: Actor & { kind: 'account' };
  circleId: string;
}

export interface BenchMeeting {
  meetingId: string;
  proposalId: string;
  /** Everyone taking turns, in the order of the round now open. */
  order: Browser[];
}

async function session(database: Database, s: { kind: 'account' | 'guest'; personId: string; meetingId: string | null }): Promise<Browser> {
  const opened = await openSession(database.db, s);
  return { personId: s.personId, cookie: `${SESSION_COOKIE}=${opened.token}`, csrf: opened.csrfToken };
}

export async function createWorld(database: Database): Promise<World> {
  const stamp = randomUUID().slice(0, 8);
  const password = 'un mot de passe de banc d’essai';
  const admin = await createAccount(database.db, 'system', { email: `admin-${stamp}@bench.local`, displayName: 'Admin banc', role: 'admin', password });
  const fac = await createAccount(database.db, 'system', {
    email: `fac-${stamp}@bench.local`,
    displayName: 'Facilitation banc',
    role: 'facilitator',
    password,
  });
  if (!admin.ok || !fac.ok) throw new Error('bench: accounts');
  const adminActor: Actor = { kind: 'account', personId: admin.personId, role: 'admin', displayName: 'Admin banc' };
  const circle = await createCircle(database.db, adminActor, { name: `Banc ${stamp}`, description: '' });
  if (!circle.ok) throw new Error('bench: circle');
  return { facilitator: { kind: 'account', personId: fac.personId, role: 'facilitator', displayName: 'Facilitation banc' }, circleId: circle.id };
}

/** A held séance with `guests` people who joined by code, each with a session, and a proposal whose clarification round is open. */
export async function meetingInRound(database: Database, world: World, guests: number): Promise<BenchMeeting> {
  const db = database.db;
  const created = await createMeeting(db, world.facilitator, { circleId: world.circleId, title: 'Séance du banc d’essai', scheduledFor: new Date() });
  if (!created.ok) throw new Error('bench: meeting');
  const meetingId = created.id;
  const code = (await db.selectFrom('meetings').select('join_code').where('id', '=', meetingId).executeTakeFirstOrThrow()).join_code;
  const browsers = new Map<string, Browser>();
  const queue = Array.from({ length: guests }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const joined = await joinMeeting(db, ANONYMOUS, { code, displayName: `Participant·e ${i + 1}`, address: '127.0.0.1' });
        if (!joined.ok || !joined.personId) throw new Error(`bench: join ${JSON.stringify(joined)}`);
        browsers.set(joined.personId, await session(database, { kind: 'guest', personId: joined.personId, meetingId }));
      }
    }),
  );
  const live = new LiveMeetingService({ db, proposals: new ProposalService({ db }) });
  const proposalId = await live.draft(world.facilitator, meetingId, {
    title: 'Ouvrir la médiathèque le dimanche matin',
    tension: 'Les familles qui travaillent en semaine ne peuvent pas venir aux heures d’ouverture actuelles.',
    text: 'À titre d’essai pendant six mois, la médiathèque ouvre le dimanche de 10 h à 13 h, par roulement des équipes volontaires. '.repeat(6),
    criteria: 'Fréquentation, charge des équipes',
    reviewDate: null,
    validitySet: 'importante_argumentee',
  });
  await live.act(world.facilitator, meetingId, proposalId, actionCommand('presenter', { reponses: {} }));
  await live.act(world.facilitator, meetingId, proposalId, actionCommand('ouvrir-clarification', { reponses: {} }));
  return { meetingId, proposalId, order: await roundOrder(database, proposalId, browsers) };
}

/** The facilitator opens the reaction round (the clarification round must be complete). */
export async function openReactions(database: Database, world: World, m: BenchMeeting): Promise<BenchMeeting> {
  const live = new LiveMeetingService({ db: database.db, proposals: new ProposalService({ db: database.db }) });
  await live.act(world.facilitator, m.meetingId, m.proposalId, actionCommand('ouvrir-reactions', { reponses: {} }));
  return { ...m, order: await roundOrder(database, m.proposalId, new Map(m.order.map((b) => [b.personId, b]))) };
}

async function roundOrder(database: Database, proposalId: string, browsers: Map<string, Browser>): Promise<Browser[]> {
  const head = await loadHead(database.db, proposalId);
  const round = head ? openRound(head.state) : null;
  if (!round) throw new Error('bench: no open round');
  return round.order.slice(round.turnIndex).map((id) => {
    const b = browsers.get(id);
    if (!b) throw new Error('bench: a person in the round has no session');
    return b;
  });
}

/** The proposal's last sequence number, as recorded: the seq a fragment must show once a change is stored. */
export async function lastSeq(database: Database, proposalId: string): Promise<number> {
  return (await loadHead(database.db, proposalId))?.lastSeq ?? 0;
}
