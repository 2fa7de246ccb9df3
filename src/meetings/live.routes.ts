/**
 * A meeting as it is held: the facilitator console, the participant (phone) view, the proposer
 * view, the projector view, the live stream, and the actions of the method. Every action is a
 * plain form (303 back to the view); htmx swaps `#live` on top, and re-fetches it on `sse:changed`.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { isDomainError, VALIDITY_SETS } from '../consent/index.ts';
import { AccessDenied } from '../accounts/policy.ts';
import { LIMITS } from '../http/limits.ts';
import { uuidParam } from '../http/forms.ts';
import { longText, parseForm, text, type FieldError } from '../http/validate.ts';
import { ACTION_TABLE, actionCommand, isActionName, testAnswers, TYPED_FIELDS } from '../proposals/actions.ts';
import type { LiveMeetingService } from './live.service.ts';
import { liveRenderer, VIEWS, type LiveRenderer, type ViewName } from './live.render.ts';
import { PUSHED_VIEWS, type PushContext } from './live.push.ts';
import { confirmRouter } from './confirm.routes.ts';
import { ACTION_ROUTE } from './contribution-read.ts';
import { OnBehalfRefused } from './meeting.facts.ts';
import { SeanceRefused } from './seance.service.ts';
import { STREAMS_PER_SESSION, type SseHub } from '../realtime/sse.ts';
import { sha256 } from '../accounts/crypto.ts';
import { ConcurrencyError, KeyReusedError } from '../proposals/errors.ts';
import { errorKey, translateError } from '../i18n/index.ts';

const optional = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((s) => (s ?? '').replace(/\r\n?/g, '\n').trim());

/** What every action form carries besides the action's own fields (see the action table). */
const ACTION_ENVELOPE = {
  retour: z.enum(VIEWS).optional(),
  cle: z.uuid().optional().or(z.literal('')),
};

/** Each action's form (its own fields and the envelope), built once: zod compiles a schema at its first parse. */
const ACTION_FORMS = Object.fromEntries(Object.entries(ACTION_TABLE).map(([name, entry]) => [name, entry.schema.extend(ACTION_ENVELOPE)])) as Record<
  string,
  z.ZodObject
>;

const draftForm = z.object({
  title: text(LIMITS.proposalTitle),
  tension: longText(LIMITS.tension),
  text: longText(LIMITS.proposalText),
  criteria: optional(LIMITS.criteria),
  reviewDate: z.union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}$/)]).optional(),
  validitySet: z.enum(['importante_argumentee', 'holacracy', 's3']),
});

const arriveForm = z.object({ retour: z.enum(VIEWS).optional() });

const presenceForm = z.object({
  nom: z.string().trim().max(LIMITS.name).optional(),
  personne: z.uuid().optional(),
  present: z.enum(['oui', 'non']).optional(),
});

export interface LiveRouterDeps {
  config: Config;
  live: LiveMeetingService;
  hub: SseHub;
  renderer: LiveRenderer;
}

