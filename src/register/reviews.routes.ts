/** Reviews due and overdue, and « Réviser »: thin routes (parse, call the service, render). */
import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/schema.ts';
import { AccessDenied, can } from '../accounts/policy.ts';
import { isDomainError, VALIDITY_SETS } from '../consent/index.ts';
import { notFound } from '../http/errors.ts';
import { uuidParam } from '../http/forms.ts';
import { LIMITS } from '../http/limits.ts';
import { longText, parseForm, text, type FieldError } from '../http/validate.ts';
import { translateError } from '../i18n/index.ts';
import type { LiveMeetingService } from '../meetings/live.service.ts';
import { formatDay, formatMoment } from '../i18n/dates.ts';
import { reviewsPage, revise, revisionDraft, type RevisionDraft } from './reviews.service.ts';

// The fields of a proposal draft keep the names of the séance's draft form; `seance` chooses where it is tabled.
const reviseForm = z.object({
  seance: z.uuid(),
  title: text(LIMITS.proposalTitle),
  tension: longText(LIMITS.tension),
  text: longText(LIMITS.proposalText),
  criteria: z
    .string()
    .max(LIMITS.criteria)
    .optional()
    .transform((s) => (s ?? '').replace(/\r\n?/g, '\n').trim()),
  reviewDate: z.union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}$/)]).optional(),
  validitySet: z.enum(['importante_argumentee', 'holacracy', 's3']),
});

export function reviewsRouter(db: Kysely<DB>, live: LiveMeetingService): Router {
  const router = Router();

  router.get('/registre/revisions', async (req, res) => {
    const page = await reviewsPage(db, req.actor);
    res.render('register/reviews', { title: res.locals.t('register.reviews.title'), page, canRevise: can(req.actor, { type: 'register.curate' }), formatDay });
  });

  const show = (
    res: Response,
    draft: RevisionDraft,
    values: Record<string, string>,
    errors: Record<string, FieldError>,
    status = 200,
    formError: string | null = null,
  ) =>
    res.status(status).render('register/revise', {
      title: res.locals.t('register.revise.title', { title: draft.decision.title }),
      d: draft,
      values,
      errors,
      formError,
      sets: VALIDITY_SETS,
      formatDay,
      formatMoment,
    });

  const draftOf = async (req: Request) => {
    const draft = await revisionDraft(db, req.actor, uuidParam(req.params.id));
    if (!draft) throw notFound();
    return draft;
  };

  router.get('/registre/:id/reviser', async (req, res) => {
    const draft = await draftOf(req);
    const t = res.locals.t;
    const d = draft.decision;
    show(
      res,
      draft,
      {
        seance: draft.meetings.length === 1 ? draft.meetings[0]!.id : '',
        title: t('register.revise.prefill_title', { title: d.title }).slice(0, LIMITS.proposalTitle),
        tension: t('register.revise.prefill_tension', { title: d.title, date: d.reviewDate ? formatDay(d.reviewDate, res.locals.lang as string) : '—' }),
        text: d.finalText,
        criteria: d.criteria,
        reviewDate: '',
        validitySet: 'importante_argumentee',
      },
      {},
    );
  });

  router.post('/registre/:id/reviser', async (req, res) => {
    const draft = await draftOf(req);
    const form = parseForm(reviseForm, req.body);
    if (!form.ok) return show(res, draft, form.values, form.errors, 400);
    const f = form.data;
    const typed = {
      seance: f.seance,
      title: f.title,
      tension: f.tension,
      text: f.text,
      criteria: f.criteria,
      reviewDate: f.reviewDate ?? '',
      validitySet: f.validitySet,
    };
    if (!draft.meetings.some((m) => m.id === f.seance)) return show(res, draft, typed, { seance: { key: 'register.revise.meeting_refused' } }, 422);
    try {
      await revise(db, live, req.actor, draft.decision.id, f.seance, {
        title: f.title,
        tension: f.tension,
        text: f.text,
        criteria: f.criteria,
        reviewDate: f.reviewDate || null,
        validitySet: f.validitySet,
      });
    } catch (error) {
      if (isDomainError(error)) return show(res, draft, typed, {}, 422, translateError(error, res.locals.t));
      if (error instanceof AccessDenied) return show(res, draft, typed, { seance: { key: 'register.revise.meeting_refused' } }, 403);
      throw error;
    }
    res.redirect(303, `/seances/${f.seance}`);
  });

  return router;
}
