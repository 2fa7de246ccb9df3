/**
 * Trainer mode: start a training session from a scenario, then `handle(actor, meetingId, command)`:
 * in one transaction load the session (locked), authorise through the policy, change; publish
 * `meeting-changed` after commit so every open view of the session refreshes.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AccessDenied, authorize, can, type Actor, type MeetingFacts } from '../accounts/policy.ts';
import { newJoinCode } from '../accounts/crypto.ts';
import type { Position } from '../consent/rules.ts';
import type { Publisher } from '../realtime/signals.ts';
import type { ProposalService } from '../proposals/proposal.service.ts';
import type { Proposal } from '../consent/index.ts';
import type { ActionName } from '../proposals/actions.ts';
import type { ScriptInput } from './commands.ts';
import { compare, type Comparison } from './comparison.ts';
import { actAs, ensureProposal, nextOf, PERSONA_ACTIONS, personaActions, playStep, restartProposal, type PlayDeps } from './play.ts';
import type { Step } from './script.ts';
import { findScenario, scenarios, type Persona, type Scenario } from './scenarios.ts';
import * as repo from './training.repository.ts';
import { rankByDots } from '../meetings/dots.ts';

/** A refusal of trainer mode; its text is `training.errors.<code>`. */
export class TrainingError extends Error {
  constructor(
    readonly code:
      | 'persona_taken'
      | 'no_persona'
      | 'already_revealed'
      | 'no_votes_left'
      | 'no_vote_here'
      | 'unknown_project'
      | 'unknown_persona'
      | 'unknown_scenario'
      | 'unknown_circle'
      | 'not_yours'
      | 'waiting'
      | 'finished',
  ) {
    super(code);
    this.name = 'TrainingError';
  }
}

export type TrainingCommand =
  | { type: 'take'; personaId: string }
  | { type: 'observe' }
  | { type: 'choose'; position: Position }
  | { type: 'move'; personaId: string; position: Position }
  | { type: 'reclaim'; personaId: string }
  | { type: 'hold'; personaId: string }
  | { type: 'autoplay'; seconds: number | null }
  | { type: 'reveal' }
  | { type: 'reset' }
  | { type: 'vote'; projectId: string; delta: 1 | -1 }
  | { type: 'switch'; scenarioId: string };

const TRAINER_COMMANDS: ReadonlySet<TrainingCommand['type']> = new Set(['move', 'reclaim', 'hold', 'autoplay', 'reveal', 'reset', 'switch']);
/** Auto-play speeds offered, in seconds between two steps. */
export const AUTOPLAY_SPEEDS = [1, 3, 6] as const;

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

export interface TrainingDeps {
  db: Kysely<DB>;
  /** The same proposal service as real séances: the personas' proposal goes through it. */
  proposals: ProposalService;
  publisher?: Publisher;
  now?: () => Date;
}

const scripted = (s: Scenario) => s.personas.map((p) => ({ id: p.id, name: p.name, position: p.position }));
/** The candidate projects of the dot vote: the scenarios' « C’est mon choix » projects. */
export const projects = (): Scenario[] => [...scenarios().values()].filter((s) => s.kind === 'projet');

export class TrainingService {
  private readonly play: PlayDeps;
  constructor(private readonly deps: TrainingDeps) {
    scenarios(); // a broken scenario file stops the app at start, with its name and the field
    this.play = { db: deps.db, proposals: deps.proposals, ...(deps.now ? { now: deps.now } : {}) };
  }

  /** What a trainer needs to start a session: the scenarios, the circles, the sessions already started. */
  async startPage(actor: Actor): Promise<{ scenarios: Scenario[]; circles: { id: string; name: string }[]; sessions: repo.SessionRow[] }> {
    authorize(actor, { type: 'meeting.create' });
    const [circles, sessions] = await Promise.all([repo.listCircles(this.deps.db), repo.listSessions(this.deps.db)]);
    return { scenarios: [...scenarios().values()], circles, sessions };
  }

