/**
 * What one person sees of a training session now: the personas (positions hidden until the
 * reveal, except one's own), the comparison once revealed, the dot vote and the proposal the
 * personas play. Read only; the commands are in training.service.ts.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AccessDenied, authorize, can, type Actor, type MeetingFacts } from '../accounts/policy.ts';
import type { Position } from '../consent/rules.ts';
import type { Proposal } from '../consent/index.ts';
import type { ActionName } from '../proposals/actions.ts';
import { rankByDots } from '../meetings/dots.ts';
import { compare, type Comparison } from './comparison.ts';
import { nextOf, personaActions, type PlayDeps } from './play.ts';
import type { Step } from './script.ts';
import { findScenario, projects, type Persona, type Scenario } from './scenarios.ts';
import * as cast from './training-personas.repository.ts';
import * as repo from './training.repository.ts';

export interface PersonaView {
  persona: Persona;
  /** Shown to everyone once revealed; before that, only to the trainee who plays it. */
  position: Position | null;
  chosen: boolean;
  takenBy: string | null;
  takenByName: string | null;
  mine: boolean;
  /** The trainer took it over: the app does not play it. */
  held: boolean;
  /** Who speaks for it in the proposal. */
  personId: string | null;
  /** What it may say now on the proposal, for whoever plays it (the trainee, or the trainer when held). */
  actions: { action: ActionName; questionId?: string; objectionId?: string }[];
}

export interface TrainingView {
  session: repo.SessionRow;
  scenario: Scenario;
  personas: PersonaView[];
  revealed: boolean;
  chosenCount: number;
  /** Once revealed: the three rules read from the same positions. */
  comparison: Comparison | null;
  me: { personId: string; isTrainer: boolean; canParticipate: boolean; persona: PersonaView | null };
  trainees: number;
  observers: number;
  votes: { perPerson: number; left: number; mine: Record<string, number>; voters: number; tally: { scenario: Scenario; dots: number; tied: boolean }[] };
  /** The real proposal the personas play, and what « Étape suivante » plays next. */
  play: { proposal: Proposal | null; step: Step; autoplaySeconds: number | null; atStart: boolean };
}

/** What the policy needs about the session's séance, for this actor. */
export async function sessionFacts(db: Kysely<DB> | Transaction<DB>, actor: Actor, session: repo.SessionRow): Promise<MeetingFacts> {
  const role = actor.kind === 'anonymous' ? null : await repo.findMemberRole(db, session.meetingId, actor.personId);
  return { id: session.meetingId, facilitatorPersonId: session.facilitatorPersonId, secretaryPersonId: session.secretaryPersonId, actorRole: role };
}

/** What one person sees of the session now. */
export async function readTrainingView(deps: PlayDeps, actor: Actor, meetingId: string): Promise<TrainingView> {
  if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
  const session = await repo.findSession(deps.db, meetingId);
  if (!session) throw new AccessDenied('not_found');
  const facts = await sessionFacts(deps.db, actor, session);
  authorize(actor, { type: 'meeting.view', meeting: facts });
  const scenario = findScenario(session.scenarioId);
  if (!scenario) throw new Error(`scenario ${session.scenarioId} is no longer shipped`);
  const [rows, members, votes] = await Promise.all([
    cast.listPersonas(deps.db, meetingId),
    repo.listMembers(deps.db, meetingId),
    repo.listVotes(deps.db, meetingId),
  ]);
  const revealed = session.phase === 'revealed';
  const byId = new Map(scenario.personas.map((p) => [p.id, p]));
  const isTrainer = can(actor, { type: 'meeting.facilitate', meeting: facts });
  const { proposal, step } = await nextOf(deps, session, scenario, rows);
  const personas: PersonaView[] = rows.flatMap((r) => {
    const persona = byId.get(r.personaId);
    if (!persona) return [];
    const mine = r.takenBy === actor.personId;
    const plays = mine || (isTrainer && r.held);
    return [
      {
        persona,
        position: revealed || mine ? (r.position as Position | null) : null,
        chosen: r.position !== null,
        takenBy: r.takenBy,
        takenByName: r.takenByName,
        mine,
        held: r.held,
        personId: r.personId,
        actions: plays ? personaActions(proposal, r.personId) : [],
      },
    ];
  });
  const personaIds = new Set(rows.map((r) => r.personId));
  const mine: Record<string, number> = {};
  const totals = new Map<string, number>();
  for (const v of votes) {
    if (v.personId === actor.personId) mine[v.projectId] = v.dots;
    totals.set(v.projectId, (totals.get(v.projectId) ?? 0) + v.dots);
  }
  const used = Object.values(mine).reduce((a, b) => a + b, 0);
  // the agenda: most dots first, the scenario files' order among equals
  const tally = rankByDots(projects(), (s) => totals.get(s.id) ?? 0).map((r) => ({ scenario: r.item, dots: r.dots, tied: r.tied }));
  return {
    session,
    scenario,
    personas,
    revealed,
    chosenCount: rows.filter((r) => r.position !== null).length,
    comparison: revealed
      ? compare(rows.filter((r) => byId.has(r.personaId)).map((r) => ({ personaId: r.personaId, position: r.position as Position | null })))
      : null,
    me: {
      personId: actor.personId,
      isTrainer,
      canParticipate: can(actor, { type: 'meeting.participate', meeting: facts }),
      persona: personas.find((p) => p.mine) ?? null,
    },
    trainees: members.filter((m) => m.role === 'participant' && !personaIds.has(m.personId)).length,
    observers: members.filter((m) => m.role === 'observer').length,
    votes: { perPerson: session.votesPerPerson, left: session.votesPerPerson - used, mine, voters: new Set(votes.map((v) => v.personId)).size, tally },
    play: {
      proposal,
      step,
      autoplaySeconds: session.autoplaySeconds,
      atStart:
        !revealed &&
        votes.length === 0 &&
        proposal?.stage === 'draft' &&
        rows.every((r) => r.position === (r.takenBy ? null : (byId.get(r.personaId)?.position ?? null))),
    },
  };
}
