/** Passwords (argon2id) and random tokens (256 bits), stored only as hashes. */
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

export interface PasswordHashCost {
  /** KiB of memory. */
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
export const PASSWORD_HASH_COST: PasswordHashCost = Object.freeze({ memoryCost: 19456, timeCost: 2, parallelism: 1 });

let cost = PASSWORD_HASH_COST;

/**
 * Tests only (NODE_ENV=test): a cheaper cost, so that the hundreds of accounts the tests create
 * and sign in do not spend the run in argon2. Verifying reads the cost from the hash itself.
 */
export function setPasswordHashCostForTests(next: PasswordHashCost): void {
  if (process.env.NODE_ENV !== 'test') throw new Error('the password hash cost changes only under tests');
  cost = next;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: 2 /* Algorithm.Argon2id, a const enum */, ...cost });
}

// Verified against when the account does not exist, so that the answer takes as long.
let dummyHash: Promise<string> | null = null;

/** True when the password matches; false for no hash (no account, or no password set yet). */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) {
    dummyHash ??= hashPassword('no account has this password');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}

/** A random 256-bit token, url-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** A url-safe HMAC-SHA-256 of `value`: a token only the holder of `secret` can compute. */
export function signToken(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('base64url');
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Letters and digits that cannot be confused when read aloud or from a projector (no 0/O, 1/I/L). */
export const JOIN_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const JOIN_CODE_LENGTH = 6;

export function newJoinCode(): string {
  let code = '';
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return code;
}

/** Upper-cases and drops spaces and dashes, so "abc-def" and "ABC DEF" are the same code. */
export function normaliseJoinCode(raw: string): string {
  return raw.toUpperCase().replace(/[\s-]+/g, '');
}
