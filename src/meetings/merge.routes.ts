/**
 * Merging two entries of a séance that are one person, from the console's attendance list:
 * « Fusionner … avec… » → choose the entry to keep → a confirmation page → POST. Plain forms that
 * work without JavaScript; a refusal is a page that says why (nothing was changed).
 */
import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/schema.ts';
import { uuidParam } from '../http/forms.ts';
import type { Publisher } from '../realtime/signals.ts';
import { MergeRefused, MergeService } from './merge.service.ts';

const entry = z.uuid();
const mergeForm = z.object({ personne: entry, garder: entry });

export function mergeRouter(db: Kysely<DB>, publisher?: Publisher): Router {
  const router = Router();
  const merges = new MergeService({ db, ...(publisher ? { publisher } : {}) });

  const refused = (req: Request, res: Response, error: MergeRefused) =>
    res.status(error.status).render('meetings/seance_refused', {
      title: res.locals.t(error.titleKey),
      message: res.locals.t(error.messageKey),
      back: `/seances/${uuidParam(req.params.id)}/console`,
      meetingId: uuidParam(req.params.id),
    });

  /** The entry to merge, as asked (a malformed one is not of this séance). */
  const person = (value: unknown): string => {
    const parsed = entry.safeParse(value);
    if (!parsed.success) throw new MergeRefused('not_in_seance');
    return parsed.data;
  };

  router.get('/seances/:id/fusion', async (req, res) => {
    const meetingId = uuidParam(req.params.id);
    try {
      const c = await merges.choices(req.actor, meetingId, person(req.query.personne));
      res.set('Cache-Control', 'no-store').render('meetings/merge_choose', { title: res.locals.t('seance.merge.choose_title'), c, error: null });
    } catch (error) {
      if (error instanceof MergeRefused) return refused(req, res, error);
      throw error;
    }
  });

  // what will happen, and « Fusionner »: stores nothing
  router.get('/seances/:id/fusion/confirmer', async (req, res) => {
    const meetingId = uuidParam(req.params.id);
    try {
      const c = await merges.choices(req.actor, meetingId, person(req.query.personne));
      const kept = c.others.find((m) => m.personId === req.query.garder);
      if (req.query.garder === c.entry.personId) throw new MergeRefused('same');
      if (!kept) {
        // nothing chosen (or an entry gone meanwhile): the choice again, saying what to do
        const error = req.query.garder ? 'seance.merge.errors.not_in_seance' : 'seance.merge.choose_required';
        return res.status(400).render('meetings/merge_choose', { title: res.locals.t('seance.merge.choose_title'), c, error });
      }
      res
        .set('Cache-Control', 'no-store')
        .render('meetings/merge_confirm', { title: res.locals.t('seance.merge.confirm_title'), meeting: c.meeting, merged: c.entry, kept });
    } catch (error) {
      if (error instanceof MergeRefused) return refused(req, res, error);
      throw error;
    }
  });

  router.post('/seances/:id/fusion', async (req, res) => {
    const meetingId = uuidParam(req.params.id);
    try {
      const f = mergeForm.safeParse(req.body ?? {});
      if (!f.success) throw new MergeRefused('not_in_seance');
      await merges.merge(req.actor, meetingId, { merged: f.data.personne, kept: f.data.garder });
    } catch (error) {
      if (error instanceof MergeRefused) return refused(req, res, error);
      throw error;
    }
    res.redirect(303, `/seances/${meetingId}/console`);
  });

  return router;
}
