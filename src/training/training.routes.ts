/**
 * Trainer mode, thin routes: parse, call the service, render. Every action is a plain form that
 * posts and comes back with 303; htmx swaps `#training` on top and re-fetches it on `sse:changed`.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { joinUrl, uuidParam } from '../http/forms.ts';
import { POSITION_LABELS, POSITIONS, type Position } from '../consent/rules.ts';
import { isDomainError } from '../consent/index.ts';
import { translateError } from '../i18n/index.ts';
import { ConcurrencyError } from '../proposals/errors.ts';
import { PERSONA_ACTIONS } from './play.ts';
import { AUTOPLAY_SPEEDS, type TrainingCommand, type TrainingService } from './training.service.ts';
import { TrainingError } from './training.errors.ts';

const slug = z.string().regex(/^[a-z0-9-]{1,80}$/);
const position = z.coerce
  .number()
  .int()
  .min(1)
  .max(5)
  .transform((n) => n as Position);
const startForm = z.object({ scenario: slug, cercle: z.uuid() });
const positionForm = z.object({ position });
const voteForm = z.object({ projet: slug, sens: z.enum(['ajouter', 'retirer']) });
const scenarioForm = z.object({ scenario: slug });
const autoplayForm = z.object({
  vitesse: z.union([
    z.literal('arret'),
    z.coerce
      .number()
      .int()
      .refine((n) => (AUTOPLAY_SPEEDS as readonly number[]).includes(n)),
  ]),
});
const id = z.string().max(80).optional();
const actForm = z.object({
  action: z.string().refine((a) => PERSONA_ACTIONS.has(a as never)),
  texte: z.string().trim().max(4000).optional(),
  note: z.string().trim().max(1000).optional(),
  question: id,
  objection: id,
  persona: slug.optional(),
});

type Page = 'session' | 'projection' | 'bilan';
const TEMPLATES: Record<Page, string> = { session: 'training/session', projection: 'training/projector', bilan: 'training/debrief' };

export function trainingRouter({ config, training }: { config: Config; training: TrainingService }): Router {
  const router = Router();

  async function render(req: Request, res: Response, page: Page, extra: { status?: number; error?: string; values?: Record<string, string> } = {}) {
    const meetingId = uuidParam(req.params.id);
    const v = await training.view(req.actor, meetingId);
    const fragment = req.get('HX-Target') === 'training';
    const lang = res.locals.lang === 'en' ? 'en' : 'fr';
    res.set('Cache-Control', 'no-store');
    res.vary('HX-Target');
    res.status(extra.status ?? 200).render(fragment ? 'training/_live' : TEMPLATES[page], {
      title: res.locals.t(page === 'bilan' ? 'training.debrief.heading' : 'training.title'),
      v,
      page,
      error: extra.error ?? null,
      joinUrl: joinUrl(config.publicUrl, req, v.session.joinCode),
      positions: POSITIONS,
      label: (p: Position) => POSITION_LABELS[p][lang],
      bodyClass: page === 'projection' ? 'projector training-projector' : `training-${page}`,
      fragment,
      values: extra.values ?? {},
      speeds: AUTOPLAY_SPEEDS,
    });
  }

  /** Runs a command, then back to the session (303); a refusal re-renders the page with its French message. */
  async function act(
    req: Request,
    res: Response,
    command: TrainingCommand | null | ((meetingId: string) => Promise<void>),
    values: Record<string, string> = {},
  ) {
    const t = res.locals.t;
    if (!command) return render(req, res, 'session', { status: 400, error: t('training.errors.invalid'), values });
    const meetingId = uuidParam(req.params.id);
    try {
      await (typeof command === 'function' ? command(meetingId) : training.handle(req.actor, meetingId, command));
    } catch (error) {
      // the auto-play timer met a step already played, or a person's turn: nothing to show
      if (req.body?.auto === '1' && (error instanceof TrainingError || isDomainError(error))) return res.status(204).end();
      if (error instanceof TrainingError) return render(req, res, 'session', { status: 422, error: t(`training.errors.${error.code}`), values });
      if (isDomainError(error) || error instanceof ConcurrencyError)
        return render(req, res, 'session', { status: 422, error: translateError(error, t), values });
      throw error;
    }
    res.redirect(303, `/formation/${meetingId}`);
  }

  router.get('/formation', async (req, res) => {
    const model = await training.startPage(req.actor);
    res.render('training/index', { title: res.locals.t('training.title'), ...model, values: {}, error: null });
  });

  router.post('/formation', async (req, res) => {
    const model = await training.startPage(req.actor);
    const values = { scenario: String(req.body?.scenario ?? ''), cercle: String(req.body?.cercle ?? '') };
    const again = (key: string) =>
      res.status(400).render('training/index', { title: res.locals.t('training.title'), ...model, values, error: res.locals.t(key) });
    const f = startForm.safeParse(req.body ?? {});
    if (!f.success) return again(f.error.issues.some((i) => i.path[0] === 'scenario') ? 'training.errors.unknown_scenario' : 'training.errors.unknown_circle');
    try {
      const id = await training.start(req.actor, { scenarioId: f.data.scenario, circleId: f.data.cercle });
      res.redirect(303, `/formation/${id}`);
    } catch (error) {
      if (error instanceof TrainingError) return again(`training.errors.${error.code}`);
      throw error;
    }
  });

  // Joining by code lands on /seances/:id: a training session has its own view.
  router.get('/seances/:id', async (req: Request, res: Response, next: NextFunction) => {
    const id = z.uuid().safeParse(req.params.id);
    if (id.success && (await training.isTraining(id.data.toLowerCase()))) return res.redirect(303, `/formation/${id.data.toLowerCase()}`);
    next();
  });

  router.get('/formation/:id', (req, res) => render(req, res, 'session'));
  router.get('/formation/:id/projection', (req, res) => render(req, res, 'projection'));
  router.get('/formation/:id/bilan', (req, res) => render(req, res, 'bilan'));

  router.post('/formation/:id/personas/:persona/prendre', (req, res) =>
    act(req, res, slug.safeParse(req.params.persona).success ? { type: 'take', personaId: req.params.persona } : null),
  );
  router.post('/formation/:id/personas/:persona/reprendre', (req, res) =>
    act(req, res, slug.safeParse(req.params.persona).success ? { type: 'reclaim', personaId: req.params.persona } : null),
  );
  router.post('/formation/:id/personas/:persona/position', (req, res) => {
    const f = positionForm.safeParse(req.body ?? {});
    return act(
      req,
      res,
      f.success && slug.safeParse(req.params.persona).success ? { type: 'move', personaId: req.params.persona, position: f.data.position } : null,
    );
  });
  router.post('/formation/:id/position', (req, res) => {
    const f = positionForm.safeParse(req.body ?? {});
    return act(req, res, f.success ? { type: 'choose', position: f.data.position } : null);
  });
  router.post('/formation/:id/personas/:persona/prendre-la-main', (req, res) =>
    act(req, res, slug.safeParse(req.params.persona).success ? { type: 'hold', personaId: req.params.persona } : null),
  );
  router.post('/formation/:id/etape', (req, res) => act(req, res, (meetingId) => training.step(req.actor, meetingId)));
  router.post('/formation/:id/lecture-auto', (req, res) => {
    const f = autoplayForm.safeParse(req.body ?? {});
    return act(req, res, f.success ? { type: 'autoplay', seconds: f.data.vitesse === 'arret' ? null : f.data.vitesse } : null);
  });
  router.post('/formation/:id/agir', (req, res) => {
    const f = actForm.safeParse(req.body ?? {});
    const values = { texte: String(req.body?.texte ?? ''), action: String(req.body?.action ?? '') };
    if (!f.success) return act(req, res, null, values);
    const d = f.data;
    const input = {
      ...(d.texte ? { text: d.texte, reason: d.texte } : {}),
      ...(d.note ? { changeNote: d.note } : {}),
      ...(d.question ? { questionId: d.question } : {}),
      ...(d.objection ? { objectionId: d.objection } : {}),
    };
    return act(req, res, (meetingId) => training.act(req.actor, meetingId, { personaId: d.persona ?? null, action: d.action as never, input }), values);
  });
  router.post('/formation/:id/observer', (req, res) => act(req, res, { type: 'observe' }));
  router.post('/formation/:id/reveler', (req, res) => act(req, res, { type: 'reveal' }));
  router.post('/formation/:id/reinitialiser', (req, res) => act(req, res, { type: 'reset' }));
  router.post('/formation/:id/voix', (req, res) => {
    const f = voteForm.safeParse(req.body ?? {});
    return act(req, res, f.success ? { type: 'vote', projectId: f.data.projet, delta: f.data.sens === 'ajouter' ? 1 : -1 } : null);
  });
  router.post('/formation/:id/scenario', (req, res) => {
    const f = scenarioForm.safeParse(req.body ?? {});
    return act(req, res, f.success ? { type: 'switch', scenarioId: f.data.scenario } : null);
  });

  return router;
}
