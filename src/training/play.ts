/**
 * The personas played through the real consent core: the session's proposal is created, moved and
 * adopted by the same ProposalService as a real séance's (one transaction per command, the
 * `proposal-changed` signal after commit), so the live views of the séance follow it too.
 * Callers authorise first; nothing here decides who may act.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Proposal } from '../consent/index.ts';
import type { DB, Executor } from '../db/schema.ts';
import type { CommandResult, ProposalService } from '../proposals/proposal.service.ts';
import type { ActionName } from '../proposals/actions.ts';
import { allowedActions } from '../proposals/allowed.ts';
import { loadHead } from '../proposals/proposals.repository.ts';
import { scriptedCommand, type ScriptInput } from './commands.ts';
import { nextStep, type PlayedPersona, type Step } from './script.ts';
import type { Scenario } from './scenarios.ts';
import * as cast from './training-personas.repository.ts';
import * as repo from './training.repository.ts';

export interface PlayDeps {
  db: Kysely<DB>;
  proposals: ProposalService;
  now?: () => Date;
}

/** What a persona says for itself (facilitation stays with the trainer). */
export const PERSONA_ACTIONS: ReadonlySet<ActionName> = new Set([
  'question',
  'repondre',
  'decliner',
  'passer',
  'reaction',
  'amender',
  'maintenir',
  'pas-objection',
  'objection',
  'preoccupation',
  'levee',
  'tension-resolue',
  'retirer-objection',
]);

const TERMINAL = new Set(['adopted', 'withdrawn', 'postponed']);

