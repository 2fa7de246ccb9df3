/**
 * Confirming an action that cannot be undone (withdrawing an objection or a proposal, postponing)
 * without JavaScript: the action's form is a GET to `/…/:action/confirmer`, which shows what will
 * happen and posts, on « Confirmer », to the action's own URL with the same fields. With
 * JavaScript, htmx posts the form directly after the browser's own dialog (`hx-confirm`).
 * The GET stores nothing; the POST is the existing action route, unchanged.
 */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { AccessDenied } from '../accounts/policy.ts';
import { uuidParam } from '../http/forms.ts';
import { LIMITS } from '../http/limits.ts';
import type { LiveMeetingService } from './live.service.ts';

/** The actions asked to be confirmed, and the fields their form carries to the confirmation. */
export const CONFIRMED_ACTIONS = ['retirer-objection', 'reporter-objection', 'retirer', 'reporter'] as const;
type Confirmed = (typeof CONFIRMED_ACTIONS)[number];
const isConfirmed = (value: string): value is Confirmed => (CONFIRMED_ACTIONS as readonly string[]).includes(value);

const carried = z.object({
  retour: z.enum(['console', 'participant', 'porteur', 'projection']).catch('participant'),
  cle: z.uuid().catch(() => randomUUID()),
  objection: z.string().max(100).optional().catch(undefined),
  raison: z.string().max(LIMITS.concern).optional().catch(undefined),
  date: z.string().max(10).optional().catch(undefined),
  pour: z.uuid().optional().catch(undefined),
});

export function confirmRouter({ live }: { live: LiveMeetingService }): Router {
  const router = Router();
  router.get('/seances/:id/propositions/:pid/:action/confirmer', async (req, res) => {
    const meetingId = uuidParam(req.params.id);
    const proposalId = uuidParam(req.params.pid);
    const action = req.params.action;
    if (!isConfirmed(action)) throw new AccessDenied('not_found');
    const model = await live.view(req.actor, meetingId, proposalId);
    const p = model.proposal;
    if (!p || p.proposalId !== proposalId) throw new AccessDenied('not_found');
    const fields = carried.parse(req.query);
    const objection = fields.objection ? p.objections.find((o) => o.id === fields.objection) : undefined;
    const hidden = Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
    res.set('Cache-Control', 'no-store');
    res.render('meetings/live/confirm', {
      title: res.locals.t(`live.confirm.${action}.title`),
      m: model,
      action,
      objection: objection ? { reasoning: objection.reasoning, objector: model.names[objection.objectorId] ?? '—' } : null,
      hidden,
      back: `/seances/${meetingId}/${fields.retour}?proposition=${proposalId}`,
    });
  });
  return router;
}