  /** A facilitator (or an admin) starts a training session: a meeting flagged as training, joined by code. */
  async start(actor: Actor, input: { scenarioId: string; circleId: string }): Promise<string> {
    authorize(actor, { type: 'meeting.create' });
    if (actor.kind !== 'account') throw new AccessDenied('forbidden');
    const scenario = findScenario(input.scenarioId);
    if (!scenario) throw new TrainingError('unknown_scenario');
    for (let attempt = 0; ; attempt++) {
      try {
        const id = await this.deps.db.transaction().execute(async (tx) => {
          if (!(await repo.circleExists(tx, input.circleId))) throw new TrainingError('unknown_circle');
          return repo.insertSession(tx, {
            circleId: input.circleId,
            title: `Formation : ${scenario.title}`,
            joinCode: newJoinCode(),
            facilitatorPersonId: actor.personId,
            scenarioId: scenario.id,
            proposalId: randomUUID(),
            personas: scripted(scenario),
          });
        });
        await this.ensure(id);
        return id;
      } catch (error) {
        // two sessions drew the same join code at the same moment: draw again
        if (attempt < 5 && (error as { code?: string }).code === '23505') continue;
        throw error;
      }
    }
  }

  private async facts(db: Kysely<DB> | Transaction<DB>, actor: Actor, session: repo.SessionRow): Promise<MeetingFacts> {
    const role = actor.kind === 'anonymous' ? null : await repo.findMemberRole(db, session.meetingId, actor.personId);
    return { id: session.meetingId, facilitatorPersonId: session.facilitatorPersonId, secretaryPersonId: session.secretaryPersonId, actorRole: role };
  }

  /** Whether a meeting is a training session (a guest who joins by code is sent to its view). */
  isTraining(meetingId: string): Promise<boolean> {
    return repo.isTrainingMeeting(this.deps.db, meetingId);
  }

