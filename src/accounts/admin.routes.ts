import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { DB } from '../db/schema.ts';
import {
  ACCOUNT_ROLES,
  changeRole,
  createAccount,
  createCircle,
  issuePasswordReset,
  listAccounts,
  listCirclesForAdmin,
  RESET_VALID_HOURS,
} from './account.service.ts';
import { LIMITS } from '../http/limits.ts';
import { parseForm, text, type FieldError } from '../http/validate.ts';
import { publicBase, uuidParam } from '../http/forms.ts';
import { notFound } from '../http/errors.ts';
import { sessionsEnded } from '../http/session-end.ts';

const roleSchema = z.enum(ACCOUNT_ROLES as ['admin', 'facilitator', 'member', 'observer']);

const accountForm = z.object({
  email: z.string().trim().toLowerCase().max(LIMITS.email).pipe(z.email()),
  displayName: text(LIMITS.name),
  role: roleSchema,
});

const roleForm = z.object({ role: roleSchema });

const circleForm = z.object({
  name: text(LIMITS.circleName),
  description: z.string().trim().max(LIMITS.circleDescription).default(''),
});

/** The admin's pages: accounts (with one-time reset links) and circles. */
export function adminRouter(db: Kysely<DB>, config: Config): Router {
  const router = Router();

  async function accountsPage(req: Request, res: Response, status: number, values: Record<string, string>, errors: Record<string, FieldError>) {
    const accounts = await listAccounts(db, req.actor);
    res.status(status).render('accounts/admin-accounts', {
      title: res.locals.t('admin.accounts_title'),
      accounts,
      roles: ACCOUNT_ROLES,
      values: { email: '', displayName: '', role: 'member', ...values },
      errors,
    });
  }

  function showResetLink(req: Request, res: Response, status: number, issued: { token: string; account: { displayName: string; email: string } }) {
    res.set('Referrer-Policy', 'no-referrer');
    res.status(status).render('accounts/admin-reset-link', {
      title: res.locals.t('admin.reset_title'),
      account: issued.account,
      link: `${publicBase(config.publicUrl, req)}/reinitialiser/${issued.token}`,
      hours: RESET_VALID_HOURS,
    });
  }

  router.get('/admin/comptes', async (req, res) => {
    await accountsPage(req, res, 200, {}, {});
  });

  router.post('/admin/comptes', async (req, res) => {
    await listAccounts(db, req.actor); // authorises before reading the form
    const form = parseForm(accountForm, req.body);
    if (!form.ok) return accountsPage(req, res, 400, form.values, form.errors);
    const created = await createAccount(db, req.actor, { email: form.data.email, displayName: form.data.displayName, role: form.data.role });
    if (!created.ok) return accountsPage(req, res, 400, form.data, { [created.field]: { key: created.key } });
    const issued = await issuePasswordReset(db, req.actor, created.personId);
    if (!issued) throw notFound();
    showResetLink(req, res, 201, issued);
  });

  router.post('/admin/comptes/:id/role', async (req, res) => {
    const personId = uuidParam(req.params.id);
    await listAccounts(db, req.actor);
    const form = parseForm(roleForm, req.body);
    if (!form.ok) return accountsPage(req, res, 400, {}, {});
    if (!(await changeRole(db, req.actor, personId, form.data.role))) throw notFound();
    // streams were opened under the old role: they close, and reconnect under the new one
    await sessionsEnded(req, { personId });
    res.redirect(303, '/admin/comptes');
  });

  router.post('/admin/comptes/:id/reinitialisation', async (req, res) => {
    const issued = await issuePasswordReset(db, req.actor, uuidParam(req.params.id));
    if (!issued) throw notFound();
    showResetLink(req, res, 200, issued);
  });

  async function circlesPage(req: Request, res: Response, status: number, values: Record<string, string>, errors: Record<string, FieldError>) {
    const circles = await listCirclesForAdmin(db, req.actor);
    res
      .status(status)
      .render('accounts/admin-circles', { title: res.locals.t('admin.circles_title'), circles, values: { name: '', description: '', ...values }, errors });
  }

  router.get('/admin/cercles', async (req, res) => {
    await circlesPage(req, res, 200, {}, {});
  });

  router.post('/admin/cercles', async (req, res) => {
    await listCirclesForAdmin(db, req.actor);
    const form = parseForm(circleForm, req.body);
    if (!form.ok) return circlesPage(req, res, 400, form.values, form.errors);
    const created = await createCircle(db, req.actor, form.data);
    if (!created.ok) return circlesPage(req, res, 400, form.data, { [created.field]: { key: created.key } });
    res.redirect(303, '/admin/cercles');
  });

  return router;
}
