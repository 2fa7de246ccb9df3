/** Small helpers shared by the routes: safe `next` targets, uuid parameters, Paris time. */
import { z } from 'zod';
import { notFound } from './errors.ts';

/** The pages a sign-in may go back to: the home page, or a path under one of these. */
const NEXT_PREFIXES = ['/seances', '/admin', '/rejoindre'] as const;

/**
 * A local path to go back to after sign-in, or "/" for anything that could leave the site.
 * The URL parser resolves dot segments ("/.//x", "/%2e%2e//x" become "//x"), so the check runs
 * on what is returned, not only on what was sent.
 */
export function safeNext(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2000) return '/';
  // "//evil", "/\\evil" and control characters are read as another host by some browsers
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (!raw.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(raw)) return '/';
  try {
    const base = 'http://sans-objection.invalid';
    const parsed = new URL(raw, base);
    if (parsed.origin !== base) return '/';
    const path = parsed.pathname;
    const known = path === '/' || NEXT_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
    const result = path + parsed.search + parsed.hash;
    // eslint-disable-next-line no-control-regex -- control characters are what this refuses
    if (!known || result.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(result)) return '/';
    return result;
  } catch {
    return '/';
  }
}

const uuidSchema = z.uuid();

/** A route parameter that must be a uuid; anything else is a page that does not exist. */
export function uuidParam(value: unknown): string {
  const parsed = uuidSchema.safeParse(value);
  if (!parsed.success) throw notFound();
  return parsed.data.toLowerCase();
}

export const TIME_ZONE = 'Europe/Paris';

/** "2026-03-14T09:30" typed in a datetime-local field, read as Paris time. */
export function parisLocalToDate(local: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(local)) return null;
  const asUtc = new Date(`${local}Z`);
  if (Number.isNaN(asUtc.getTime())) return null;
  const paris = asUtc.toLocaleString('sv-SE', { timeZone: TIME_ZONE }).replace(' ', 'T');
  const offset = new Date(`${paris}Z`).getTime() - asUtc.getTime();
  return new Date(asUtc.getTime() - offset);
}

export function formatDateTime(date: Date | string, lang: string): string {
  return new Date(date).toLocaleString(lang === 'en' ? 'en-GB' : 'fr-FR', { timeZone: TIME_ZONE, dateStyle: 'full', timeStyle: 'short' });
}