  /** What one person sees of the session now. */
  async view(actor: Actor, meetingId: string): Promise<TrainingView> {
    if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
    const session = await repo.findSession(this.deps.db, meetingId);
    if (!session) throw new AccessDenied('not_found');
    const facts = await this.facts(this.deps.db, actor, session);
    authorize(actor, { type: 'meeting.view', meeting: facts });
    const scenario = findScenario(session.scenarioId);
    if (!scenario) throw new Error(`scenario ${session.scenarioId} is no longer shipped`);
    const [rows, members, votes] = await Promise.all([
      repo.listPersonas(this.deps.db, meetingId),
      repo.listMembers(this.deps.db, meetingId),
      repo.listVotes(this.deps.db, meetingId),
    ]);
    const revealed = session.phase === 'revealed';
    const byId = new Map(scenario.personas.map((p) => [p.id, p]));
    const isTrainer = can(actor, { type: 'meeting.facilitate', meeting: facts });
    const { proposal, step } = await nextOf(this.play, session, scenario, rows);
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

  /** Creates the session's proposal if it is not stored yet (after the session's own transaction). */
  private async ensure(meetingId: string): Promise<void> {
    const session = await repo.findSession(this.deps.db, meetingId);
    const scenario = session ? findScenario(session.scenarioId) : undefined;
    if (session && scenario) await ensureProposal(this.play, session, scenario, await repo.listPersonas(this.deps.db, meetingId));
  }

  /** Loads the session and its scenario and authorises the actor; nothing locked. */
  private async load(actor: Actor, meetingId: string, action: 'meeting.facilitate' | 'meeting.participate') {
    if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
    const session = await repo.findSession(this.deps.db, meetingId);
    if (!session) throw new AccessDenied('not_found');
    authorize(actor, { type: action, meeting: await this.facts(this.deps.db, actor, session) });
    const scenario = findScenario(session.scenarioId);
    if (!scenario) throw new TrainingError('unknown_scenario');
    return { session, scenario, personId: actor.personId, rows: await repo.listPersonas(this.deps.db, meetingId) };
  }

  /**
   * « Étape suivante »: the trainer (or the auto-play timer on the trainer's page) plays the next
   * scripted action through the proposal service. Refused, changing nothing, when it is the turn
   * of a persona played by a person, or when the proposal is settled.
   */
  async step(actor: Actor, meetingId: string): Promise<void> {
    const { session, scenario, rows } = await this.load(actor, meetingId, 'meeting.facilitate');
    const step = await playStep(this.play, session, scenario, rows);
    if (step.kind === 'wait') throw new TrainingError('waiting');
    if (step.kind === 'done') throw new TrainingError('finished');
    if (step.position !== undefined) await this.signal(meetingId);
  }

  /** A trainee (for the persona they took) or the trainer (for a persona they hold) acts for real. */
  async act(actor: Actor, meetingId: string, command: { personaId: string | null; action: ActionName; input: ScriptInput }): Promise<void> {
    if (!PERSONA_ACTIONS.has(command.action)) throw new TrainingError('not_yours');
    const trainer = command.personaId !== null;
    const { session, personId, rows } = await this.load(actor, meetingId, trainer ? 'meeting.facilitate' : 'meeting.participate');
    const row = rows.find((r) => (trainer ? r.personaId === command.personaId && r.held : r.takenBy === personId));
    if (!row?.personId) throw new TrainingError(trainer ? 'not_yours' : 'no_persona');
    await actAs(this.play, session, row.personId, command.action, command.input);
  }

  private async signal(meetingId: string): Promise<void> {
    // after commit: a lost signal never undoes a change (views also refresh on reconnection)
    await Promise.resolve(this.deps.publisher?.publish({ name: 'meeting-changed', meetingId })).catch(() => {});
  }

  /** Runs one command of trainer mode; refusals change nothing. */
  async handle(actor: Actor, meetingId: string, command: TrainingCommand): Promise<void> {
    if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
    // reset and switch replace a proposal in progress: it is withdrawn first, in its own transaction
    let fresh: string | null = null;
    if (command.type === 'reset' || command.type === 'switch') {
      const { session, scenario, rows } = await this.load(actor, meetingId, 'meeting.facilitate');
      if (command.type === 'switch' && !findScenario(command.scenarioId)) throw new TrainingError('unknown_scenario');
      fresh = await restartProposal(this.play, session, scenario, rows, command.type === 'switch');
    }
    await this.deps.db.transaction().execute(async (tx) => {
      const session = await repo.findSession(tx, meetingId, { lock: true });
      if (!session) throw new AccessDenied('not_found');
      const facts = await this.facts(tx, actor, session);
      authorize(actor, { type: TRAINER_COMMANDS.has(command.type) ? 'meeting.facilitate' : 'meeting.participate', meeting: facts });
      const scenario = findScenario(session.scenarioId);
      const persona = (id: string) => {
        if (!scenario?.personas.some((p) => p.id === id)) throw new TrainingError('unknown_persona');
      };
      switch (command.type) {
        case 'take':
          persona(command.personaId);
          await repo.releasePersonasOf(tx, meetingId, actor.personId);
          if (!(await repo.takePersona(tx, meetingId, command.personaId, actor.personId))) throw new TrainingError('persona_taken');
          return;
        case 'observe':
          await repo.releasePersonasOf(tx, meetingId, actor.personId);
          await repo.makeObserver(tx, meetingId, actor.personId);
          return;
        case 'choose': {
          const mine = (await repo.listPersonas(tx, meetingId)).find((p) => p.takenBy === actor.personId);
          if (!mine) throw new TrainingError('no_persona');
          await repo.setPosition(tx, meetingId, mine.personaId, command.position);
          return;
        }
        case 'move':
          persona(command.personaId);
          await repo.setPosition(tx, meetingId, command.personaId, command.position);
          return;
        case 'reclaim':
          persona(command.personaId);
          await repo.reclaimPersona(tx, meetingId, command.personaId);
          return;
        case 'hold':
          persona(command.personaId);
          await repo.holdPersona(tx, meetingId, command.personaId);
          return;
        case 'autoplay':
          await repo.setAutoplay(tx, meetingId, command.seconds);
          return;
        case 'reveal':
          if (session.phase === 'revealed') throw new TrainingError('already_revealed');
          await repo.setPhase(tx, meetingId, 'revealed');
          return;
        case 'reset':
          await repo.resetSession(tx, meetingId, scenario ? scripted(scenario) : []);
          if (fresh) await repo.setProposal(tx, meetingId, fresh);
          return;
        case 'vote': {
          if (!projects().some((p) => p.id === command.projectId)) throw new TrainingError('unknown_project');
          if (command.delta === -1) {
            if (!(await repo.removeDot(tx, meetingId, actor.personId, command.projectId))) throw new TrainingError('no_vote_here');
            return;
          }
          const used = (await repo.listVotes(tx, meetingId)).filter((v) => v.personId === actor.personId).reduce((a, v) => a + v.dots, 0);
          if (used >= session.votesPerPerson) throw new TrainingError('no_votes_left');
          await repo.addDot(tx, meetingId, actor.personId, command.projectId);
          return;
        }
        case 'switch': {
          const next = findScenario(command.scenarioId);
          if (!next) throw new TrainingError('unknown_scenario');
          await repo.switchScenario(tx, meetingId, next.id, fresh ?? randomUUID(), scripted(next));
          return;
        }
        default: {
          const unknown: never = command;
          throw new Error(`unknown training command ${JSON.stringify(unknown)}`);
        }
      }
    });
    if (fresh || command.type === 'switch') await this.ensure(meetingId);
    await this.signal(meetingId);
  }
}
