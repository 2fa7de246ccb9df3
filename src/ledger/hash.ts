/** The hash chain of the consent log: hash = sha256(previous hash + canonical JSON of the event). */
import { createHash } from 'node:crypto';

/** The previous hash of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every depth and no whitespace, so the same event always
 * hashes the same, whatever the key order jsonb gives back.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: cannot encode ${typeof value}`);
}

/** What is hashed for one event: its place in the stream and its whole content. */
export interface ChainedEvent {
  streamId: string;
  seq: number;
  event: unknown;
}

export function eventHash(previousHash: string, entry: ChainedEvent): string {
  return createHash('sha256')
    .update(previousHash)
    .update(canonicalJson({ streamId: entry.streamId, seq: entry.seq, event: entry.event }))
    .digest('hex');
}
