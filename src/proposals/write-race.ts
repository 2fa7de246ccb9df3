/** How a one-statement write (ProposalService.recordTogether) tells a lost race from a key already used. */

/** Thrown inside a transaction whose one-statement write found the submission key taken: rolled back, then retried step by step. */
export class KeyTaken extends Error {}

/** The one-statement write met a concurrent writer: retried like a taken sequence number. */
export class LostRace extends Error {}

/** A unique key taken meanwhile (23505), a deadlock between two writers (40P01), or facts changed under a guard (40001). */
export function isWriteRace(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === '23505' || code === '40P01' || code === '40001';
}

/** The submission key found already used by a claim that fails rather than skips (claimKeyWrite's orFail). */
export function isKeyTaken(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === 'command_keys_pkey';
}
