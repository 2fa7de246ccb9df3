/**
 * Trainer mode: start a training session from a scenario, then `handle(actor, meetingId, command)`:
 * in one transaction load the session (locked), authorise through the policy, change; publish
 * `meeting-changed` after commit so every open view of the session refreshes.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AccessDenied, authorize, type Actor } from '../accounts/policy.ts';
import { newJoinCode } from '../accounts/crypto.ts';
import type { Position } from '../consent/rules.ts';
import type { Publisher } from '../realtime/signals.ts';
import type { ProposalService } from '../proposals/proposal.service.ts';
import type { ActionName } from '../proposals/actions.ts';
import type { ScriptInput } from './commands.ts';
import { actAs, ensureProposal, PERSONA_ACTIONS, playStep, restartProposal, type PlayDeps } from './play.ts';
import { findScenario, projects, scenarios, scripted, type Scenario } from './scenarios.ts';
import { TrainingError } from './training.errors.ts';
import * as cast from './training-personas.repository.ts';
import * as repo from './training.repository.ts';
import { readTrainingView, sessionFacts, type TrainingView } from './training.view.ts';

export { TrainingError };
export type { PersonaView, TrainingView } from './training.view.ts';

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

export interface TrainingDeps {
  db: Kysely<DB>;
  /** The same proposal service as real séances: the personas' proposal goes through it. */
  proposals: ProposalService;
  publisher?: Publisher;
  now?: () => Date;
}

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

  /** What one person sees of the session now. */
  view(actor: Actor, meetingId: string): Promise<TrainingView> {
    return readTrainingView(this.play, actor, meetingId);
  }

  /** Whether a meeting is a training session (a guest who joins by code is sent to its view). */
  isTraining(meetingId: string): Promise<boolean> {
    return repo.isTrainingMeeting(this.deps.db, meetingId);
  }

  /** Creates the session's proposal if it is not stored yet (after the session's own transaction). */
  private async ensure(meetingId: string): Promise<void> {
    const session = await repo.findSession(this.deps.db, meetingId);
    const scenario = session ? findScenario(session.scenarioId) : undefined;
    if (session && scenario) await ensureProposal(this.play, session, scenario, await cast.listPersonas(this.deps.db, meetingId));
  }

  /** Loads the session and its scenario and authorises the actor; nothing locked. */
  private async load(actor: Actor, meetingId: string, action: 'meeting.facilitate' | 'meeting.participate') {
    if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
    const session = await repo.findSession(this.deps.db, meetingId);
    if (!session) throw new AccessDenied('not_found');
    authorize(actor, { type: action, meeting: await sessionFacts(this.deps.db, actor, session) });
    const scenario = findScenario(session.scenarioId);
    if (!scenario) throw new TrainingError('unknown_scenario');
    return { session, scenario, personId: actor.personId, rows: await cast.listPersonas(this.deps.db, meetingId) };
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
      const facts = await sessionFacts(tx, actor, session);
      authorize(actor, { type: TRAINER_COMMANDS.has(command.type) ? 'meeting.facilitate' : 'meeting.participate', meeting: facts });
      const scenario = findScenario(session.scenarioId);
      const persona = (id: string) => {
        if (!scenario?.personas.some((p) => p.id === id)) throw new TrainingError('unknown_persona');
      };
      switch (command.type) {
        case 'take':
          persona(command.personaId);
          await cast.releasePersonasOf(tx, meetingId, actor.personId);
          if (!(await cast.takePersona(tx, meetingId, command.personaId, actor.personId))) throw new TrainingError('persona_taken');
          return;
        case 'observe':
          await cast.releasePersonasOf(tx, meetingId, actor.personId);
          await repo.makeObserver(tx, meetingId, actor.personId);
          return;
        case 'choose': {
          const mine = (await cast.listPersonas(tx, meetingId)).find((p) => p.takenBy === actor.personId);
          if (!mine) throw new TrainingError('no_persona');
          await cast.setPosition(tx, meetingId, mine.personaId, command.position);
          return;
        }
        case 'move':
          persona(command.personaId);
          await cast.setPosition(tx, meetingId, command.personaId, command.position);
          return;
        case 'reclaim':
          persona(command.personaId);
          await cast.reclaimPersona(tx, meetingId, command.personaId);
          return;
        case 'hold':
          persona(command.personaId);
          await cast.holdPersona(tx, meetingId, command.personaId);
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
