/**
 * The decision record's pages and what those who run meetings do from it: publish the decision,
 * link its formal act. Thin routes: parse, call the service, render; a refused or bad form comes
 * back on the record with what was typed and a French message, and stores nothing.
 */
import { Router, type Request, type Response } from 'express';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/schema.ts';
import { can } from '../accounts/policy.ts';
import { isDomainError } from '../consent/index.ts';
import { notFound } from '../http/errors.ts';
import { uuidParam } from '../http/forms.ts';
import { parseForm, text, type FieldError } from '../http/validate.ts';
import { translateError } from '../i18n/index.ts';
import { ConcurrencyError } from '../proposals/errors.ts';
import type { CurationService } from './curation.service.ts';
import { formatDay, formatMinutes, formatMoment } from '../i18n/dates.ts';
import { PRIVATE, PUBLIC, type Place } from './places.ts';
import { decisionRecord, decisionExists } from './record.service.ts';
import { chainStatus } from './integrity.ts';
import { revisedDecision, revisionsOf } from './reviews.repository.ts';

export type RecordView = 'register/record' | 'register/print';

const actForm = z.object({
  type_acte: z.enum(['deliberation', 'arrete']),
  numero: text(60),
  date_acte: z
    .string()
    .min(1)
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .refine((s) => isCalendarDay(s)),
  reference: z.string().trim().max(500).optional().default(''),
});

function isCalendarDay(s: string): boolean {
  const at = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(at) && new Date(at).toISOString().startsWith(s);
}

interface RecordExtra {
  status?: number;
  actValues?: Record<string, string>;
  actErrors?: Record<string, FieldError>;
  /** a refusal of the whole action (already published, concurrent change) */
  curationError?: string;
}

/** Renders a decision record (or its A4 relevé) where it lives; 404 when it does not exist there. */
export async function renderRecord(db: Kysely<DB>, req: Request, res: Response, view: RecordView, place: Place, extra: RecordExtra = {}): Promise<void> {
  const r = await decisionRecord(db, req.actor, uuidParam(req.params.id), new Date(), place.scope);
  if (!r) throw notFound();
  const isPublic = place.scope.publishedOnly === true;
  const act = r.formalAct;
  res.status(extra.status ?? 200).render(view, {
    title: r.title,
    r,
    chain: await chainStatus(db, r.id, res.locals.t),
    // which decision it revises, and the proposals opened to revise it (inside the register only)
    links: isPublic ? { revises: null, revisions: [] } : { revises: await revisedDecision(db, r.id), revisions: await revisionsOf(db, r.id) },
    base: place.base,
    isPublic,
    canCurate: view === 'register/record' && !isPublic && can(req.actor, { type: 'register.curate' }),
    publicUrl: r.publishedAt ? `${PUBLIC.base}/${r.id}` : null,
    actValues:
      extra.actValues ?? (act ? { type_acte: act.kind, numero: act.number, date_acte: act.date, reference: act.reference } : { type_acte: 'deliberation' }),
    actErrors: extra.actErrors ?? {},
    curationError: extra.curationError ?? null,
    formatDay,
    formatMoment,
    formatMinutes,
  });
}

export function curationRouter(db: Kysely<DB>, curation: CurationService): Router {
  const router = Router();

  // « Vérifier maintenant »: verifies the chain again; htmx swaps the answer into the record, without it the record reloads
  for (const place of [PRIVATE, PUBLIC]) {
    router.get(`${place.base}/:id/verification`, async (req, res) => {
      const id = uuidParam(req.params.id);
      if (!(await decisionExists(db, req.actor, id, place.scope))) throw notFound();
      if (req.get('HX-Request') !== 'true') return res.redirect(303, `${place.base}/${id}#integrite`);
      res.vary('HX-Request');
      res.render('register/_integrity', { r: { id }, chain: await chainStatus(db, id, res.locals.t), base: place.base, formatMoment });
    });
  }
  const refusal = (error: unknown, res: Response): string | null => {
    if (isDomainError(error) || error instanceof ConcurrencyError) return translateError(error, res.locals.t);
    return null;
  };

  router.post('/registre/:id/publier', async (req, res) => {
    const id = uuidParam(req.params.id);
    try {
      await curation.publish(req.actor, id);
    } catch (error) {
      // published already (a double click, or someone else first): nothing to do, the record says so
      if (isDomainError(error) && error.code === 'ALREADY_PUBLISHED') return res.redirect(303, `${PRIVATE.base}/${id}#publication`);
      const message = refusal(error, res);
      if (!message) throw error;
      return renderRecord(db, req, res, 'register/record', PRIVATE, { status: 422, curationError: message });
    }
    res.redirect(303, `${PRIVATE.base}/${id}#publication`);
  });

  router.post('/registre/:id/acte', async (req, res) => {
    const id = uuidParam(req.params.id);
    const form = parseForm(actForm, req.body);
    if (!form.ok) {
      // a day that is not in the calendar gets the register's own message, which says what to type
      const actErrors =
        form.errors.date_acte && form.errors.date_acte.key !== 'validation.required'
          ? { ...form.errors, date_acte: { key: 'register.errors.date' } }
          : form.errors;
      return renderRecord(db, req, res, 'register/record', PRIVATE, { status: 400, actValues: form.values, actErrors });
    }
    const f = form.data;
    try {
      await curation.recordFormalAct(req.actor, id, { kind: f.type_acte, number: f.numero, date: f.date_acte, reference: f.reference });
    } catch (error) {
      const message = refusal(error, res);
      if (!message) throw error;
      const actValues = { type_acte: f.type_acte, numero: f.numero, date_acte: f.date_acte, reference: f.reference };
      return renderRecord(db, req, res, 'register/record', PRIVATE, { status: 422, actValues, curationError: message });
    }
    res.redirect(303, `${PRIVATE.base}/${id}#acte`);
  });

  return router;
}