export function liveRouter({ config, live, hub, renderer }: LiveRouterDeps): Router {
  const router = Router();
  router.use(confirmRouter({ live }));

  const render = liveRenderer({ config, live, renderer });

  for (const view of VIEWS) {
    router.get(`/seances/:id/${view}`, async (req, res) => {
      res.set('Cache-Control', 'no-store');
      await render(req, res, view);
    });
  }

  router.get('/seances/:id/flux', async (req, res) => {
    const meetingId = uuidParam(req.params.id);
    // the participant's and the proposer's views get the new state itself (live.push.ts); others a signal
    const pushed = (PUSHED_VIEWS as readonly unknown[]).includes(req.query.vue) ? (req.query.vue as PushContext['view']) : null;
    const proposalId = pushed && typeof req.query.proposition === 'string' ? uuidParam(req.query.proposition) : undefined;
    // what the page's own part was drawn from (its fingerprint, see mineFingerprint): nothing to fetch until it changes
    const drawn = typeof req.query.empreinte === 'string' && /^[\w-]{1,32}$/.test(req.query.empreinte) ? req.query.empreinte : null;
    // authorises at every (re)connection, and reads no more: the stream says nothing, but only to members
    await live.authorize(req.actor, meetingId);
    if (req.actor.kind === 'anonymous' || !req.session) throw new AccessDenied('unauthenticated');
    const owner = { sessionId: sha256(req.session.token), personId: req.actor.personId };
    const admission = hub.admit(owner);
    if (admission === 'session_full')
      return res
        .status(429)
        .type('text/plain')
        .send(res.locals.t('live.errors.streams_session', { max: STREAMS_PER_SESSION }));
    if (admission === 'instance_full') return res.status(503).set('Retry-After', '30').type('text/plain').send(res.locals.t('live.errors.streams_instance'));
    const push: PushContext | undefined = pushed
      ? { view: pushed, proposalId, lang: res.locals.lang as string, actor: req.actor, fingerprint: drawn }
      : undefined;
    hub.open(meetingId, owner, res, req.get('Last-Event-ID') ?? undefined, push);
  });

  router.post(ACTION_ROUTE, async (req, res) => {
    const meetingId = uuidParam(req.params.id);
    const proposalId = uuidParam(req.params.pid);
    const action = req.params.action;
    if (!isActionName(action)) throw new AccessDenied('not_found');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const back: ViewName = (VIEWS as readonly unknown[]).includes(body.retour) ? (body.retour as ViewName) : 'participant';
    const entry = ACTION_TABLE[action];
    const parsed = parseForm(ACTION_FORMS[action]!, body);
    const values: Record<string, string> = {};
    const typed = parsed.ok ? body : parsed.values;
    for (const key of TYPED_FIELDS) if (typeof typed[key] === 'string') values[`${action}.${key}`] = typed[key] as string;
    const motives = ([] as unknown[]).concat(body.motive ?? []).filter((m): m is string => typeof m === 'string');
    const fail = (message: string, status = 422) => render(req, res, back, { status, error: message, values, motives });
    const t = res.locals.t;
    // a typed field in error: the message goes next to it, what was typed stays in it
    const failField = (field: (typeof TYPED_FIELDS)[number], error: FieldError) =>
      render(req, res, back, { status: 400, error: t('forms.has_errors'), values, motives, fieldErrors: { [`${action}.${field}`]: error } });
    if (!parsed.ok) {
      const field = TYPED_FIELDS.find((k) => parsed.errors[k]);
      return field ? failField(field, parsed.errors[field]!) : fail(t('live.errors.invalid'), 400);
    }
    const f = parsed.data;
    const texte = typeof f.texte === 'string' ? f.texte : '';
    if (entry.needsText && !texte) return failField('texte', { key: 'live.errors.text_required' });
    if (action === 'amender' && req.body?.apercu) return render(req, res, back, { values, motives, preview: texte });
    try {
      await live.act(req.actor, meetingId, proposalId, actionCommand(action, { ...f, reponses: testAnswers(body) }), {
        key: typeof f.cle === 'string' && f.cle ? f.cle : undefined,
        read: req.commandRead,
      });
    } catch (error) {
      if (isDomainError(error)) return fail(translateError(error, t));
      if (error instanceof OnBehalfRefused) return fail(t(error.messageKey, { name: error.personName }), 403);
      if (error instanceof ConcurrencyError || error instanceof KeyReusedError) return fail(translateError(error, t), 409);
      if (error instanceof SeanceRefused) return fail(t(error.messageKey), 409);
      // refused by the policy: said on the page (htmx swaps it too), never a blank screen
      if (error instanceof AccessDenied && error.refusal === 'forbidden') return fail(t('seance.errors.forbidden'), 403);
      throw error;
    }
    res.redirect(303, `/seances/${meetingId}/${back}?proposition=${proposalId}${action === 'amender' ? '&fait=version' : ''}`);
  });

  router.get('/seances/:id/propositions/nouvelle', async (req, res) => {
    const meetingId = uuidParam(req.params.id);
    const model = await live.view(req.actor, meetingId);
    // said before anything is typed: who may not put an item on the agenda, and why
    const refusal = model.me.mayDraft ? null : draftRefusal(model, req.actor.kind === 'guest');
    res.status(refusal ? 403 : 200).render('meetings/live/draft', {
      title: res.locals.t('live.draft.title'),
      m: model,
      values: { validitySet: 'importante_argumentee' },
      errors: refusal ? { _form: { key: refusal } } : {},
      sets: VALIDITY_SETS,
      refused: !!refusal,
    });
  });

  router.post('/seances/:id/propositions', async (req, res) => {
    const meetingId = uuidParam(req.params.id);
    const model = await live.view(req.actor, meetingId);
    const form = parseForm(draftForm, req.body);
    if (!form.ok) {
      return res
        .status(400)
        .render('meetings/live/draft', { title: res.locals.t('live.draft.title'), m: model, values: form.values, errors: form.errors, sets: VALIDITY_SETS });
    }
    const d = form.data;
    try {
      await live.draft(req.actor, meetingId, {
        title: d.title,
        tension: d.tension,
        text: d.text,
        criteria: d.criteria,
        reviewDate: d.reviewDate || null,
        validitySet: d.validitySet,
      });
    } catch (error) {
      // refused: the form comes back with what was typed, and says why
      const key = isDomainError(error)
        ? errorKey(error)
        : error instanceof SeanceRefused
          ? error.messageKey
          : error instanceof AccessDenied && error.refusal === 'forbidden'
            ? draftRefusal(model, req.actor.kind === 'guest')
            : null;
      if (!key) throw error;
      const values = Object.fromEntries(Object.entries(req.body ?? {}).filter(([k, v]) => k in draftForm.shape && typeof v === 'string')) as Record<
        string,
        string
      >;
      return res
        .status(isDomainError(error) ? 422 : error instanceof SeanceRefused ? 409 : 403)
        .render('meetings/live/draft', { title: res.locals.t('live.draft.title'), m: model, values, errors: { _form: { key } }, sets: VALIDITY_SETS });
    }
    res.redirect(303, `/seances/${meetingId}/${model.me.canFacilitate ? 'console' : 'participant'}`);
  });

  // Arriving changes who takes part in the next round: a POST with its token (posted by htmx as
  // the page loads, or by the « Je suis là » button without JavaScript), never a plain GET.
  router.post('/seances/:id/arrivee', async (req, res) => {
    const meetingId = uuidParam(req.params.id);
    await live.markArrived(req.actor, meetingId);
    if (req.get('HX-Request')) return res.status(200).type('html').send('');
    const f = arriveForm.safeParse(req.body ?? {});
    const back = f.success && f.data.retour && f.data.retour !== 'projection' ? f.data.retour : 'participant';
    res.redirect(303, `/seances/${meetingId}/${back}`);
  });

  router.post('/seances/:id/presence', async (req, res) => {
    const meetingId = uuidParam(req.params.id);
    const f = parseForm(presenceForm, req.body);
    if (!f.ok) {
      if (!f.errors.nom) return render(req, res, 'console', { status: 400, error: res.locals.t('live.errors.invalid') });
      return render(req, res, 'console', {
        status: 400,
        error: res.locals.t('forms.has_errors'),
        values: { 'presence.nom': f.values.nom ?? '' },
        fieldErrors: { 'presence.nom': f.errors.nom },
      });
    }
    if (f.data.nom) await live.addInRoom(req.actor, meetingId, f.data.nom);
    else if (f.data.personne && f.data.present) await live.setPresence(req.actor, meetingId, f.data.personne, f.data.present === 'oui');
    else return render(req, res, 'console', { status: 400, error: res.locals.t('live.errors.name_required'), values: {} });
    res.redirect(303, `/seances/${meetingId}/console`);
  });

  return router;
}

/** Why this person may not put an item on the agenda: the i18n key of the reason. */
function draftRefusal(model: { meeting: { status: string }; me: { personId: string | null; role: string | null } }, guest = false): string {
  if (model.meeting.status === 'closed') return 'seance.errors.closed';
  if (guest) return 'seance.draft.guest';
  if (model.me.role === 'observer') return 'seance.draft.observer';
  return model.me.role === null ? 'seance.draft.join_first' : 'seance.draft.not_allowed';
}
