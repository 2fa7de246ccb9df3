/** The proposal service: loads, authorises, decides, appends, projects and signals, in one checked statement or one transaction. */
import type { Kysely, RawBuilder } from 'kysely';
import { randomUUID } from 'node:crypto';
import { decide, isDomainError, type Command, type Proposal, type State } from '../consent/index.ts';
import type { DB, Executor } from '../db/schema.ts';
import { AccessDenied, type Actor } from '../accounts/policy.ts';
import { behalfRefusal, commandFacts, loadCommandFacts, roundCandidates } from '../meetings/meeting.facts.ts';
import { SeanceRefused } from '../meetings/seance.service.ts';
import { listMembers } from '../meetings/meetings.repository.ts';
import { factsHold, readFor, type ReadAlongside } from '../meetings/command-read.repository.ts';
import { chain } from './chain.ts';
import { authorizeAny, type ProposalCommand } from './proposal.command.ts';
import { commandFingerprint, scopedId } from './submission.ts';
import { isKeyTaken, isWriteRace, KeyTaken, LostRace } from './write-race.ts';
import { ConcurrencyError, KeyReusedError } from './errors.ts';
import { appendEntries, appendWrite, claimKey, claimKeyWrite, findKey, isSequenceConflict } from './events.repository.ts';
import { canRunTogether, writeTogether } from '../db/together.ts';
import { loadHead, type ProposalHead } from './proposals.repository.ts';
import type { SequencedEvent } from './projection.repository.ts';
import { batchWrites, projectBatch } from './proposal.projection.ts';
import type { ProposalChanged, Publisher } from '../realtime/signals.ts';

export interface CommandResult {
  proposalId: string;
  meetingId: string | null;
  state: Proposal;
  events: SequencedEvent[];
}

