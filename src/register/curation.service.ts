/**
 * What those who run meetings do with a decision once taken: publish it, link the formal act
 * that made it binding. Each is a command of the consent core, appended to the proposal's chain
 * by the proposal service (one transaction), so verify-log checks them like any other event.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { authorize, type Actor } from '../accounts/policy.ts';
import type { FormalActKind } from '../consent/index.ts';
import type { ProposalService } from '../proposals/proposal.service.ts';
import { notFound } from '../http/errors.ts';
import { findDecision } from './register.repository.ts';

export interface CurationDeps {
  db: Kysely<DB>;
  proposals: ProposalService;
  now?: () => Date;
}

export interface FormalActInput {
  kind: FormalActKind;
  number: string;
  date: string;
  reference: string;
}

/** The actor as the core knows them: a person id. Authorised before, so an account. */
function personOf(actor: Actor): string {
  if (actor.kind === 'anonymous') throw new Error('unreachable: authorised actor without a person');
  return actor.personId;
}

export class CurationService {
  constructor(private readonly deps: CurationDeps) {}

  private now(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }

  /** A decision of the register (not an exercise of a training séance), or a 404. */
  private async decision(id: string): Promise<void> {
    if (!(await findDecision(this.deps.db, id))) throw notFound();
  }

  /** Makes a decision readable without signing in. Refused by the core (ALREADY_PUBLISHED) when it already is. */
  async publish(actor: Actor, id: string): Promise<void> {
    authorize(actor, { type: 'register.curate' });
    await this.decision(id);
    await this.deps.proposals.execute(id, { type: 'PublishDecision', actorId: personOf(actor), at: this.now() });
  }

  /** Links (or corrects) the délibération or arrêté of an adopted decision. */
  async recordFormalAct(actor: Actor, id: string, act: FormalActInput): Promise<void> {
    authorize(actor, { type: 'register.curate' });
    await this.decision(id);
    await this.deps.proposals.execute(id, { type: 'RecordFormalAct', actorId: personOf(actor), at: this.now(), ...act });
  }
}
