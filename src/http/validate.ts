/** Parses a form with zod; on failure returns per-field i18n errors and the input to show again. */
import { z } from 'zod';

export interface FieldError {
  key: string;
  params?: Record<string, unknown>;
}

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: Record<string, FieldError>; values: Record<string, string> };

/**
 * Control characters other than tab and line breaks: nobody types them, PostgreSQL refuses the
 * null character (in text and in jsonb), and the others hide text. Refused in every form.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export const hasControlCharacters = (value: string): boolean => value.search(CONTROL) !== -1;
export const withoutControlCharacters = (value: string): string => value.replace(CONTROL, '');

/** Only string values the schema knows are echoed back, without control characters; everything else is dropped. */
function echo(schema: z.ZodObject, body: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  const source = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  for (const key of Object.keys(schema.shape)) {
    const v = source[key];
    if (typeof v === 'string') values[key] = withoutControlCharacters(v);
  }
  return values;
}

/** The schema's fields that carry a control character (in a string, or in any string of a list). */
function controlCharacterErrors(schema: z.ZodObject, body: unknown): Record<string, FieldError> {
  const errors: Record<string, FieldError> = {};
  const source = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  for (const key of Object.keys(schema.shape)) {
    const v = source[key];
    const strings = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
    if (strings.some(hasControlCharacters)) errors[key] = { key: 'validation.control_characters' };
  }
  return errors;
}

function toFieldError(issue: z.core.$ZodIssue): FieldError {
  // a schema may name what to do for its field (z.uuid({ message: 'validation.choose_circle' }))
  if (issue.message && issue.message.startsWith('validation.')) return { key: issue.message };
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
  const errors: Record<string, FieldError> = controlCharacterErrors(schema, body);
  if (result.success && Object.keys(errors).length === 0) return { ok: true, data: result.data };
  if (result.success) return { ok: false, errors, values: echo(schema, body) };
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
