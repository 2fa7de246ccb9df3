/** The proposal service: one transaction loads, authorises, decides, appends and projects; publish after commit. */
import type { Kysely } from 'kysely';
import { createHash, randomUUID } from 'node:crypto';
import { decide, isDomainError, type Command, type Proposal, type State } from '../consent/index.ts';
import type { DB, Executor } from '../db/schema.ts';
import { AccessDenied, authorize, can, type Actor, type MeetingFacts } from '../accounts/policy.ts';
import { behalfRefusal, loadCommandFacts, roundCandidates } from '../meetings/meeting.facts.ts';
import { SeanceRefused } from '../meetings/seance.service.ts';
import { listMembers, type MeetingRow } from '../meetings/meetings.repository.ts';
import { canonicalJson } from '../ledger/hash.ts';
import { chain } from './chain.ts';
import { ConcurrencyError, KeyReusedError } from './errors.ts';
import { appendEntries, appendWrite, claimKey, claimKeyWrite, findKey, isSequenceConflict } from './events.repository.ts';
import { canRunTogether, writeTogether } from '../db/together.ts';
import { loadHead, type ProposalHead } from './proposals.repository.ts';
import type { SequencedEvent } from './projection.repository.ts';
import { batchWrites, projectBatch } from './proposal.projection.ts';
import type { ProposalChanged, Publisher } from '../realtime/signals.ts';

/**
 * What a submission said, without when it was sent nor the round order computed at that moment:
 * a double click gives the same fingerprint, another text under the same key does not.
 */
export function commandFingerprint(command: Command): string {
  const { at: _at, ...rest } = command as Command & { participants?: unknown };
  return createHash('sha256')
    .update(canonicalJson({ ...rest, participants: undefined }))
    .digest('hex');
}

export interface CommandResult {
  proposalId: string;
  meetingId: string | null;
  state: Proposal;
  events: SequencedEvent[];
}

/** The proposal a command is about, in its meeting; `key` is the submission key of the form that sent it. */
export interface Target {
  meetingId: string;
  proposalId: string;
  key?: string;
}

/** The meeting permissions a command may be sent under: any one of them is enough. */
export type Permission = 'meeting.facilitate' | 'meeting.participate' | 'meeting.propose';

/** What the command is built from, read inside its transaction. */
export interface CommandContext {
  actorId: string;
  at: string;
  /** Id for the new question, reaction, objection or concern: drawn from the submission key. */
  newId: string;
  /** Who takes turns in a round started now: present members, not observers, not the facilitator. */
  participants: string[];
  /** Who facilitates the meeting and keeps its record (a new proposal starts with them). */
  meeting: Pick<MeetingRow, 'facilitatorPersonId' | 'secretaryPersonId'>;
}

/** What a person asks of a proposal: who may ask it, and the core command it becomes once the facts are read. */
export interface ProposalCommand {
  may: readonly Permission[];
  /** The command starts a round: its order is who is present when the transaction reads it. */
  startsRound: boolean;
  /** The command creates the proposal (a draft): there is no proposal to find in the meeting yet. */
  creates: boolean;
  /** Recorded for this person by whoever facilitates (a person in the room without a device). */
  onBehalfOf: string | null;
  /** The person settles their own objection: never typed for them while they are connected. */
  ownObjection: boolean;
  toCommand(context: CommandContext): Command;
}

export interface ProposalServiceDeps {
  db: Kysely<DB>;
  publisher?: Publisher;
  now?: () => Date;
  /** SESSION_IDLE_MINUTES: a person whose session was seen within it is connected (default 120). */
  idleMinutes?: number;
  /** Attempts against a concurrently moving stream before giving up (default 60). */
  maxAttempts?: number;
}

/** Reads what the command needs (the proposal's head first of all) and builds it, in the command's transaction. */
type Prepare = (trx: Executor) => Promise<{ head: ProposalHead | null; command: Command; meetingId: string | null }>;

