/**
 * The séance as a whole: open it, close it, read and print its relevé, list its follow-ups.
 * Plain forms (303 back to the page); a refusal is a page that says why and changes nothing.
 */
import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/schema.ts';
import { LIMITS } from '../http/limits.ts';
import { uuidParam } from '../http/forms.ts';
import { formatDay, formatMinutes, formatMoment } from '../i18n/dates.ts';
import type { Publisher } from '../realtime/signals.ts';
import { SeanceRefused, SeanceService } from './seance.service.ts';
import { followUps, releve } from './releve.service.ts';
import { mergeRouter } from './merge.routes.ts';

const openForm = z.object({
  lieu: z
    .string()
    .max(LIMITS.meetingTitle)
    .optional()
    .transform((s) => (s === undefined ? undefined : s.replace(/\s+/g, ' ').trim())),
  retour: z.enum(['console', 'seance']).optional(),
});
const closeForm = z.object({ retour: z.enum(['console', 'seance']).optional() });

export function seanceRouter(db: Kysely<DB>, publisher?: Publisher): Router {
  const router = Router();
  router.use(mergeRouter(db, publisher));
  const seances = new SeanceService({ db, ...(publisher ? { publisher } : {}) });

  const backTo = (meetingId: string, retour: 'console' | 'seance' | undefined) =>
    retour === 'seance' ? `/seances/${meetingId}` : `/seances/${meetingId}/console`;

  /** A séance that refuses: the page says why (409), with the way back; nothing was changed. */
  const refused = (req: Request, res: Response, error: SeanceRefused, back: string) =>
    res.status(409).render('meetings/seance_refused', {
      title: res.locals.t('seance.refused_title'),
      message: res.locals.t(error.messageKey),
      back,
      meetingId: uuidParam(req.params.id),
    });

  router.post('/seances/:id/ouverture', async (req, res) => {
    const meetingId = uuidParam(req.params.id);
    const f = openForm.safeParse(req.body ?? {});
    const retour = f.success ? f.data.retour : undefined;
    try {
      await seances.open(req.actor, meetingId, f.success && f.data.lieu ? f.data.lieu : undefined);
    } catch (error) {
      if (error instanceof SeanceRefused) return refused(req, res, error, backTo(meetingId, retour));
      throw error;
    }
    res.redirect(303, backTo(meetingId, retour));
  });

  router.post('/seances/:id/cloture', async (req, res) => {
    const meetingId = uuidParam(req.params.id);
    const f = closeForm.safeParse(req.body ?? {});
    const retour = f.success ? f.data.retour : undefined;
    try {
      await seances.close(req.actor, meetingId);
    } catch (error) {
      if (error instanceof SeanceRefused) return refused(req, res, error, backTo(meetingId, retour));
      throw error;
    }
    res.redirect(303, backTo(meetingId, retour));
  });

  // the relevé de séance: A4, numbered pages, formal French; the browser's « print to PDF » is the PDF
  router.get('/seances/:id/releve', async (req, res) => {
    const meetingId = uuidParam(req.params.id);
    try {
      const r = await releve(db, req.actor, meetingId);
      res.render('meetings/releve', { title: `${res.locals.t('seance.releve.heading')} · ${r.meeting.title}`, r, formatDay, formatMoment, formatMinutes });
    } catch (error) {
      if (error instanceof SeanceRefused) return refused(req, res, error, `/seances/${meetingId}`);
      throw error;
    }
  });

  router.get('/seances/:id/suivi', async (req, res) => {
    const f = await followUps(db, req.actor, uuidParam(req.params.id));
    res.render('meetings/follow_ups', { title: `${res.locals.t('seance.follow_ups.title')} · ${f.meeting.title}`, f, formatDay, formatMoment });
  });

  return router;
}