/** The submission key of the step played on a proposal at a sequence number (UUID-shaped, as keys are). */
function stepKey(proposalId: string, seq: number): string {
  const h = createHash('sha256').update(`formation:${proposalId}:${seq}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
const at = (deps: PlayDeps) => (deps.now ?? (() => new Date()))().toISOString();

export async function loadProposal(db: Kysely<DB>, proposalId: string | null): Promise<Proposal | null> {
  if (!proposalId) return null;
  return (await loadHead(db, proposalId))?.state ?? null;
}

/** The personas with the person that speaks for each, in the scenario's order (the proposer first). */
export function played(scenario: Scenario, rows: readonly repo.PersonaRow[]): PlayedPersona[] {
  const byId = new Map(rows.map((r) => [r.personaId, r]));
  return scenario.personas.flatMap((persona) => {
    const r = byId.get(persona.id);
    return r?.personId ? [{ persona, personId: r.personId, position: r.position, byApp: !r.takenBy && !r.held }] : [];
  });
}

/**
 * Creates the session's proposal if its first event is not stored yet: the first persona proposes
 * the scenario's text, the trainer facilitates. Runs after the session's own transaction (the
 * proposal service opens its own); a failure here is caught up by the next step.
 */
export async function ensureProposal(deps: PlayDeps, session: repo.SessionRow, scenario: Scenario, rows: readonly repo.PersonaRow[]): Promise<void> {
  const proposalId = session.proposalId;
  const proposer = played(scenario, rows)[0];
  if (!proposalId || !proposer || (await loadProposal(deps.db, proposalId))) return;
  await deps.proposals.execute(
    proposalId,
    {
      type: 'CreateProposal',
      actorId: proposer.personId,
      at: at(deps),
      proposalId,
      proposerId: proposer.personId,
      facilitatorId: session.facilitatorPersonId,
      secretaryId: session.secretaryPersonId,
      title: scenario.proposal.title,
      tension: scenario.question,
      text: scenario.proposal.text,
      criteria: scenario.context,
      reviewDate: null,
      validitySet: 'importante_argumentee',
    },
    { meetingId: session.meetingId },
  );
}

/** The proposal now and what « Étape suivante » would play on it. */
export async function nextOf(
  deps: PlayDeps,
  session: repo.SessionRow,
  scenario: Scenario,
  rows: readonly repo.PersonaRow[],
): Promise<{ proposal: Proposal | null; step: Step }> {
  const proposal = await loadProposal(deps.db, session.proposalId);
  if (!proposal) return { proposal, step: { kind: 'wait', personaId: null } };
  return { proposal, step: nextStep(proposal, scenario, played(scenario, rows)) };
}

/**
 * Plays one step. The key is the proposal's sequence number: two clicks (or a click and the
 * auto-play timer) on the same state store one step.
 */
export async function playStep(deps: PlayDeps, session: repo.SessionRow, scenario: Scenario, rows: readonly repo.PersonaRow[]): Promise<Step> {
  await ensureProposal(deps, session, scenario, rows);
  const { proposal, step } = await nextOf(deps, session, scenario, rows);
  if (!proposal || step.kind !== 'play') return step;
  const who = step.personaId === null ? session.facilitatorPersonId : played(scenario, rows).find((p) => p.persona.id === step.personaId)?.personId;
  if (!who) return { kind: 'wait', personaId: step.personaId };
  const seq = await deps.db.selectFrom('proposals').select('last_seq').where('id', '=', proposal.proposalId).executeTakeFirstOrThrow();
  const command = scriptedCommand(step.action, who, at(deps), { newId: randomUUID(), ...step.input });
  const { personaId, position } = step;
  await deps.proposals.execute(proposal.proposalId, command, {
    meetingId: session.meetingId,
    idempotencyKey: stepKey(proposal.proposalId, seq.last_seq),
    // the objector who lifted their objection now stands where they can live with the proposal:
    // in the step's own transaction, so the lift and the move are stored together or not at all
    ...(position !== undefined && personaId
      ? {
          alongside: async (trx: Executor, result: CommandResult) => {
            if (result.events.length) await cast.setPosition(trx, session.meetingId, personaId, position);
          },
        }
      : {}),
  });
  return step;
}

/** What the persona may say now on the session's proposal, for the one who plays it. */
export function personaActions(proposal: Proposal | null, personId: string | null): { action: ActionName; questionId?: string; objectionId?: string }[] {
  if (!proposal || !personId || TERMINAL.has(proposal.stage)) return [];
  return allowedActions(proposal, personId, [])
    .filter((a) => PERSONA_ACTIONS.has(a.action) && !a.onBehalfOf)
    .map((a) => ({ action: a.action, ...(a.questionId ? { questionId: a.questionId } : {}), ...(a.objectionId ? { objectionId: a.objectionId } : {}) }));
}

/** A person acts for the persona they play: the command is the persona's, refused by the core like anyone's. */
export async function actAs(deps: PlayDeps, session: repo.SessionRow, personId: string, action: ActionName, input: ScriptInput): Promise<void> {
  if (!session.proposalId) return;
  const command = scriptedCommand(action, personId, at(deps), { ...input, newId: randomUUID() });
  await deps.proposals.execute(session.proposalId, command, { meetingId: session.meetingId });
}

/**
 * Back to the start: the proposal in progress is withdrawn by its proposer (the log keeps it,
 * marked as training like the rest), and a new one takes its place. Returns the new id, or null
 * when the proposal was still untouched (unless `evenUntouched`: another scenario, another proposal).
 */
export async function restartProposal(
  deps: PlayDeps,
  session: repo.SessionRow,
  scenario: Scenario,
  rows: readonly repo.PersonaRow[],
  evenUntouched = false,
): Promise<string | null> {
  const proposal = await loadProposal(deps.db, session.proposalId);
  if (proposal && proposal.stage === 'draft' && !evenUntouched) return null;
  if (proposal && !TERMINAL.has(proposal.stage)) {
    const proposer = played(scenario, rows)[0];
    if (proposer)
      await deps.proposals.execute(
        proposal.proposalId,
        { type: 'WithdrawProposal', actorId: proposer.personId, at: at(deps), reason: 'Session de formation réinitialisée.' },
        { meetingId: session.meetingId },
      );
  }
  return randomUUID();
}
