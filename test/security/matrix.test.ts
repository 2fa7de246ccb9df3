/**
 * Every route × every actor: allowed or refused, and a refused request changes nothing in the database.
 * The list of routes is checked against the routes the app really registers, so a new route without a row fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildApp, testConfig } from '../helpers/app.ts';
import {
  anonymous,
  fingerprint,
  joinAsGuest,
  seedAccount,
  seedCircle,
  seedMeeting,
  signIn,
  unique,
  type SeededAccount,
  type Session,
} from '../helpers/auth.ts';
import { issuePasswordReset } from '../../src/accounts/account.service.ts';
import { resolveSession } from '../../src/accounts/sessions.ts';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProposalService } from '../../src/proposals/proposal.service.ts';
import { LiveMeetingService } from '../../src/meetings/live.service.ts';
import { decisionMaker } from '../helpers/decisions.ts';
import { TrainingService } from '../../src/training/training.service.ts';
import { insertMember } from '../../src/meetings/meetings.repository.ts';
import { SeanceService } from '../../src/meetings/seance.service.ts';
import { DotVoteService } from '../../src/meetings/dot-vote.service.ts';

type ActorName = 'anonymous' | 'guest' | 'other_guest' | 'member' | 'observer' | 'facilitator' | 'admin';
const ACTORS: readonly ActorName[] = ['anonymous', 'guest', 'other_guest', 'member', 'observer', 'facilitator', 'admin'];

let database: TestDatabase;
let app: Express;
let admin: SeededAccount;
let facilitator: SeededAccount;
let member: SeededAccount;
let observer: SeededAccount;
let meeting: { id: string; code: string };
let otherMeeting: { id: string; code: string };
let circleId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp(database);
  admin = await seedAccount(database.db, 'admin');
  facilitator = await seedAccount(database.db, 'facilitator');
  const otherFacilitator = await seedAccount(database.db, 'facilitator');
  member = await seedAccount(database.db, 'member');
  observer = await seedAccount(database.db, 'observer');
  circleId = await seedCircle(database.db, admin.actor);
  meeting = await seedMeeting(database.db, facilitator.actor, circleId);
  otherMeeting = await seedMeeting(database.db, otherFacilitator.actor, circleId);
});
afterAll(async () => {
  await database.dispose();
});

/** A new session for the actor: a visitor, a guest who joins over HTTP, or an account that signs in. */
async function newSession(actor: ActorName): Promise<Session & { personId: string | null }> {
  switch (actor) {
    case 'anonymous':
      return { ...(await anonymous(app)), personId: null };
    case 'guest':
      return joinAsGuest(app, database.db, meeting.code);
    case 'other_guest':
      return joinAsGuest(app, database.db, otherMeeting.code);
    case 'member':
      return { ...(await signIn(app, member.email)), personId: member.personId };
    case 'observer':
      return { ...(await signIn(app, observer.email)), personId: observer.personId };
    case 'facilitator':
      return { ...(await signIn(app, facilitator.email)), personId: facilitator.personId };
    case 'admin':
      return { ...(await signIn(app, admin.email)), personId: admin.personId };
  }
}

/**
 * One session per actor, reused from cell to cell: signing in afresh for each of the 500 cells was
 * most of this file's time. A session is dropped when a response set a cookie (sign-in, sign-out,
 * joining…), and checked before each reuse: it must still speak, in the database, for that actor.
 */
const sessions = new Map<ActorName, Session & { personId: string | null }>();

async function speaksFor(actor: ActorName, session: Session & { personId: string | null }): Promise<boolean> {
  if (actor === 'anonymous') return true; // a visitor's cookie is all there is, and no response changed it
  const token = session.cookie.replace(/^so_session=/, '');
  const resolved = await resolveSession(database.db, token, testConfig().sessionIdleMinutes);
  const expected = actor === 'guest' || actor === 'other_guest' ? 'guest' : 'account';
  return (
    resolved !== null &&
    resolved.actor.kind === expected &&
    resolved.actor.personId === session.personId &&
    (resolved.actor.kind === 'guest' || resolved.actor.role === actor)
  );
}

