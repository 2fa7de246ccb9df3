import { Router } from 'express';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { findReset, resetPassword, signIn } from './account.service.ts';
import { LIMITS } from '../http/limits.ts';
import { parseForm, type FieldError } from '../http/validate.ts';
import { endSession, ensureSession, startSession } from '../http/session.ts';
import { safeNext } from '../http/forms.ts';
import { HttpError } from '../http/errors.ts';
import { sessionsEnded } from '../http/session-end.ts';

const signInForm = z.object({
  email: z.string().trim().toLowerCase().min(1).max(LIMITS.email),
  password: z.string().min(1).max(LIMITS.passwordMax),
  next: z.string().max(2000).optional(),
});

const resetForm = z
  .object({
    password: z.string().min(LIMITS.passwordMin).max(LIMITS.passwordMax),
    confirm: z.string().max(LIMITS.passwordMax),
  })
  .refine((f) => f.password === f.confirm, { path: ['confirm'], message: 'validation.password_mismatch' });

const tokenParam = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const invalidLink = (): HttpError => new HttpError(404, 'reset.invalid_title', 'reset.invalid');

/** Sign-in, sign-out and the one-time password links. */
export function authRouter(db: Kysely<DB>): Router {
  const router = Router();

  router.get('/connexion', async (req, res) => {
    const next = safeNext(req.query.next);
    if (req.actor.kind === 'account') return res.redirect(303, next);
    await ensureSession(db, req, res);
    res.render('accounts/sign-in', {
      title: res.locals.t('auth.title'),
      values: { email: '', next },
      errors: {},
      notice: req.query.reinitialise === '1' ? 'reset.done' : null,
    });
  });

  router.post('/connexion', async (req, res) => {
    const form = parseForm(signInForm, req.body);
    const next = safeNext((req.body as { next?: unknown } | undefined)?.next);
    const render = (status: number, errors: Record<string, FieldError>, email: string) =>
      res.status(status).render('accounts/sign-in', { title: res.locals.t('auth.title'), values: { email, next }, errors, notice: null });
    if (!form.ok) return render(400, form.errors, form.values.email ?? '');
    const result = await signIn(db, { email: form.data.email, password: form.data.password, address: req.ip ?? 'unknown' });
    if (!result.ok) {
      return result.reason === 'throttled'
        ? render(429, { _form: { key: 'auth.throttled' } }, form.data.email)
        : render(401, { _form: { key: 'auth.invalid' } }, form.data.email);
    }
    // the owner learns at once that someone tried their password
    const notice = result.failedSinceLast > 0 ? { key: 'auth.failed_since_last', params: { count: result.failedSinceLast } } : null;
    await startSession(db, req, res, { kind: 'account', personId: result.personId, meetingId: null, notice });
    res.redirect(303, next);
  });

  router.post('/deconnexion', async (req, res) => {
    await endSession(db, req, res);
    res.redirect(303, '/');
  });

  router.get('/reinitialiser/:token', async (req, res) => {
    const token = tokenParam.safeParse(req.params.token);
    const account = token.success ? await findReset(db, token.data) : null;
    if (!token.success || !account) throw invalidLink();
    await ensureSession(db, req, res);
    res.set('Referrer-Policy', 'no-referrer');
    res.render('accounts/reset', { title: res.locals.t('reset.title'), account, errors: {} });
  });

  router.post('/reinitialiser/:token', async (req, res) => {
    const token = tokenParam.safeParse(req.params.token);
    const account = token.success ? await findReset(db, token.data) : null;
    if (!token.success || !account) throw invalidLink();
    const form = parseForm(resetForm, req.body);
    if (!form.ok) return res.status(400).render('accounts/reset', { title: res.locals.t('reset.title'), account, errors: form.errors });
    if (!(await resetPassword(db, token.data, form.data.password))) throw invalidLink();
    await sessionsEnded(req, { personId: account.personId });
    res.redirect(303, '/connexion?reinitialise=1');
  });

  return router;
}
