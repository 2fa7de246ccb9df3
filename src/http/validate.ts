/** Parses a form with zod; on failure returns per-field i18n errors and the input to show again. */
import { z } from 'zod';

export interface FieldError {
  key: string;
  params?: Record<string, unknown>;
}

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: Record<string, FieldError>; values: Record<string, string> };

/** Only string values the schema knows are echoed back; everything else is dropped. */
function echo(schema: z.ZodObject, body: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  const source = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  for (const key of Object.keys(schema.shape)) {
    const v = source[key];
    if (typeof v === 'string') values[key] = v;
  }
  return values;
}

function toFieldError(issue: z.core.$ZodIssue): FieldError {
  switch (issue.code) {
    case 'too_small':
      return Number(issue.minimum) <= 1 ? { key: 'validation.required' } : { key: 'validation.too_short', params: { min: Number(issue.minimum) } };
    case 'too_big':
      return { key: 'validation.too_long', params: { max: Number(issue.maximum) } };
    case 'invalid_format':
      return { key: issue.format === 'email' ? 'validation.email' : 'validation.format' };
    case 'invalid_type':
      return { key: 'validation.required' };
    case 'invalid_value':
      return { key: 'validation.choice' };
    default:
      return { key: issue.message && issue.message.startsWith('validation.') ? issue.message : 'validation.format' };
  }
}

export function parseForm<S extends z.ZodObject>(schema: S, body: unknown): FormResult<z.infer<S>> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return { ok: true, data: result.data };
  const errors: Record<string, FieldError> = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '_form');
    errors[field] ??= toFieldError(issue);
  }
  return { ok: false, errors, values: echo(schema, body) };
}

/** A trimmed single-line text of at most `max` characters, required unless `optional`. */
export const text = (max: number) => z.string().trim().min(1).max(max);
/** Multi-line text; line endings normalised so the stored length is the typed length. */
export const longText = (max: number) =>
  z
    .string()
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().min(1).max(max));

/** Route parameters: a uuid, or a 404 for anything else. */
export const uuid = z.uuid();