async function sessionOf(actor: ActorName): Promise<Session> {
  const kept = sessions.get(actor);
  if (kept && (await speaksFor(actor, kept))) return kept;
  const fresh = await newSession(actor);
  sessions.set(actor, fresh);
  return fresh;
}

/** After a response that set a cookie, the actor's agent may be someone else now: the next cell starts anew. */
function forgetIfCookieSet(actor: ActorName, res: { headers: Record<string, unknown> }): void {
  if (res.headers['set-cookie']) sessions.delete(actor);
}

interface RouteCase {
  method: 'get' | 'post';
  /** The route as registered in Express. */
  route: string;
  /** Prepares what the request needs (a guest to remove, a reset token…); returns the concrete path. */
  path: () => Promise<string> | string;
  body?: () => Record<string, string>;
  allowed: readonly ActorName[];
  /** Actors the policy lets through but the method itself refuses (422, nothing stored). */
  methodRefuses?: readonly ActorName[];
  /** A server-sent event stream: only its status line is read. */
  stream?: boolean;
}

const EVERYONE = ACTORS;
const ACCOUNTS: readonly ActorName[] = ['member', 'observer', 'facilitator', 'admin'];
const RUNNERS: readonly ActorName[] = ['facilitator', 'admin'];
const ADMIN: readonly ActorName[] = ['admin'];

const VIEWERS: readonly ActorName[] = [...ACCOUNTS, 'guest'];

/** A fresh draft proposal on the meeting, facilitated by the meeting's facilitator. */
async function freshProposal(): Promise<string> {
  const proposals = new ProposalService({ db: database.db });
  const live = new LiveMeetingService({ db: database.db, proposals });
  // guests do not put items on the agenda: the author is a member account that joined the meeting
  const author = await seedAccount(database.db, 'member');
  await insertMember(database.db, { meetingId: meeting.id, personId: author.personId, role: 'participant', isGuest: false, present: true });
  return live.draft(author.actor, meeting.id, {
    title: `Proposition ${unique()}`,
    tension: 'Une tension',
    text: 'Un texte',
    criteria: '',
    reviewDate: null,
    validitySet: 'importante_argumentee',
  });
}

let decided: string | null = null;
/** One decided proposal, for the register's record pages. */
async function decidedProposal(): Promise<string> {
  decided ??= await (await decisionMaker(database, { admin })).decide({ title: 'Décision du registre', text: 'Un texte adopté.' });
  return decided;
}

/** A fresh séance of the matrix's facilitator, opened. */
async function openedMeeting(): Promise<string> {
  const { id } = await seedMeeting(database.db, facilitator.actor, circleId);
  await new SeanceService({ db: database.db }).open(facilitator.actor, id);
  return id;
}

/** The matrix's meeting with two drafts and its dot vote open (`open`) or closed (`!open`); returns a draft. */
async function dotVote(open: boolean): Promise<string> {
  const votes = new DotVoteService({ db: database.db });
  const draft = await freshProposal();
  await freshProposal();
  await votes.handle(facilitator.actor, meeting.id, { type: 'close' }).catch(() => {});
  if (open) await votes.handle(facilitator.actor, meeting.id, { type: 'open' });
  return draft;
}

let dotDraft = '';
let mergePair: [string, string] = ['', ''];
let closed: string | null = null;
/** One closed séance, for its relevé (a guest of the matrix's meeting does not know it: 404). */
async function closedMeeting(): Promise<string> {
  if (!closed) {
    closed = await openedMeeting();
    await new SeanceService({ db: database.db }).close(facilitator.actor, closed);
  }
  return closed;
}

let published: string | null = null;
/** One published decision, for the public pages. */
async function publishedDecision(): Promise<string> {
  if (published) return published;
  const id = await (await decisionMaker(database, { admin })).decide({ title: 'Décision publiée', text: 'Un texte public.' });
  await new ProposalService({ db: database.db }).execute(id, { type: 'PublishDecision', actorId: facilitator.personId, at: new Date().toISOString() });
  published = id;
  return id;
}

/** A fresh training session run by the meeting's facilitator (trainer mode). */
async function trainingSession(): Promise<string> {
  return new TrainingService({ db: database.db, proposals: new ProposalService({ db: database.db }) }).start(facilitator.actor, {
    scenarioId: 'atelier-3-consentement',
    circleId,
  });
}

