/** A command's new events, numbered and hash-chained after the head of their proposal's log. */
import type { Event } from '../consent/index.ts';
import { eventHash, GENESIS_HASH } from '../ledger/hash.ts';
import type { NewLogEntry } from './events.repository.ts';
import type { ProposalHead } from './proposals.repository.ts';
import type { SequencedEvent } from './projection.repository.ts';

/** The new events numbered and chained after the head. */
export function chain(
  proposalId: string,
  head: ProposalHead | null,
  decided: readonly Event[],
): { entries: NewLogEntry[]; events: SequencedEvent[]; lastSeq: number; lastHash: string } {
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
  return { entries, events, lastSeq: seq, lastHash: previous };
}
