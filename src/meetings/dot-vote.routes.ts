/**
 * The dot vote on a séance's agenda: open it, place or take back a dot, close it (which orders the
 * agenda). Plain forms, 303 back to the view; a refusal re-renders the view with its French message.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { uuidParam } from '../http/forms.ts';
import { DotVoteRefused, type DotVoteCommand, type DotVoteService } from './dot-vote.service.ts';
import type { LiveMeetingService } from './live.service.ts';
import { liveRenderer, type LiveRenderer } from './live.render.ts';
import { SeanceRefused } from './seance.service.ts';

const back = z.object({ retour: z.enum(['console', 'participant', 'projection']).optional() });
const dotForm = back.extend({ proposition: z.uuid(), sens: z.enum(['ajouter', 'retirer']) });

export function dotVoteRouter({
  config,
  live,
  renderer,
  dotVotes,
}: {
  config: Config;
  live: LiveMeetingService;
  renderer: LiveRenderer;
  dotVotes: DotVoteService;
}): Router {
  const router = Router();
  const render = liveRenderer({ config, live, renderer });

  async function run(req: Request, res: Response, command: DotVoteCommand | null, view: 'console' | 'participant' | 'projection') {
    const t = res.locals.t;
    const meetingId = uuidParam(req.params.id);
    if (!command) return render(req, res, view, { status: 400, error: t('live.dots.errors.invalid') });
    try {
      await dotVotes.handle(req.actor, meetingId, command);
    } catch (error) {
      if (error instanceof DotVoteRefused) return render(req, res, view, { status: 422, error: t(error.messageKey) });
      if (error instanceof SeanceRefused) return render(req, res, view, { status: 409, error: t(error.messageKey) });
      throw error;
    }
    res.redirect(303, `/seances/${meetingId}/${view}`);
  }

  router.post('/seances/:id/vote-a-points/ouvrir', (req, res) => run(req, res, { type: 'open' }, 'console'));
  router.post('/seances/:id/vote-a-points/clore', (req, res) => run(req, res, { type: 'close' }, 'console'));
  router.post('/seances/:id/vote-a-points/voix', (req, res) => {
    const f = dotForm.safeParse(req.body ?? {});
    const view = back.safeParse(req.body ?? {}).data?.retour ?? 'participant';
    return run(req, res, f.success ? { type: 'dot', proposalId: f.data.proposition.toLowerCase(), delta: f.data.sens === 'ajouter' ? 1 : -1 } : null, view);
  });

  return router;
}