/** The proposal a command is about, in its meeting; `key`: the form's submission key; `read`: see ReadAlongside. */
export interface Target {
  meetingId: string;
  proposalId: string;
  key?: string;
  read?: ReadAlongside;
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

/**
 * Reads what the command needs (the proposal's head first of all) and builds it: `locked`, in the
 * command's transaction with the facts locked until it ends; otherwise read without a lock, and
 * `guard` checks them again inside the one statement that writes.
 */
type Prepare = (
  db: Executor,
  locked: boolean,
) => Promise<{ head: ProposalHead | null; command: Command; meetingId: string | null; guard?: RawBuilder<boolean> }>;

/** What record() wrote, and whether its signal went with it (pg_notify, delivered at commit). */
interface Recorded {
  result: CommandResult;
  signalled: boolean;
}

export class ProposalService {
  private readonly now: () => Date;
  constructor(private readonly deps: ProposalServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Runs what a person asks: loads the proposal and the facts the policy needs (the meeting, the
   * actor's membership: one query), authorises, decides, appends, projects and signals (delivered
   * at commit). A permission changed by another transaction is either seen here or waits for this
   * command: the facts are read under a lock in the command's transaction, or, for the usual
   * contribution (for oneself, starting no round, creating nothing), read without one and checked
   * again, locked, inside the one statement that writes (factsHold), which fails and is retried if
   * they changed: no BEGIN and COMMIT, two round trips fewer on every contribution.
   */
  handle(actor: Actor, target: Target, command: ProposalCommand): Promise<CommandResult> {
    const behalf = actor.kind !== 'anonymous' && command.onBehalfOf !== null && command.onBehalfOf !== actor.personId ? command.onBehalfOf : null;
    const usual = !behalf && !command.startsRound && !command.creates;
    // the read made alongside the session serves the first attempt without a lock, if it is this command's
    let firstRead = actor.kind === 'anonymous' ? undefined : readFor(target.read, actor.personId, target);
    const prepare: Prepare = async (db, locked) => {
      const read =
        firstRead && !locked ? commandFacts(actor, firstRead.read) : await loadCommandFacts(db, actor, target.meetingId, target.proposalId, { lock: locked });
      firstRead = undefined;
      const { meeting, facts, head } = read;
      if (actor.kind === 'anonymous') throw new AccessDenied('unauthenticated');
      // read with the facts, under their lock or checked again by the write: a closing séance waits for this command, or this command sees it closed
      if (meeting.status === 'closed') throw new SeanceRefused('seance.errors.closed');
      authorizeAny(actor, behalf ? ['meeting.facilitate'] : command.may, facts);
      if (behalf) {
        const refusal = await behalfRefusal(db, meeting.id, behalf, command.ownObjection, this.deps.idleMinutes ?? 120);
        if (refusal) throw refusal;
      }
      if (!command.creates && head?.meetingId !== meeting.id) throw new AccessDenied('not_found');
      const participants = command.startsRound
        ? roundCandidates(await listMembers(db, meeting.id), head?.state.actingFacilitatorId ?? meeting.facilitatorPersonId)
        : [];
      // The new question, reaction or objection is named after the key of the form that sent it,
      // within this person's keys on this proposal: two people sending the same key never collide.
      const newId = target.key ? scopedId(actor.personId, target.proposalId, target.key) : randomUUID();
      const at = this.now().toISOString();
      const built = command.toCommand({ actorId: actor.personId, at, newId, participants, meeting });
      return { head, command: built, meetingId: meeting.id, guard: locked ? undefined : factsHold(read, actor.personId) };
    };
    return this.transact(target.proposalId, target.key, prepare, undefined, usual);
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

  /**
   * Attempts until one wins the race for the next sequence number. With `unlocked`, an attempt reads
   * without a transaction and writes in one checked statement (recordTogether's `guard`); what that
   * cannot write (a refusal, a key already used...) goes through one transaction, like any other.
   */
  private async transact(
    proposalId: string,
    key: string | undefined,
    prepare: Prepare,
    alongside?: (trx: Executor, result: CommandResult) => Promise<void>,
    unlocked = false,
  ): Promise<CommandResult> {
    const maxAttempts = this.deps.maxAttempts ?? 60;
    let together = true;
    for (let attempt = 1; ; attempt++) {
      try {
        if (unlocked) {
          const { head, command, meetingId, guard } = await prepare(this.deps.db, false);
          const recorded = guard ? await this.recordTogether(this.deps.db, proposalId, head, command, meetingId, key, guard) : null;
          if (recorded) {
            if (!recorded.signalled) await this.publish(recorded.result);
            return recorded.result;
          }
          unlocked = false;
        }
        const { result, signalled } = await this.deps.db.transaction().execute(async (trx) => {
          const { head, command, meetingId } = await prepare(trx, true);
          const recorded = await this.record(trx, proposalId, head, command, meetingId, key, together);
          if (alongside) await alongside(trx, recorded.result);
          return recorded;
        });
        if (!signalled) await this.publish(result);
        return result;
      } catch (error) {
        // the key was already used: this attempt stored nothing; the next takes the careful path
        if (error instanceof KeyTaken && (together || unlocked)) {
          together = false;
          unlocked = false;
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
  ): Promise<Recorded> {
    const recorded = together ? await this.recordTogether(trx, proposalId, head, command, meetingId, idempotencyKey) : null;
    return recorded ?? { result: await this.recordStepByStep(trx, proposalId, head, command, meetingId, idempotencyKey), signalled: false };
  }

  /**
   * record()'s one statement, or null when the command cannot be written so (a creation, a
   * refusal, writes that must see each other): nothing was written then. With `guard` (facts read
   * without a lock, see handle), the statement runs on its own, outside any transaction: the guard
   * fails it when the facts changed, and a submission key already used fails it too (instead of
   * being skipped), so that it writes all or nothing.
   */
  private async recordTogether(
    db: Executor,
    proposalId: string,
    head: ProposalHead | null,
    command: Command,
    meetingId: string | null,
    idempotencyKey: string | undefined,
    guard?: RawBuilder<boolean>,
  ): Promise<Recorded | null> {
    const before: State = head?.state ?? null;
    if (!head || !before) return null;
    const decided = decide(before, command);
    if (isDomainError(decided) || decided.length === 0) return null;
    const { entries, events, lastSeq, lastHash } = chain(proposalId, head, decided);
    const { after, writes } = batchWrites(db, { before, events, meetingId, lastSeq, lastHash });
    const claim = idempotencyKey
      ? [claimKeyWrite(db, idempotencyKey, proposalId, command.actorId, commandFingerprint(command), { orFail: guard !== undefined })]
      : [];
    const all = [...claim, appendWrite(db, entries), ...writes];
    if (!canRunTogether(all)) return null;
    const result: CommandResult = { proposalId, meetingId, state: after, events };
    const signal = changed(result);
    const notify = signal && this.deps.publisher?.notification ? [this.deps.publisher.notification(signal)] : [];
    // Its parts run side by side on one snapshot: a racing writer may be met on any of the
    // tables (a round's or an objection's key, not only the event's seq), or in a deadlock, or
    // the guard finds the facts changed. Either way this attempt lost the race: the next one
    // reads the new state. A key found taken sends the next attempt down the careful path.
    const [claimed] = await writeTogether(db, all, [...(guard ? [guard] : []), ...notify]).catch((error: unknown) => {
      if (isKeyTaken(error)) throw new KeyTaken();
      throw isWriteRace(error) ? new LostRace() : error;
    });
    if (idempotencyKey && claimed === 0) throw new KeyTaken();
    return { result, signalled: notify.length > 0 };
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
