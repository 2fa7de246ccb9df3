/**
 * The sign-in throttle, in the database (every instance sees the same failures). Failures are
 * counted per (account, address) and per address; past a threshold, that pair or that address
 * waits, 1 minute after its last failure, then twice as long at each new failure (at most the
 * window). An account is never locked as such: failures from many addresses slow each address,
 * and the owner is told at the next sign-in.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { recentFailures } from './throttle.repository.ts';

/** Sign-in throttle: failures counted over a sliding window, per (account, address) and per address, then a doubling wait. */
export const SIGN_IN_THROTTLE = {
  windowMinutes: 15,
  perAccountAndAddress: 5,
  perAddress: 30,
} as const;

/** When a count of failures, the last at `last`, may try again; null when it need not wait. */
export function waitUntil(failures: { count: number; last: Date | null }, threshold: number, now = new Date()): Date | null {
  if (failures.count < threshold || !failures.last) return null;
  const minutes = Math.min(2 ** (failures.count - threshold), SIGN_IN_THROTTLE.windowMinutes);
  const until = new Date(failures.last.getTime() + minutes * 60_000);
  return until > now ? until : null;
}

/** True when this address failed too often (sign-ins and join codes together). */
export async function addressThrottled(db: Kysely<DB>, address: string): Promise<boolean> {
  const { windowMinutes, perAddress } = SIGN_IN_THROTTLE;
  return waitUntil(await recentFailures(db, { address }, windowMinutes), perAddress) !== null;
}

/** True when this address failed too often, or failed too often on this account. */
export async function signInThrottled(db: Kysely<DB>, email: string, address: string): Promise<boolean> {
  const { windowMinutes, perAccountAndAddress } = SIGN_IN_THROTTLE;
  const [pair, byAddress] = await Promise.all([addressThrottled(db, address), recentFailures(db, { email, address }, windowMinutes)]);
  return pair || waitUntil(byAddress, perAccountAndAddress) !== null;
}