/** Status of a streaming response, read from its head, then the connection is dropped. */
async function streamStatus(session: Session, path: string): Promise<number> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<number>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path, headers: { cookie: session.cookie } }, (res) => {
        resolve(res.statusCode ?? 0);
        res.destroy();
      });
      req.on('error', reject);
    });
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

const CASES: readonly RouteCase[] = [
  { method: 'get', route: '/seances/:id/console', path: () => `/seances/${meeting.id}/console`, allowed: RUNNERS },
  { method: 'get', route: '/seances/:id/participant', path: () => `/seances/${meeting.id}/participant`, allowed: VIEWERS },
  { method: 'get', route: '/seances/:id/porteur', path: () => `/seances/${meeting.id}/porteur`, allowed: VIEWERS },
  { method: 'get', route: '/seances/:id/projection', path: () => `/seances/${meeting.id}/projection`, allowed: VIEWERS },
  // the confirmation page of an action that cannot be undone (without JavaScript): it shows, and stores nothing
  {
    method: 'get',
    route: '/seances/:id/propositions/:pid/:action/confirmer',
    path: async () => `/seances/${meeting.id}/propositions/${await freshProposal()}/retirer/confirmer?retour=participant`,
    allowed: VIEWERS,
  },
  { method: 'get', route: '/seances/:id/flux', path: () => `/seances/${meeting.id}/flux`, allowed: VIEWERS, stream: true },
  // only those who may put an item on the agenda get the form: guests and accounts that did not join are told why (403)
  { method: 'get', route: '/seances/:id/propositions/nouvelle', path: () => `/seances/${meeting.id}/propositions/nouvelle`, allowed: RUNNERS },
  {
    method: 'post',
    route: '/seances/:id/propositions',
    path: () => `/seances/${meeting.id}/propositions`,
    body: () => ({ title: `Proposition ${unique()}`, tension: 'Une tension', text: 'Un texte', validitySet: 'importante_argumentee' }),
    allowed: RUNNERS,
  },
  // the séance as a whole: opening and closing a fresh séance of the matrix's facilitator
  {
    method: 'post',
    route: '/seances/:id/ouverture',
    path: async () => `/seances/${(await seedMeeting(database.db, facilitator.actor, circleId)).id}/ouverture`,
    body: () => ({ lieu: 'Salle du conseil' }),
    allowed: RUNNERS,
  },
  { method: 'post', route: '/seances/:id/cloture', path: async () => `/seances/${await openedMeeting()}/cloture`, allowed: RUNNERS },
  { method: 'get', route: '/seances/:id/releve', path: async () => `/seances/${await closedMeeting()}/releve`, allowed: ACCOUNTS },
  { method: 'get', route: '/seances/:id/suivi', path: () => `/seances/${meeting.id}/suivi`, allowed: RUNNERS },
  {
    method: 'post',
    route: '/seances/:id/propositions/:pid/:action',
    path: async () => `/seances/${meeting.id}/propositions/${await freshProposal()}/presenter`,
    body: () => ({ retour: 'console' }),
    allowed: ['facilitator'],
    // an administrator may run any meeting, but only the proposal's facilitator opens it
    methodRefuses: ['admin'],
  },
  { method: 'post', route: '/seances/:id/arrivee', path: () => `/seances/${meeting.id}/arrivee`, body: () => ({ retour: 'participant' }), allowed: VIEWERS },
  {
    method: 'post',
    route: '/seances/:id/presence',
    path: () => `/seances/${meeting.id}/presence`,
    body: () => ({ nom: `Présente ${unique()}` }),
    allowed: RUNNERS,
  },
  // merging two entries of the séance that are one person: choose, confirm (stores nothing), merge (a fresh pair each time)
  {
    method: 'get',
    route: '/seances/:id/fusion',
    path: async () => `/seances/${meeting.id}/fusion?personne=${(await joinAsGuest(app, database.db, meeting.code)).personId}`,
    allowed: RUNNERS,
  },
  {
    method: 'get',
    route: '/seances/:id/fusion/confirmer',
    path: async () => {
      const [merged, kept] = [await joinAsGuest(app, database.db, meeting.code), await joinAsGuest(app, database.db, meeting.code)];
      return `/seances/${meeting.id}/fusion/confirmer?personne=${merged.personId}&garder=${kept.personId}`;
    },
    allowed: RUNNERS,
  },
  {
    method: 'post',
    route: '/seances/:id/fusion',
    path: async () => {
      mergePair = [(await joinAsGuest(app, database.db, meeting.code)).personId, (await joinAsGuest(app, database.db, meeting.code)).personId];
      return `/seances/${meeting.id}/fusion`;
    },
    body: () => ({ personne: mergePair[0], garder: mergePair[1] }),
    allowed: RUNNERS,
  },
  { method: 'post', route: '/registre/verification', path: () => '/registre/verification', allowed: ADMIN },
  {
    method: 'post',
    route: '/seances/:id/vote-a-points/ouvrir',
    path: async () => (await dotVote(false), `/seances/${meeting.id}/vote-a-points/ouvrir`),
    allowed: RUNNERS,
  },
  {
    method: 'post',
    route: '/seances/:id/vote-a-points/clore',
    path: async () => (await dotVote(true), `/seances/${meeting.id}/vote-a-points/clore`),
    allowed: RUNNERS,
  },
  {
    method: 'post',
    route: '/seances/:id/vote-a-points/voix',
    path: async () => {
      dotDraft = await dotVote(true);
      return `/seances/${meeting.id}/vote-a-points/voix`;
    },
    body: () => ({ proposition: dotDraft, sens: 'ajouter', retour: 'participant' }),
    allowed: ['guest', 'facilitator'],
  },
  { method: 'get', route: '/', path: () => '/', allowed: EVERYONE },
  { method: 'get', route: '/healthz', path: () => '/healthz', allowed: EVERYONE },
  { method: 'get', route: '/connexion', path: () => '/connexion', allowed: EVERYONE },
  {
    method: 'post',
    route: '/connexion',
    path: () => '/connexion',
    body: () => ({ email: member.email, password: 'un mot de passe assez long' }),
    allowed: EVERYONE,
  },
  { method: 'post', route: '/deconnexion', path: () => '/deconnexion', allowed: EVERYONE },
  { method: 'get', route: '/rejoindre', path: () => '/rejoindre', allowed: EVERYONE },
  { method: 'get', route: '/rejoindre/:code', path: () => `/rejoindre/${meeting.code}`, allowed: EVERYONE },
  {
    method: 'post',
    route: '/rejoindre',
    path: () => '/rejoindre',
    body: () => ({ code: meeting.code, displayName: `Nouvelle ${unique()}` }),
    allowed: EVERYONE,
  },
  { method: 'get', route: '/seances', path: () => '/seances', allowed: ACCOUNTS },
  { method: 'get', route: '/seances/nouvelle', path: () => '/seances/nouvelle', allowed: RUNNERS },
  {
    method: 'post',
    route: '/seances/nouvelle',
    path: () => '/seances/nouvelle',
    body: () => ({ circleId, title: `Séance ${unique()}`, scheduledFor: '2026-05-04T14:00' }),
    allowed: RUNNERS,
  },
  { method: 'get', route: '/seances/:id', path: () => `/seances/${meeting.id}`, allowed: [...ACCOUNTS, 'guest'] },
  {
    method: 'post',
    route: '/seances/:id/invites/:personId/retirer',
    path: async () => `/seances/${meeting.id}/invites/${(await joinAsGuest(app, database.db, meeting.code)).personId}/retirer`,
    allowed: RUNNERS,
  },
  { method: 'get', route: '/registre', path: () => '/registre?q=objection&issue=adoptee', allowed: ACCOUNTS },
  { method: 'get', route: '/registre/:id', path: async () => `/registre/${await decidedProposal()}`, allowed: ACCOUNTS },
  { method: 'get', route: '/registre/export/decisions.csv', path: () => '/registre/export/decisions.csv', allowed: ACCOUNTS },
  { method: 'get', route: '/registre/export/objections.csv', path: () => '/registre/export/objections.csv?separateur=point-virgule', allowed: ACCOUNTS },
  { method: 'get', route: '/registre/export/decisions.json', path: () => '/registre/export/decisions.json', allowed: ACCOUNTS },
  { method: 'get', route: '/registre/export/donnees-ouvertes.csv', path: () => '/registre/export/donnees-ouvertes.csv?textes=1', allowed: ACCOUNTS },
  { method: 'get', route: '/registre/schema/decisions.json', path: () => '/registre/schema/decisions.json', allowed: EVERYONE },
  { method: 'get', route: '/registre/:id/releve', path: async () => `/registre/${await decidedProposal()}/releve`, allowed: ACCOUNTS },
  { method: 'get', route: '/decisions-publiques', path: () => '/decisions-publiques?q=texte', allowed: EVERYONE },
  { method: 'get', route: '/decisions-publiques/:id', path: async () => `/decisions-publiques/${await publishedDecision()}`, allowed: EVERYONE },
  { method: 'get', route: '/decisions-publiques/:id/releve', path: async () => `/decisions-publiques/${await publishedDecision()}/releve`, allowed: EVERYONE },
  { method: 'get', route: '/registre/:id/verification', path: async () => `/registre/${await decidedProposal()}/verification`, allowed: ACCOUNTS },
  {
    method: 'get',
    route: '/decisions-publiques/:id/verification',
    path: async () => `/decisions-publiques/${await publishedDecision()}/verification`,
    allowed: EVERYONE,
  },
  { method: 'get', route: '/registre/statistiques', path: () => '/registre/statistiques', allowed: ACCOUNTS },
  { method: 'get', route: '/registre/revisions', path: () => '/registre/revisions', allowed: ACCOUNTS },
  { method: 'get', route: '/registre/:id/reviser', path: async () => `/registre/${await decidedProposal()}/reviser`, allowed: RUNNERS },
  {
    method: 'post',
    route: '/registre/:id/reviser',
    path: async () => `/registre/${await decidedProposal()}/reviser`,
    body: () => ({ seance: meeting.id, title: `Révision ${unique()}`, tension: 'Une tension', text: 'Un texte révisé', validitySet: 'importante_argumentee' }),
    allowed: RUNNERS,
  },
  // publishing twice is answered like the first time (a double click), and stores nothing more
  { method: 'post', route: '/registre/:id/publier', path: async () => `/registre/${await decidedProposal()}/publier`, allowed: RUNNERS },
  {
    method: 'post',
    route: '/registre/:id/acte',
    path: async () => `/registre/${await decidedProposal()}/acte`,
    body: () => ({ type_acte: 'deliberation', numero: `D-${unique()}`, date_acte: '2027-01-20', reference: '' }),
    allowed: RUNNERS,
  },
  { method: 'get', route: '/admin/comptes', path: () => '/admin/comptes', allowed: ADMIN },
  {
    method: 'post',
    route: '/admin/comptes',
    path: () => '/admin/comptes',
    body: () => ({ email: `nouveau-${unique()}@test.local`, displayName: 'Nouvelle personne', role: 'member' }),
    allowed: ADMIN,
  },
  {
    method: 'post',
    route: '/admin/comptes/:id/role',
    path: async () => `/admin/comptes/${(await seedAccount(database.db, 'member', { password: null })).personId}/role`,
    body: () => ({ role: 'admin' }),
    allowed: ADMIN,
  },
  {
    method: 'post',
    route: '/admin/comptes/:id/reinitialisation',
    path: async () => `/admin/comptes/${(await seedAccount(database.db, 'member', { password: null })).personId}/reinitialisation`,
    allowed: ADMIN,
  },
  { method: 'get', route: '/admin/cercles', path: () => '/admin/cercles', allowed: ADMIN },
  { method: 'post', route: '/admin/cercles', path: () => '/admin/cercles', body: () => ({ name: `Cercle ${unique()}`, description: '' }), allowed: ADMIN },
  {
    method: 'get',
    route: '/reinitialiser/:token',
    path: async () =>
      `/reinitialiser/${(await issuePasswordReset(database.db, admin.actor, (await seedAccount(database.db, 'member', { password: null })).personId))!.token}`,
    allowed: EVERYONE,
  },
  {
    method: 'post',
    route: '/reinitialiser/:token',
    path: async () =>
      `/reinitialiser/${(await issuePasswordReset(database.db, admin.actor, (await seedAccount(database.db, 'member', { password: null })).personId))!.token}`,
    body: () => ({ password: 'un nouveau mot de passe', confirm: 'un nouveau mot de passe' }),
    allowed: EVERYONE,
  },
  // trainer mode: a guest of the matrix's meeting is a guest of another session, to whom these do not exist
  { method: 'get', route: '/formation', path: () => '/formation', allowed: RUNNERS },
  { method: 'post', route: '/formation', path: () => '/formation', body: () => ({ scenario: 'plan-climat', cercle: circleId }), allowed: RUNNERS },
  { method: 'get', route: '/formation/:id', path: async () => `/formation/${await trainingSession()}`, allowed: ACCOUNTS },
  { method: 'get', route: '/formation/:id/projection', path: async () => `/formation/${await trainingSession()}/projection`, allowed: ACCOUNTS },
  { method: 'get', route: '/formation/:id/bilan', path: async () => `/formation/${await trainingSession()}/bilan`, allowed: ACCOUNTS },
  {
    method: 'post',
    route: '/formation/:id/personas/:persona/prendre',
    path: async () => `/formation/${await trainingSession()}/personas/dgs/prendre`,
    allowed: ['facilitator'],
  },
  {
    method: 'post',
    route: '/formation/:id/personas/:persona/reprendre',
    path: async () => `/formation/${await trainingSession()}/personas/dgs/reprendre`,
    allowed: RUNNERS,
  },
  {
    method: 'post',
    route: '/formation/:id/personas/:persona/position',
    path: async () => `/formation/${await trainingSession()}/personas/dgs/position`,
    body: () => ({ position: '4' }),
    allowed: RUNNERS,
  },
  // the facilitator takes part, but plays no persona yet: the method refuses a position without one
  {
    method: 'post',
    route: '/formation/:id/position',
    path: async () => `/formation/${await trainingSession()}/position`,
    body: () => ({ position: '2' }),
    allowed: ['facilitator'],
    methodRefuses: ['facilitator'],
  },
  {
    method: 'post',
    route: '/formation/:id/personas/:persona/prendre-la-main',
    path: async () => `/formation/${await trainingSession()}/personas/drh/prendre-la-main`,
    allowed: RUNNERS,
  },
  { method: 'post', route: '/formation/:id/etape', path: async () => `/formation/${await trainingSession()}/etape`, allowed: RUNNERS },
  {
    method: 'post',
    route: '/formation/:id/lecture-auto',
    path: async () => `/formation/${await trainingSession()}/lecture-auto`,
    body: () => ({ vitesse: '3' }),
    allowed: RUNNERS,
  },
  {
    method: 'post',
    route: '/formation/:id/agir',
    path: async () => `/formation/${await trainingSession()}/agir`,
    body: () => ({ action: 'passer' }),
    allowed: ['facilitator'],
    methodRefuses: ['facilitator'],
  },
  { method: 'post', route: '/formation/:id/observer', path: async () => `/formation/${await trainingSession()}/observer`, allowed: ['facilitator'] },
  { method: 'post', route: '/formation/:id/reveler', path: async () => `/formation/${await trainingSession()}/reveler`, allowed: RUNNERS },
  { method: 'post', route: '/formation/:id/reinitialiser', path: async () => `/formation/${await trainingSession()}/reinitialiser`, allowed: RUNNERS },
  {
    method: 'post',
    route: '/formation/:id/voix',
    path: async () => `/formation/${await trainingSession()}/voix`,
    body: () => ({ projet: 'plan-climat', sens: 'ajouter' }),
    allowed: ['facilitator'],
  },
  {
    method: 'post',
    route: '/formation/:id/scenario',
    path: async () => `/formation/${await trainingSession()}/scenario`,
    body: () => ({ scenario: 'plan-climat' }),
    allowed: RUNNERS,
  },
];

