/** What a submitted form is known by: its fingerprint, and the ids drawn from its submission key. */
import { createHash } from 'node:crypto';
import type { Command } from '../consent/index.ts';
import { canonicalJson } from '../ledger/hash.ts';

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

/** A UUID-shaped id drawn from a submission key and its scope (the same inputs always give the same id). */
export function scopedId(personId: string, proposalId: string, key: string): string {
  const h = createHash('sha256').update(`${personId}:${proposalId}:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
