/** The proposal service: authorise, load, decide, append and project in one transaction, publish after commit. */
import type { Kysely } from 'kysely';
import { decide, isDomainError, type Command, type Proposal, type State } from '../consent/index.ts';
import type { DB } from '../db/schema.ts';
import { createHash } from 'node:crypto';
import { canonicalJson, eventHash, GENESIS_HASH } from '../ledger/hash.ts';
import { appendEntries, findKey, isSequenceConflict, useKey, type NewLogEntry } from './events.repository.ts';
import { loadHead, type SequencedEvent } from './proposals.repository.ts';
import { projectBatch } from './proposal.projection.ts';
import type { Publisher } from '../realtime/signals.ts';

/** Raised when a command kept losing the race for the next sequence number; its text is errors.concurrent_change. */
export class ConcurrencyError extends Error {
  readonly code = 'CONCURRENT_CHANGE';
  readonly params = {};
  constructor() {
    super('concurrent change: retries exhausted');
    this.name = 'ConcurrencyError';
  }
}

/** Raised when a submission key this person already used on this proposal comes back with another content. */
export class KeyReusedError extends Error {
  readonly code = 'KEY_REUSED';
  readonly params = {};
  constructor() {
    super('submission key reused with a different command');
    this.name = 'KeyReusedError';
  }
}

/**
 * What a submission said, without when it was sent nor the round order computed at that moment:
 * a double click gives the same fingerprint, another text under the same key does not.
 */
export function commandFingerprint(command: Command): string {
  const { at: _at, ...rest } = command as Command & { participants?: unknown };
  return createHash('sha256').update(canonicalJson({ ...rest, participants: undefined })).digest('hex');
}

export interface CommandResult {
  proposalId: string;
  meetingId: string | null;
  state: Proposal;
  events: SequencedEvent[];
}

/** Decides whether the actor may send this command at all (meeting membership etc.); throws to refuse. */
export type Authorize = (command: Command, state: State, context: { meetingId: string | null }) => void | Promise<void>;

export interface ProposalServiceDeps {
  db: Kysely<DB>;
  publisher?: Publisher;
  authorize?: Authorize;
  /** Attempts against a concurrently moving stream before giving up (default 60). */
  maxAttempts?: number;
}

export class ProposalService {
  constructor(private readonly deps: ProposalServiceDeps) {}

  /**
   * Runs one command. A refusal of the method throws the core's DomainError and stores nothing.
   * A lost race for the next sequence number is retried against the new state.
   */
  async execute(proposalId: string, command: Command, options: { meetingId?: string | null; idempotencyKey?: string } = {}): Promise<CommandResult> {
    const maxAttempts = this.deps.maxAttempts ?? 60;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.deps.db.transaction().execute((trx) => this.attempt(trx, proposalId, command, options.meetingId ?? null, options.idempotencyKey));
        await this.publish(result.result);
        return result.result;
      } catch (error) {
        if (!isSequenceConflict(error)) throw error;
        if (attempt >= maxAttempts) throw new ConcurrencyError();
        // Jittered backoff so racing writers stop colliding in lockstep.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, attempt * 5)));
      }
    }
  }

  private async attempt(trx: Kysely<DB>, proposalId: string, command: Command, meetingId: string | null, idempotencyKey?: string): Promise<{ result: CommandResult }> {
    const head = await loadHead(trx, proposalId);
    const before: State = head?.state ?? null;
    const context = { meetingId: head?.meetingId ?? meetingId };
    await this.deps.authorize?.(command, before, context);
    // A key this person already used on this proposal means this very submission was stored (a
    // double click, a resent form): answer as if it had just succeeded, and store nothing more.
    // The same key with another content is not a double click: it is refused.
    const fingerprint = idempotencyKey ? commandFingerprint(command) : '';
    const used = idempotencyKey && before ? await findKey(trx, idempotencyKey, proposalId, command.actorId) : null;
    if (used && before) {
      if (used.fingerprint !== null && used.fingerprint !== fingerprint) throw new KeyReusedError();
      return { result: { proposalId, meetingId: context.meetingId, state: before, events: [] } };
    }
    if (command.type === 'CreateProposal' && command.proposalId !== proposalId) throw new TypeError('CreateProposal: proposalId mismatch');

    const decided = decide(before, command);
    if (isDomainError(decided)) throw decided;

    let seq = head?.lastSeq ?? 0;
    let previous = head?.lastHash ?? GENESIS_HASH;
    const entries: NewLogEntry[] = [];
    const events: SequencedEvent[] = [];
    for (const event of decided) {
      seq += 1;
      const data = event as unknown as Record<string, unknown>;
      const hash = eventHash(previous, { streamId: proposalId, seq, event: data });
      entries.push({ streamId: proposalId, seq, type: event.type, data, actorId: event.actorId, occurredAt: event.at, prevHash: previous, hash });
      events.push({ seq, event });
      previous = hash;
    }
    if (idempotencyKey) await useKey(trx, idempotencyKey, proposalId, command.actorId, fingerprint);
    await appendEntries(trx, entries);
    const state = await projectBatch(trx, { before, events, meetingId: context.meetingId, lastSeq: seq, lastHash: previous });
    return { result: { proposalId, meetingId: context.meetingId, state, events } };
  }

  private async publish(result: CommandResult): Promise<void> {
    const last = result.events[result.events.length - 1];
    if (!last || !this.deps.publisher) return;
    try {
      await this.deps.publisher.publish({
        name: 'proposal-changed',
        proposalId: result.proposalId,
        meetingId: result.meetingId,
        seq: last.seq,
        stage: result.state.stage,
        events: result.events.map((e) => e.event.type),
      });
    } catch {
      // The command is committed; live views catch up on their next refresh.
    }
  }
}
