/**
 * The register's filters, read from the URL (a GET form: shareable, bookmarkable, no JavaScript
 * needed). French parameter names are public and stable: q, cercle, issue, du, au, objections,
 * revision, apres. Bad values come back as per-field errors with what was typed.
 */
import { z } from 'zod';

export const OUTCOMES = { adoptee: 'adopted', retiree: 'withdrawn', reportee: 'postponed' } as const;
export type Outcome = (typeof OUTCOMES)[keyof typeof OUTCOMES];
export const REVIEWS = { 'a-venir': 'upcoming', depassee: 'overdue' } as const;
export type Review = (typeof REVIEWS)[keyof typeof REVIEWS];

/** Where the next page starts: the last row of this one (and its rank, when searching). */
export interface Cursor {
  closedAt: string;
  id: string;
  rank?: string;
}

export interface RegisterFilters {
  q: string;
  circleId: string | null;
  outcome: Outcome | null;
  from: string | null;
  to: string | null;
  withObjections: boolean;
  review: Review | null;
  after: Cursor | null;
}

/** What the form shows again: the raw values, as typed. */
export type FilterValues = Record<'q' | 'cercle' | 'issue' | 'du' | 'au' | 'objections' | 'revision', string>;

export const EMPTY_FILTERS: RegisterFilters = { q: '', circleId: null, outcome: null, from: null, to: null, withObjections: false, review: null, after: null };

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s));
const cursorSchema = z.object({
  c: z.string().min(10).max(40),
  i: z.uuid(),
  r: z
    .string()
    .regex(/^[0-9.eE+-]{1,30}$/)
    .optional(),
});

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ c: cursor.closedAt, i: cursor.id, ...(cursor.rank ? { r: cursor.rank } : {}) })).toString('base64url');
}

export function decodeCursor(raw: string): Cursor | null {
  if (raw.length > 300) return null;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
    if (!parsed.success || Number.isNaN(Date.parse(parsed.data.c))) return null;
    return { closedAt: parsed.data.c, id: parsed.data.i, ...(parsed.data.r ? { rank: parsed.data.r } : {}) };
  } catch {
    return null;
  }
}

const one = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '').trim();

export type ParsedFilters =
  | { ok: true; filters: RegisterFilters; values: FilterValues }
  | { ok: false; errors: Record<string, { key: string }>; values: FilterValues; filters: RegisterFilters };

/** Reads the query string; every bad value is named, the good ones still apply. */
export function parseFilters(query: Record<string, unknown>): ParsedFilters {
  const values: FilterValues = {
    q: one(query.q).slice(0, 200),
    cercle: one(query.cercle),
    issue: one(query.issue),
    du: one(query.du),
    au: one(query.au),
    objections: one(query.objections),
    revision: one(query.revision),
  };
  const errors: Record<string, { key: string }> = {};
  const filters: RegisterFilters = { ...EMPTY_FILTERS, q: values.q };
  if (values.cercle) {
    if (z.uuid().safeParse(values.cercle).success) filters.circleId = values.cercle.toLowerCase();
    else errors.cercle = { key: 'validation.choice' };
  }
  if (values.issue) {
    if (values.issue in OUTCOMES) filters.outcome = OUTCOMES[values.issue as keyof typeof OUTCOMES];
    else errors.issue = { key: 'validation.choice' };
  }
  for (const [field, key] of [
    ['du', 'from'],
    ['au', 'to'],
  ] as const) {
    if (!values[field]) continue;
    if (date.safeParse(values[field]).success) filters[key] = values[field];
    else errors[field] = { key: 'register.errors.date' };
  }
  if (filters.from && filters.to && filters.from > filters.to) errors.au = { key: 'register.errors.period' };
  filters.withObjections = values.objections === '1';
  if (values.revision) {
    if (values.revision in REVIEWS) filters.review = REVIEWS[values.revision as keyof typeof REVIEWS];
    else errors.revision = { key: 'validation.choice' };
  }
  const after = one(query.apres);
  if (after) {
    filters.after = decodeCursor(after);
    if (!filters.after) errors.apres = { key: 'register.errors.cursor' };
  }
  return Object.keys(errors).length ? { ok: false, errors, values, filters } : { ok: true, filters, values };
}

/**
 * Words typed in the search box, as a tsquery text: every word must match, each as a prefix
 * (the list updates as one types, so « préoc » already finds « préoccupation »). Only letters
 * and digits reach the query, so it can never be malformed.
 */
export function toPrefixQuery(q: string): string | null {
  const words = (q.normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 12);
  return words.length ? words.map((w) => `${w.toLowerCase()}:*`).join(' & ') : null;
}

/** The URL of the register with these filter values (and a page cursor). */
export function registerUrl(values: FilterValues, after?: string, base = '/registre'): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v) params.set(k, v);
  if (after) params.set('apres', after);
  const s = params.toString();
  return s ? `${base}?${s}` : base;
}
