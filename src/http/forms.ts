/** Small helpers shared by the routes: safe `next` targets, uuid parameters, join links, Paris time typed in a form. */
import type { Request } from 'express';
import { z } from 'zod';
import { notFound } from './errors.ts';
import { TIME_ZONE } from '../i18n/dates.ts';

/** The pages a sign-in may go back to: a path under one of these. */
const NEXT_PREFIXES = ['/seances', '/admin', '/rejoindre', '/registre', '/formation'] as const;

/** Where a sign-in lands when no page asked for it: the séances, where the work is. */
export const AFTER_SIGN_IN = '/seances';

/**
 * A local path to go back to after sign-in, or the séances for anything else (the home page, or a
 * path that could leave the site).
 * The URL parser resolves dot segments ("/.//x", "/%2e%2e//x" become "//x"), so the check runs
 * on what is returned, not only on what was sent.
 */
export function safeNext(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2000) return AFTER_SIGN_IN;
  // "//evil", "/\\evil" and control characters are read as another host by some browsers
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (!raw.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(raw)) return AFTER_SIGN_IN;
  try {
    const base = 'http://sans-objection.invalid';
    const parsed = new URL(raw, base);
    if (parsed.origin !== base) return AFTER_SIGN_IN;
    const path = parsed.pathname;
    const known = NEXT_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
    const result = path + parsed.search + parsed.hash;
    // eslint-disable-next-line no-control-regex -- control characters are what this refuses
    if (!known || result.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(result)) return AFTER_SIGN_IN;
    return result;
  } catch {
    return AFTER_SIGN_IN;
  }
}

const uuidSchema = z.uuid();

/** A route parameter that must be a uuid; anything else is a page that does not exist. */
export function uuidParam(value: unknown): string {
  const id = uuidOrNull(value);
  if (id === null) throw notFound();
  return id;
}

/** The uuid, as uuidParam writes it, or null for anything else. */
export function uuidOrNull(value: unknown): string | null {
  const parsed = uuidSchema.safeParse(value);
  return parsed.success ? parsed.data.toLowerCase() : null;
}

/** Where the site is reached from outside: PUBLIC_URL when set, else the host of the request. */
export function publicBase(publicUrl: string | null, req: Request): string {
  return publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** The link (and QR code) by which people join a meeting with its code. */
export function joinUrl(publicUrl: string | null, req: Request, joinCode: string): string {
  return `${publicBase(publicUrl, req)}/rejoindre/${joinCode}`;
}

/** "2026-03-14T09:30" typed in a datetime-local field, read as Paris time. */
export function parisLocalToDate(local: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(local)) return null;
  const asUtc = new Date(`${local}Z`);
  if (Number.isNaN(asUtc.getTime())) return null;
  const paris = asUtc.toLocaleString('sv-SE', { timeZone: TIME_ZONE }).replace(' ', 'T');
  const offset = new Date(`${paris}Z`).getTime() - asUtc.getTime();
  return new Date(asUtc.getTime() - offset);
}