describe('the route list', () => {
  it('when the app registers its routes, then every one of them has a row in the matrix', () => {
    const registered = new Set<string>();
    type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
    const walk = (stack: Layer[]) => {
      for (const layer of stack) {
        if (layer.route) for (const m of Object.keys(layer.route.methods)) if (m !== '_all') registered.add(`${m} ${layer.route.path}`);
        if (layer.handle?.stack) walk(layer.handle.stack);
      }
    };
    walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
    const covered = new Set(CASES.map((c) => `${c.method} ${c.route}`));
    expect([...registered].sort()).toEqual([...covered].sort());
  });
});

describe.each(CASES)('$method $route', (c) => {
  it.each(ACTORS)('when %s asks, then the policy answers and a refusal changes nothing', async (actor) => {
    const session = await sessionOf(actor);
    const path = await c.path();
    // the digest of every table is what a refusal must leave unchanged: taken only where one is expected
    const refusalExpected = !c.stream && (!c.allowed.includes(actor) || c.methodRefuses?.includes(actor));
    const before = refusalExpected ? await fingerprint(database.db) : null;
    if (c.stream) {
      const status = await streamStatus(session, path);
      if (c.allowed.includes(actor)) expect(status).toBe(200);
      else expect([303, 403, 404]).toContain(status);
      return;
    }
    if (c.methodRefuses?.includes(actor)) {
      const refused = await session.agent
        .post(path)
        .type('form')
        .send({ _csrf: session.csrf, ...(c.body?.() ?? {}) });
      forgetIfCookieSet(actor, refused);
      expect(refused.status).toBe(422);
      expect(await fingerprint(database.db)).toEqual(before);
      return;
    }
    const res =
      c.method === 'get'
        ? await session.agent.get(path)
        : await session.agent
            .post(path)
            .type('form')
            .send({ _csrf: session.csrf, ...(c.body?.() ?? {}) });
    forgetIfCookieSet(actor, res);
    const toSignIn = res.status === 303 && String(res.headers.location).startsWith('/connexion?next=');
    if (c.allowed.includes(actor)) {
      expect(res.status, `${actor} ${c.method} ${path}: ${res.text.slice(0, 300)}`).toBeLessThan(400);
      expect(toSignIn).toBe(false);
    } else {
      if (actor === 'anonymous' && c.method === 'get') expect(toSignIn, `${actor} ${path} → ${res.status}`).toBe(true);
      else expect([403, 404], `${actor} ${c.method} ${path} → ${res.status}`).toContain(res.status);
      expect(await fingerprint(database.db)).toEqual(before);
    }
  });
});

