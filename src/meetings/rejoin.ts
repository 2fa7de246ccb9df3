/**
 * The rejoin cookie: a guest's device remembers, per séance, who it joined as. It is long-lived
 * and HttpOnly, and holds the séance's join code, the person and a signature (HMAC with a secret
 * stored once in `app_secrets`), so that nothing is stored per device. Joining again from that
 * device gives back the same person (if still a guest of that séance), never a second one; and a
 * signed-out guest who opens one of its views is sent back to /rejoindre/CODE, not to sign in.
 */
import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { sharedSecret } from '../accounts/accounts.repository.ts';
import { newToken, sameToken, signToken } from '../accounts/crypto.ts';

const PREFIX = 'so_rejoin_';
/** Long enough for a séance and its follow-ups. */
const MAX_AGE_MS = 90 * 24 * 3600 * 1000;
const VALUE = /^([A-Z0-9]{4,12})\.([0-9a-f-]{36})\.([A-Za-z0-9_-]{20,100})$/;
const UUID = /^[0-9a-f-]{36}$/;

const secrets = new WeakMap<Kysely<DB>, Promise<string>>();
function secret(db: Kysely<DB>): Promise<string> {
  let s = secrets.get(db);
  if (!s) {
    s = sharedSecret(db, 'rejoin', newToken());
    s.catch(() => secrets.delete(db));
    secrets.set(db, s);
  }
  return s;
}

const cookieName = (meetingId: string) => `${PREFIX}${meetingId}`;

function readRaw(req: Request, meetingId: string): { code: string; personId: string; signature: string } | null {
  if (!UUID.test(meetingId)) return null;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === cookieName(meetingId)) {
      const m = VALUE.exec(decodeURIComponent(part.slice(eq + 1).trim()));
      return m ? { code: m[1]!, personId: m[2]!, signature: m[3]! } : null;
    }
  }
  return null;
}

/** Remembers on this device that it joined `meetingId` as `personId`. */
export async function rememberGuest(db: Kysely<DB>, req: Request, res: Response, r: { meetingId: string; code: string; personId: string }): Promise<void> {
  const signature = signToken(await secret(db), `rejoin:${r.meetingId}:${r.code}:${r.personId}`);
  res.cookie(cookieName(r.meetingId), `${r.code}.${r.personId}.${signature}`, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    path: '/',
    maxAge: MAX_AGE_MS,
  });
}

/** The person this device joined `meetingId` as, if its cookie is genuine. */
export async function rememberedGuest(db: Kysely<DB>, req: Request, meetingId: string): Promise<string | null> {
  const raw = readRaw(req, meetingId);
  if (!raw) return null;
  const expected = signToken(await secret(db), `rejoin:${meetingId}:${raw.code}:${raw.personId}`);
  return sameToken(expected, raw.signature) ? raw.personId : null;
}

/**
 * Where a signed-out visitor asking for a page of a séance goes: /rejoindre/CODE when the device
 * joined it as a guest (the code is only read here, the join checks everything again), else null.
 */
export function rejoinPath(req: Request): string | null {
  const m = /^\/seances\/([0-9a-f-]{36})(?:\/|$|\?)/.exec(req.originalUrl);
  const raw = m ? readRaw(req, m[1]!) : null;
  return raw ? `/rejoindre/${raw.code}` : null;
}