export class ProposalService {
  private readonly now: () => Date;
  constructor(private readonly deps: ProposalServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Runs what a person asks, in one transaction: loads the proposal and the facts the policy needs
   * (the meeting, the actor's membership: one query), authorises, decides, appends, projects and
   * signals (delivered at commit). A permission changed by another transaction is either seen
   * here or waits for this one (the meeting and membership read are locked until commit).
   */
  handle(actor: Actor, target: Target, command: ProposalCommand): Promise<CommandResult> {
    return this.transact(target.proposalId, target.key, async (trx) => {
      const { meeting, facts, head } = await loadCommandFacts(trx, actor, target.meetingId, target.proposalId);
      if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
      // read under the same lock as the facts: a closing séance waits for this command, or this command sees it closed
      if (meeting.status === 'closed') throw new SeanceRefused('seance.errors.closed');
      const behalf = command.onBehalfOf !== null && command.onBehalfOf !== actor.personId ? command.onBehalfOf : null;
      authorizeAny(actor, behalf ? ['meeting.facilitate'] : command.may, facts);
      if (behalf) {
        const refusal = await behalfRefusal(trx, meeting.id, behalf, command.ownObjection, this.deps.idleMinutes ?? 120);
        if (refusal) throw refusal;
      }
      if (!command.creates && head?.meetingId !== meeting.id) throw new AccessDenied('not_found');
      const participants = command.startsRound
        ? roundCandidates(await listMembers(trx, meeting.id), head?.state.actingFacilitatorId ?? meeting.facilitatorPersonId)
        : [];
      // The new question, reaction or objection is named after the key of the form that sent it,
      // within this person's keys on this proposal: two people sending the same key never collide.
      const newId = target.key ? scopedId(actor.personId, target.proposalId, target.key) : randomUUID();
      const at = this.now().toISOString();
      return { head, command: command.toCommand({ actorId: actor.personId, at, newId, participants, meeting }), meetingId: meeting.id };
    });
  }

  /**
   * Runs a core command already authorised by its caller (seeds, imports, tests): the same
   * transaction as `handle`, without reading a policy. A refusal of the method throws the core's
   * DomainError and stores nothing. `alongside` writes what the caller keeps next to the proposal
   * in the same transaction, after the events: if it fails, the command is not stored either.
   */
  execute(
    proposalId: string,
    command: Command,
    options: { meetingId?: string | null; idempotencyKey?: string; alongside?: (trx: Executor, result: CommandResult) => Promise<void> } = {},
  ): Promise<CommandResult> {
    return this.transact(
      proposalId,
      options.idempotencyKey,
      async (trx) => {
        const head = await loadHead(trx, proposalId);
        return { head, command, meetingId: head?.meetingId ?? options.meetingId ?? null };
      },
      options.alongside,
    );
  }

  /** One transaction per attempt; a lost race for the next sequence number is retried against the new state. */
  private async transact(
    proposalId: string,
    key: string | undefined,
    prepare: Prepare,
    alongside?: (trx: Executor, result: CommandResult) => Promise<void>,
  ): Promise<CommandResult> {
    const maxAttempts = this.deps.maxAttempts ?? 60;
    let together = true;
    for (let attempt = 1; ; attempt++) {
      try {
        const { result, signalled } = await this.deps.db.transaction().execute(async (trx) => {
          const { head, command, meetingId } = await prepare(trx);
          const recorded = await this.record(trx, proposalId, head, command, meetingId, key, together);
          if (alongside) await alongside(trx, recorded.result);
          return recorded;
        });
        if (!signalled) await this.publish(result);
        return result;
      } catch (error) {
        // the key was already used: this attempt stored nothing; the next takes the careful path
        if (error instanceof KeyTaken && together) {
          together = false;
          continue;
        }
        if (!isSequenceConflict(error) && !(error instanceof LostRace)) throw error;
        if (attempt >= maxAttempts) throw new ConcurrencyError();
        // Jittered backoff so racing writers stop colliding in lockstep.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, attempt * 5)));
      }
    }
  }

  /**
   * Decides, appends and projects, in the caller's transaction. The usual command (on an existing
   * proposal, accepted, its writes on different tables) is written in one statement: the key, the
   * events, the read models and the signal (pg_notify, delivered at commit, never on rollback).
   * Anything else (a creation, a refusal, a key already used, writes that must see each other)
   * goes one statement after the other, and its signal after commit.
   */
  private async record(
    trx: Executor,
    proposalId: string,
    head: ProposalHead | null,
    command: Command,
    meetingId: string | null,
    idempotencyKey: string | undefined,
    together: boolean,
  ): Promise<{ result: CommandResult; signalled: boolean }> {
    const before: State = head?.state ?? null;
    if (together && head && before) {
      const decided = decide(before, command);
      if (!isDomainError(decided) && decided.length > 0) {
        const { entries, events, lastSeq, lastHash } = chain(proposalId, head, decided);
        const { after, writes } = batchWrites(trx, { before, events, meetingId, lastSeq, lastHash });
        const claim = idempotencyKey ? [claimKeyWrite(trx, idempotencyKey, proposalId, command.actorId, commandFingerprint(command))] : [];
        const all = [...claim, appendWrite(trx, entries), ...writes];
        if (canRunTogether(all)) {
          const result: CommandResult = { proposalId, meetingId, state: after, events };
          const signal = changed(result);
          const notify = signal && this.deps.publisher?.notification ? [this.deps.publisher.notification(signal)] : [];
          // Its parts run side by side on one snapshot: a racing writer may be met on any of the
          // tables (a round's or an objection's key, not only the event's seq), or in a deadlock.
          // Either way this attempt lost the race: the next one reads the new state.
          const [claimed] = await writeTogether(trx, all, notify).catch((error: unknown) => {
            throw isWriteRace(error) ? new LostRace() : error;
          });
          if (idempotencyKey && claimed === 0) throw new KeyTaken();
          return { result, signalled: notify.length > 0 };
        }
      }
    }
    return { result: await this.recordStepByStep(trx, proposalId, head, command, meetingId, idempotencyKey), signalled: false };
  }

  /** record(), one statement after the other. */
  private async recordStepByStep(
    trx: Executor,
    proposalId: string,
    head: ProposalHead | null,
    command: Command,
    meetingId: string | null,
    idempotencyKey: string | undefined,
  ): Promise<CommandResult> {
    const before: State = head?.state ?? null;
    // A key this person already used on this proposal means this very submission was stored (a
    // double click, a resent form): answer as if it had just succeeded, and store nothing more.
    // The same key with another content is not a double click: it is refused.
    // The key is claimed first (one statement when it is new); a refusal below rolls the claim back.
    if (idempotencyKey && !(await claimKey(trx, idempotencyKey, proposalId, command.actorId, commandFingerprint(command)))) {
      const used = await findKey(trx, idempotencyKey, proposalId, command.actorId);
      if (used && before) {
        if (used.fingerprint !== null && used.fingerprint !== commandFingerprint(command)) throw new KeyReusedError();
        return { proposalId, meetingId, state: before, events: [] };
      }
      // taken by a twin that created the proposal after this transaction read it: the append below loses the race and is retried
    }
    if (command.type === 'CreateProposal' && command.proposalId !== proposalId) throw new TypeError('CreateProposal: proposalId mismatch');

    const decided = decide(before, command);
    if (isDomainError(decided)) throw decided;

    const { entries, events, lastSeq, lastHash } = chain(proposalId, head, decided);
    await appendEntries(trx, entries);
    const state = await projectBatch(trx, { before, events, meetingId, lastSeq, lastHash });
    return { proposalId, meetingId, state, events };
  }

  private async publish(result: CommandResult): Promise<void> {
    const signal = changed(result);
    if (!signal || !this.deps.publisher) return;
    try {
      await this.deps.publisher.publish(signal);
    } catch {
      // The command is committed; live views catch up on their next refresh.
    }
  }
}

/** Thrown inside a transaction whose one-statement write found the submission key taken: rolled back, then retried step by step. */
class KeyTaken extends Error {}

/** The one-statement write met a concurrent writer: retried like a taken sequence number. */
class LostRace extends Error {}

/** A unique key taken meanwhile (23505) or a deadlock between two writers (40P01). */
function isWriteRace(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === '23505' || code === '40P01';
}

/** The signal a command sends: none when it stored nothing (a resent form). */
function changed(result: CommandResult): ProposalChanged | null {
  const last = result.events[result.events.length - 1];
  if (!last) return null;
  return {
    name: 'proposal-changed',
    proposalId: result.proposalId,
    meetingId: result.meetingId,
    seq: last.seq,
    stage: result.state.stage,
    events: result.events.map((e) => e.event.type),
  };
}

/** Throws AccessDenied unless one of the permissions is granted; the refusal is the first one's. */
function authorizeAny(actor: Actor, permissions: readonly Permission[], meeting: MeetingFacts): void {
  if (permissions.some((type) => can(actor, { type, meeting }))) return;
  authorize(actor, { type: permissions[0] ?? 'meeting.facilitate', meeting });
}

/** A UUID-shaped id drawn from a submission key and its scope (the same inputs always give the same id). */
function scopedId(personId: string, proposalId: string, key: string): string {
  const h = createHash('sha256').update(`${personId}:${proposalId}:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