describe('what a guest may know', () => {
  it('when a guest asks for another meeting, then it does not exist for them (404)', async () => {
    const guest = await joinAsGuest(app, database.db, otherMeeting.code);
    await guest.agent.get(`/seances/${meeting.id}`).expect(404);
  });

  it('when the facilitator removes a guest, then the guest can no longer see the meeting', async () => {
    const guest = await joinAsGuest(app, database.db, meeting.code);
    await guest.agent.get(`/seances/${meeting.id}`).expect(200);
    const runner = await signIn(app, facilitator.email);
    await runner.agent.post(`/seances/${meeting.id}/invites/${guest.personId}/retirer`).type('form').send({ _csrf: runner.csrf }).expect(303);
    const res = await guest.agent.get(`/seances/${meeting.id}`).expect(303);
    // the device still knows the séance (its rejoin cookie): it is sent to the join page, as a new guest
    expect(res.headers.location).toBe(`/rejoindre/${meeting.code}`);
  });

  it('when another facilitator (not running this meeting) tries to remove a guest, then it is refused and nothing changes', async () => {
    const other = await seedAccount(database.db, 'facilitator');
    const guest = await joinAsGuest(app, database.db, meeting.code);
    const session = await signIn(app, other.email);
    const before = await fingerprint(database.db);
    await session.agent.post(`/seances/${meeting.id}/invites/${guest.personId}/retirer`).type('form').send({ _csrf: session.csrf }).expect(403);
    expect(await fingerprint(database.db)).toEqual(before);
  });
});

describe('the fingerprint the refusals are checked with', () => {
  it('when a row of any table changes, then the digest changes; a session seen again later does not change it', async () => {
    const before = await fingerprint(database.db);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['events', 'persons', 'sessions']));
    await database.db.updateTable('sessions').set({ last_seen_at: new Date() }).execute();
    expect(await fingerprint(database.db)).toEqual(before);
    await seedCircle(database.db, admin.actor);
    const after = await fingerprint(database.db);
    expect(after).not.toEqual(before);
    expect(Object.keys(after).filter((table) => after[table] !== before[table])).toContain('circles');
  });
});
