import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { joinMeeting } from './meeting.service.ts';
import { LIMITS } from '../http/limits.ts';
import { parseForm, text } from '../http/validate.ts';
import { ensureSession, startSession } from '../http/session.ts';
import type { Publisher } from '../realtime/signals.ts';
import { normaliseJoinCode } from '../accounts/crypto.ts';
import { rememberedGuest, rememberGuest } from './rejoin.ts';

const joinForm = z.object({
  code: text(LIMITS.joinCode),
  displayName: z.string().trim().max(LIMITS.name).optional(),
});

/** Guests join a meeting with its code and a display name, without an account. */
export function joinRouter(db: Kysely<DB>, publisher?: Publisher): Router {
  const router = Router();

  async function showForm(req: Request, res: Response, code: string): Promise<void> {
    await ensureSession(db, req, res);
    res.render('meetings/join', { title: res.locals.t('join.title'), values: { code, displayName: '' }, errors: {} });
  }

  router.get('/rejoindre', async (req, res) => {
    const code = typeof req.query.code === 'string' && req.query.code.length <= LIMITS.joinCode ? req.query.code : '';
    await showForm(req, res, code);
  });

  router.get('/rejoindre/:code', async (req, res) => {
    const code = req.params.code.length <= LIMITS.joinCode ? req.params.code : '';
    await showForm(req, res, code);
  });

  router.post('/rejoindre', async (req, res) => {
    const form = parseForm(joinForm, req.body);
    const render = (status: number, errors: Record<string, { key: string }>, values: Record<string, string>) =>
      res.status(status).render('meetings/join', { title: res.locals.t('join.title'), values: { code: '', displayName: '', ...values }, errors });
    if (!form.ok) return render(400, form.errors, form.values);
    const needsName = req.actor.kind !== 'account';
    if (needsName && !form.data.displayName) return render(400, { displayName: { key: 'validation.required' } }, form.data as Record<string, string>);
    const result = await joinMeeting(db, req.actor, {
      code: form.data.code,
      displayName: form.data.displayName ?? null,
      address: req.ip ?? 'unknown',
      rejoin: (meetingId) => rememberedGuest(db, req, meetingId),
    });
    if (!result.ok) return render(result.status ?? 404, { [result.field]: { key: result.key } }, form.data as Record<string, string>);
    if (result.personId) {
      await startSession(db, req, res, { kind: 'guest', personId: result.personId, meetingId: result.meetingId });
      await rememberGuest(db, req, res, { meetingId: result.meetingId, code: normaliseJoinCode(form.data.code), personId: result.personId });
    }
    // the console's attendance and the projector's count update at once
    await Promise.resolve(publisher?.publish({ name: 'meeting-changed', meetingId: result.meetingId })).catch(() => {});
    res.redirect(303, `/seances/${result.meetingId}`);
  });

  return router;
}
